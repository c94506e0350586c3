"""What an inline script does with the URLs it names: loads them, or only mentions them.

A URL literal in a script is a **mention** (``Kind.MENTION``): a settings object, an
allowlist, a base folder for images, a list of files already loaded. It is a load only where
the code visibly loads it (ARCHITECTURE.md, «Reference kinds»):

- assigned to an element's ``src`` (``j.src = ...``, ``setAttribute("src", ...)``);
- written as a tag by ``document.write`` / ``writeln`` (``<script src=...>``, ``<img>``,
  ``<iframe>``), ``unescape("%3Cscript ...")`` decoded;
- passed to a loader: ``import(...)``, a static ``import ... from "..."``, jQuery's
  ``getScript(...)``.

The value is read as the code composes it: ``p + "://platform.twitter.com/widgets.js"`` and
``gaJsHost + "google-analytics.com/ga.js"`` (the scheme or host prefix chosen at run time)
become ``https://`` URLs on the named host; a name is looked up in the script's own
assignments and in the arguments of the function called where it is written, which is how
the Facebook pixel passes its URL (``t.src=v`` ... ``(window,document,'script','https://
connect.facebook.net/en_US/fbevents.js')``). What is loaded follows the URL: ``.js`` a script,
``.css`` a stylesheet, an image extension an image, a folder (``.../72x72/``) nothing; else
the element: a script element where the code creates one (``createElement('script')``, or
``createElement(s)`` with ``s`` bound to ``'script'``), an image for ``new Image``.
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from typing import NamedTuple
from urllib.parse import urlsplit

from linkguard.classify.scope import registrable_domain
from linkguard.extract._jsread import (
    NAME,
    OP,
    STR,
    Bindings,
    Hole,
    Part,
    Token,
    is_op,
    string_tokens,
    tokens,
    value_of,
)
from linkguard.model import Kind

# An absolute or protocol-relative URL at the start of a string, as a browser would read one.
_URL = re.compile(
    r"""(?:https?:)?//[A-Za-z0-9][A-Za-z0-9.\-]*\.[A-Za-z0-9\-]+(?::\d+)?"""
    r"""(?:[/?#][^\s"'`<>\\\x00]*)?"""
)
_URL_FIRST = "h/\\"  # how a string that is such a URL starts, as written (h, /, or an escape)
_HOST_FIRST = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)+(?=[/:?#]|$)")
_WRITTEN_TAG = re.compile(
    r"""<(script|img|iframe)\b[^<>]{0,1000}?\bsrc\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE
)
_BY_EXTENSION = {
    "js": Kind.SCRIPT, "mjs": Kind.SCRIPT, "css": Kind.STYLESHEET,
    **dict.fromkeys(("png", "jpg", "jpeg", "gif", "webp", "svg", "ico", "avif", "bmp"), Kind.IMAGE),
}  # fmt: skip
# Any of these may start a load (``_Reader.loads``); a script with none only mentions. The
# words are looked for first: that is much faster than the expression on a large script.
_LOAD_WORDS = ("src", "write", "getScript", "import", "from")
_MAY_LOAD = re.compile(
    r"""\.\s*src\s*=|setAttribute\s*\(\s*["'](?i:src)|\.\s*write(?:ln)?\s*\("""
    r"""|getScript|\bimport\b|\bfrom\s*["'`]"""
)
_BY_TAG = {"script": Kind.SCRIPT, "img": Kind.IMAGE, "iframe": Kind.FRAME}
_HOLE = 0xE000  # a hole in a composed value: private-use characters, one per hole
MAX_EVIDENCE = 160  # characters of source shown as the evidence of a load


class ScriptUse(NamedTuple):
    """One URL an inline script loads or mentions."""

    kind: Kind  # MENTION, or what the code loads (SCRIPT, STYLESHEET, IMAGE, FRAME)
    url: str  # absolute or protocol-relative, as the code composes it
    offset: int  # line within the script (0: the line the script starts on)
    evidence: str  # the source that loads it, or the literal that mentions it


class _Load(NamedTuple):
    kind: Kind
    url: str
    token: int  # the token the URL is written at (for its line)
    evidence: str  # the source that loads it, with what a name in it was read as
    used: frozenset[int]  # string tokens the URL was composed from


class _Found(NamedTuple):
    kind: Kind
    url: str
    token: int  # the token the URL is written at (for its line)
    used: frozenset[int]
    named: str  # ``name = "value"`` where the URL starts with a name the script binds


def script_uses(body: str) -> list[ScriptUse]:
    """Each URL an inline script loads (with the kind of what it loads) or only mentions,
    in source order, once each."""
    if not any(word in body for word in _LOAD_WORDS) or _MAY_LOAD.search(body) is None:
        toks, loads = string_tokens(body, _URL_FIRST), []  # it loads nothing: URLs will do
    else:
        toks = tokens(body)
        loads = _Reader(body, toks).loads()
    used = frozenset().union(*(load.used for load in loads))
    found: list[tuple[int, Kind, str, str]] = []  # (offset in the script, kind, url, evidence)
    seen: set[tuple[Kind, str]] = set()
    for load in loads:
        if (load.kind, load.url) not in seen:
            seen.add((load.kind, load.url))
            found.append((toks[load.token].start, load.kind, load.url, _cut(load.evidence)))
    loaded = {url for _, url in seen}
    for i, tok in enumerate(toks):
        if tok.kind != STR or i in used:
            continue
        match = _URL.match(tok.text)
        if match is None or match.group(0) in loaded:
            continue
        if (Kind.MENTION, match.group(0)) not in seen:
            seen.add((Kind.MENTION, match.group(0)))
            found.append((tok.start, Kind.MENTION, match.group(0), match.group(0)))
    found.sort(key=lambda item: item[0])
    return list(_with_lines(body, found))


def script_literals(body: str) -> list[tuple[int, str]]:
    """(line offset, URL) of each distinct absolute URL literal in an inline script
    (comments and relative strings are not URLs), whether it is loaded or only mentioned."""
    found: list[tuple[int, Kind, str, str]] = []
    seen: set[str] = set()
    for tok in string_tokens(body, _URL_FIRST):
        match = _URL.match(tok.text)
        if match is not None and match.group(0) not in seen:
            seen.add(match.group(0))
            found.append((tok.start, Kind.MENTION, match.group(0), ""))
    return [(use.offset, use.url) for use in _with_lines(body, found)]


def _with_lines(body: str, found: list[tuple[int, Kind, str, str]]) -> list[ScriptUse]:
    """The uses with their line in the script, counted once across it (``found`` sorted)."""
    uses: list[ScriptUse] = []
    line, counted = 0, 0
    for start, kind, url, evidence in found:
        line += body.count("\n", counted, start)
        counted = start
        uses.append(ScriptUse(kind, url, line, evidence))
    return uses


def _cut(text: str) -> str:
    return text if len(text) <= MAX_EVIDENCE else text[: MAX_EVIDENCE - 1] + "…"


class _Reader:
    """One script's loads, read from its tokens."""

    def __init__(self, body: str, toks: list[Token]) -> None:
        self.body = body
        self.toks = toks
        self._prefixes: dict[str, tuple[str, int] | None] = {}
        self._elements: dict[str, Kind | None] = {}

    @cached_property
    def bindings(self) -> Bindings:
        return Bindings(self.toks)

    @cached_property
    def default(self) -> Kind:
        """The element a ``src`` is set on when the code does not show which: a script
        element if the script creates one, an image if it makes an ``Image``, else unknown
        (MENTION: the URL stays a mention)."""
        names = {t.text for t in self.toks if t.kind == NAME}
        if "createElement" in names and any(
            t.kind == STR and t.text.lower() == "script" for t in self.toks
        ):
            return Kind.SCRIPT
        return Kind.IMAGE if "Image" in names else Kind.MENTION

    def loads(self) -> list[_Load]:
        """Every load the script's code shows, in source order."""
        found: list[_Load] = []
        toks = self.toks
        for i, tok in enumerate(toks):
            if tok.kind != NAME or i + 1 >= len(toks):
                continue
            after, name = toks[i + 1], tok.text
            member = i > 0 and is_op(toks[i - 1], ".")
            if name == "src" and member and is_op(after, "="):
                found += self._assigned(i - 2, i + 2, self._element(i - 2))
            elif name == "setAttribute" and is_op(after, "(") and self._names_src(i + 2):
                found += self._assigned(i - 2, i + 4, self._element(i - 2))
            elif name in ("write", "writeln") and member and is_op(after, "("):
                found += self._written(i - 2, i + 2)
            elif name in ("getScript", "import") and is_op(after, "("):
                found += self._assigned(i, i + 2, Kind.SCRIPT)
            elif name in ("import", "from") and after.kind == STR and not member:
                found += self._assigned(i, i + 1, Kind.SCRIPT)
        return found

    def _names_src(self, i: int) -> bool:
        toks = self.toks
        return (
            i + 1 < len(toks)
            and toks[i].kind == STR
            and toks[i].text.lower() == "src"
            and is_op(toks[i + 1], ",")
        )

    def _assigned(self, sink: int, value: int, element: Kind | None) -> list[_Load]:
        """The load of the value at token ``value`` into an element of kind ``element``."""
        expression = value_of(self.toks, value)
        found = self._load(_joined(expression.parts), expression.parts, element or self.default)
        return [] if found is None else [self._evidence(found, sink, expression.end)]

    def _written(self, sink: int, value: int) -> list[_Load]:
        """Loads of the tags a ``document.write(...)`` writes."""
        expression = value_of(self.toks, value)
        loads: list[_Load] = []
        for match in _WRITTEN_TAG.finditer(_joined(expression.parts)):
            tag = _BY_TAG[match.group(1).lower()]
            found = self._load(match.group(2), expression.parts, tag)
            if found is not None:
                loads.append(self._evidence(found, sink, expression.end))
        return loads

    def _load(self, value: str, parts: list[Part], element: Kind) -> _Found | None:
        """What a composed value loads, or None when it names no absolute URL or what it
        loads is not known."""
        leading = bool(value) and ord(value[0]) >= _HOLE
        hole, prefix = None, None
        if leading:
            part = parts[ord(value[0]) - _HOLE]
            hole = part if isinstance(part, Hole) else None
            prefix = self._prefix(hole) if hole is not None else None
        url = _absolute(prefix[0] if prefix else None, _before_hole(value[leading:]), leading)
        if url is None:
            return None
        kind = _kind_of(url, element)
        if kind is Kind.MENTION:
            return None
        written = [part[1] for part in parts if not isinstance(part, Hole)]
        # Its line: where the loading code writes it, else where the script binds the name.
        token = min(written) if written else prefix[1] if prefix is not None else 0
        named = ""
        if hole is not None and prefix is not None:
            written.append(prefix[1])
            named = f"{hole.name} = {json.dumps(prefix[0])}"
        return _Found(kind, url, token, frozenset(written), named)

    def _evidence(self, found: _Found, sink: int, end: int) -> _Load:
        """The load, shown by its source from the element it loads into to the end of the
        value (and what a name in it holds, where the script says so elsewhere)."""
        toks = self.toks
        start = sink
        while (
            start > 0
            and sink - start < 6
            and (toks[start - 1].kind == NAME or _is_any_op(toks[start - 1], ".()"))
        ):
            start -= 1
        stop = toks[end].start if 0 <= end < len(toks) else len(self.body)
        evidence = " ".join(self.body[toks[max(start, 0)].start : stop].split())
        if found.named:
            evidence = f"{evidence} … {found.named}"
        return _Load(found.kind, found.url, found.token, evidence, found.used)

    def _prefix(self, hole: Hole) -> tuple[str, int] | None:
        """What the script says the name ``hole`` holds, where it starts a URL: an https
        scheme or URL prefix in preference to an http one (``"https://ssl."``), else None."""
        if not hole.name.isidentifier():
            return None
        if hole.name in self.bindings.params:  # may differ by position: not cached
            return _best(self.bindings.strings(hole.name, hole.index))
        if hole.name not in self._prefixes:
            self._prefixes[hole.name] = _best(self.bindings.strings(hole.name, hole.index))
        return self._prefixes[hole.name]

    def _element(self, i: int) -> Kind | None:
        """The kind of element the name at token ``i`` holds, when the script creates it in
        sight (``j = d.createElement(s)``, ``img = new Image()``)."""
        toks = self.toks
        if (
            i >= 3
            and is_op(toks[i], ")")
            and is_op(toks[i - 1], "(")
            and toks[i - 2].text == "Image"
        ):
            return Kind.IMAGE  # new Image().src = ...
        if i < 0 or toks[i].kind != NAME:
            return None
        name = toks[i].text
        if name not in self._elements:
            self._elements[name] = None
            for start in self.bindings.assigned.get(name, ()):
                kind = self._created(start)
                if kind is not None:
                    self._elements[name] = kind
                    break
        return self._elements[name]

    def _created(self, start: int) -> Kind | None:
        toks = self.toks
        for j in range(start, min(len(toks) - 2, start + 8)):
            if toks[j].kind == NAME and toks[j].text == "Image" and j > 0:
                return Kind.IMAGE if toks[j - 1].text == "new" else None
            if toks[j].kind == NAME and toks[j].text == "createElement" and is_op(toks[j + 1], "("):
                argument = toks[j + 2]
                if argument.kind == STR:
                    tag = argument.text
                elif argument.kind == NAME:
                    tag = next(iter(self.bindings.strings(argument.text, j + 2)), ("", 0))[0]
                else:
                    return None
                return _BY_TAG.get(tag.lower())
            if is_op(toks[j], ";") or is_op(toks[j], ","):
                return None
        return None


def _is_any_op(tok: Token, operators: str) -> bool:
    return tok.kind == OP and len(tok.text) == 1 and tok.text in operators


def _joined(parts: list[Part]) -> str:
    """The parts as one string, each hole a private-use character indexing ``parts``."""
    return "".join(
        chr(_HOLE + index) if isinstance(part, Hole) else part[0]
        for index, part in enumerate(parts)
    )


def _before_hole(text: str) -> str:
    for index, char in enumerate(text):
        if ord(char) >= _HOLE:
            return text[:index]
    return text


def _best(strings: list[tuple[str, int]]) -> tuple[str, int] | None:
    """The string that best starts a URL: https before http, a URL before a scheme."""
    ranked = [
        (rank, index, value, token)
        for index, (value, token) in enumerate(strings)
        if (rank := _rank(value)) is not None
    ]
    return min(ranked)[2:] if ranked else None


def _rank(value: str) -> int | None:
    lower = value.lower()
    for rank, start in enumerate(("https://", "http://", "//")):
        if lower.startswith(start):
            return rank
    return {"https": 3, "https:": 3, "http": 4, "http:": 4}.get(lower)


def _absolute(prefix: str | None, rest: str, leading_hole: bool) -> str | None:
    """The absolute URL a composed value names, on https where the scheme is chosen at run
    time; None when the host is not in sight (a relative path, an unknown prefix)."""
    if not leading_hole:
        candidate = rest
    elif rest.startswith("://"):
        candidate = "https" + rest
    elif rest.startswith("//"):
        candidate = "https:" + rest
    elif prefix is not None and "://" in prefix:
        candidate = "https://" + prefix.split("://", 1)[1] + rest
    elif prefix is not None and prefix.startswith("//"):
        candidate = "https:" + prefix + rest
    elif (host := _HOST_FIRST.match(rest)) is not None and _has_suffix(host.group(0)):
        candidate = "https://" + rest
    else:
        return None
    match = _URL.match(candidate)
    return match.group(0) if match is not None else None


def _has_suffix(host: str) -> bool:
    """True when ``host`` ends in a public suffix (``google-analytics.com``, not ``ga.js``):
    only then is a fragment like ``"google-analytics.com/ga.js"`` read as naming a host."""
    probe = "probe." + host.lower()
    return registrable_domain(probe) != probe


def _kind_of(url: str, element: Kind) -> Kind:
    """What loading ``url`` into ``element`` fetches: the URL's extension decides, a folder
    is nothing (MENTION), else the element's kind."""
    path = urlsplit(url).path
    if path.endswith("/") and path != "/":
        return Kind.MENTION
    name = path.rpartition("/")[2]
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    return _BY_EXTENSION.get(extension, element)
