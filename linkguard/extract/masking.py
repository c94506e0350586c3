"""Template syntax masked out of template sources before they are parsed as HTML.

``{{ url }}``, ``{% if x %}``, ``{# note #}``, ``<%= link %>``, ``<?php echo $u ?>`` and the
like are replaced, character for character, by a private-use sentinel (newlines kept), so:

- the HTML parser never sees template syntax, which would otherwise break attributes
  (``href="{{ url }}"`` is fine, but ``<a {% if ext %}class="ext"{% endif %}>`` is not);
- every line number after masking is the line number in the template file;
- an attribute value that contained template code still shows where it did, so the party of
  ``https://forms.example.com/f/{{ id }}`` is known while ``{{ url }}`` is "dynamic".

Only the syntax of the engine the file is written for is masked: what another engine would
treat as code is text to this one, and the page the engine renders carries it as written.
Masking ``{# ... #}`` in a Go template, ``<% %>`` in a Jinja one or ``<?`` anywhere (which
ran to the end of the file) hid markup that the rendered page holds. The engine comes from
the file's extension where it names one (``.j2``, ``.liquid``, ``.hbs``, ``.erb``, ``.php``,
``.gohtml`` ...), else from ``[templates] engine``, else Jinja2 (``{{ }}``, ``{% %}``,
``{# #}``: also Nunjucks and Twig). What an engine outputs verbatim stays unmasked: Jinja's
and Liquid's ``{% raw %}``, Django's and Twig's ``{% verbatim %}``, Handlebars' raw blocks
(``{{{{raw}}}}``) and escaped ``\\{{``, ERB's ``<%%``. Django's tags do not span lines.

Each construct ends at the first closer after it (an engine ends it there or later, so
masking never runs past the engine); one with no closer is left as text, except PHP, which
runs to the end of the file as PHP does. One pass: a closer that is missing is looked for
once, so the masking is linear in the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

SENTINEL = "\ue000"
ENGINES = ("jinja2", "django", "liquid", "handlebars", "erb", "php", "go")
DEFAULT_ENGINE = "jinja2"
_BY_SUFFIX = {
    ".j2": "jinja2", ".jinja": "jinja2", ".jinja2": "jinja2", ".njk": "jinja2",
    ".twig": "jinja2", ".djhtml": "django", ".liquid": "liquid", ".hbs": "handlebars",
    ".handlebars": "handlebars", ".mustache": "handlebars", ".erb": "erb", ".ejs": "erb",
    ".php": "php", ".gohtml": "go", ".tmpl": "go",
}  # fmt: skip


def engine_for(name: str, configured: str | None = None) -> str:
    """The engine a template file is written for: its extension's, else the configured one,
    else Jinja2. ``.html`` and ``.tpl`` name no engine."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return _BY_SUFFIX.get(suffix) or configured or DEFAULT_ENGINE


@dataclass(frozen=True, slots=True)
class _Construct:
    """One kind of template construct: where it opens, and how to find where it closes."""

    name: str
    opener: str  # a regular expression
    closer: Callable[[re.Match[str]], re.Pattern[str]] | str  # "" runs to the end
    single_line: bool = False
    raw: bool = False  # a block whose body the engine outputs as written


def _fixed(text: str) -> Callable[[re.Match[str]], re.Pattern[str]] | str:
    return text


def _end_of(tag: str, dash: str = "[-+]?") -> Callable[[re.Match[str]], re.Pattern[str]]:
    """The closing tag of a raw block opened by ``{% raw %}`` or ``{% verbatim name %}``."""

    def closer(match: re.Match[str]) -> re.Pattern[str]:
        name = re.escape(match.group(tag))
        return re.compile(r"\{%" + dash + r"[ \t]*end" + name + r"[ \t]*" + dash + r"%\}")

    return closer


def _handlebars_end(match: re.Match[str]) -> re.Pattern[str]:
    return re.compile(r"\{\{\{\{/[ \t]*" + re.escape(match.group("h")) + r"[ \t]*\}\}\}\}")


_JINJA = (
    _Construct("raw", r"\{%[-+]?\s*(?P<j>raw|verbatim)\s*[-+]?%\}", _end_of("j"), raw=True),
    _Construct("expr", r"\{\{", "}}"),
    _Construct("stmt", r"\{%", "%}"),
    _Construct("comment", r"\{#", "#}"),
)
_DJANGO = (
    _Construct(
        "raw",
        r"\{%[ \t]*(?P<d>verbatim(?:[ \t]+[^\s%]+)?)[ \t]*%\}",
        _end_of("d", ""),
        raw=True,
    ),
    _Construct("expr", r"\{\{", "}}", single_line=True),
    _Construct("stmt", r"\{%", "%}", single_line=True),
    _Construct("comment", r"\{#", "#}", single_line=True),
)
_LIQUID = (
    _Construct("raw", r"\{%-?\s*(?P<l>raw)\s*-?%\}", _end_of("l", "-?"), raw=True),
    _Construct("expr", r"\{\{", "}}"),
    _Construct("stmt", r"\{%", "%}"),
)
_HANDLEBARS = (
    _Construct("raw", r"\{\{\{\{[ \t]*(?P<h>[^\s}/]+)[^}]*\}\}\}\}", _handlebars_end, raw=True),
    _Construct("triple", r"(?<!\\)\{\{\{", "}}}"),
    _Construct("comment", r"(?<!\\)\{\{!--", "--}}"),
    _Construct("expr", r"(?<!\\)\{\{", "}}"),
)
_ERB = (_Construct("tag", r"<%(?!%)", "%>"),)
_PHP = (_Construct("php", r"<\?(?:[pP][hH][pP](?=\s|\Z)|=|(?=\s))", "?>"),)
_GO = (_Construct("action", r"\{\{", "}}"),)
_TABLE = {
    "jinja2": _JINJA, "django": _DJANGO, "liquid": _LIQUID, "handlebars": _HANDLEBARS,
    "erb": _ERB, "php": _PHP, "go": _GO,
}  # fmt: skip
_OPENERS = {
    engine: re.compile("|".join(f"(?P<{c.name}>{c.opener})" for c in constructs))
    for engine, constructs in _TABLE.items()
}
_NOT_NEWLINE = re.compile(r"[^\n]")


def mask_templates(source: str, engine: str) -> str:
    """``source`` with every construct of ``engine`` blanked to sentinels, newlines kept."""
    constructs = {c.name: c for c in _TABLE[engine]}
    openers = _OPENERS[engine]
    dead: dict[str, int] = {}  # construct -> offset before which its closer is known missing
    pieces: list[str] = []
    done = position = 0
    while (found := openers.search(source, position)) is not None:
        name = str(found.lastgroup)
        construct = constructs[name]
        start = found.start()
        if dead.get(name, -1) > start:
            position = start + 1
            continue
        end = _close(source, found, construct, engine)
        if end < 0:  # no closer: text, as the engine would refuse it; looked for only once
            limit = source.find("\n", start) if construct.single_line else -1
            dead[name] = len(source) + 1 if limit < 0 else limit
            position = start + 1
            continue
        pieces.append(source[done:start])
        if construct.raw:
            body_end = end - len(_closing_tag(source, found, construct))
            pieces += (_blank(found.group()), source[found.end() : body_end])
            pieces.append(_blank(source[body_end:end]))
        else:
            pieces.append(_blank(source[start:end]))
        done = position = end
    pieces.append(source[done:])
    return "".join(pieces)


def _close(source: str, opened: re.Match[str], construct: _Construct, engine: str) -> int:
    """Where the construct ``opened`` ends (after its closer), or -1 if it never does."""
    after = opened.end()
    if construct.raw:
        closing = _closing(opened, construct).search(source, after)
        return -1 if closing is None else closing.end()
    closer = construct.closer
    assert isinstance(closer, str)
    limit = len(source)
    if construct.single_line:
        newline = source.find("\n", after)
        limit = limit if newline < 0 else newline
    at = source.find(closer, after, limit)
    if at < 0:
        return len(source) if engine == "php" else -1  # PHP code runs to the end of the file
    return at + len(closer)


def _closing(opened: re.Match[str], construct: _Construct) -> re.Pattern[str]:
    closer = construct.closer
    assert callable(closer)
    return closer(opened)


def _closing_tag(source: str, opened: re.Match[str], construct: _Construct) -> str:
    """The text of the tag that closes the raw block ``opened``."""
    found = _closing(opened, construct).search(source, opened.end())
    return found.group() if found is not None else ""


def _blank(text: str) -> str:
    return _NOT_NEWLINE.sub(SENTINEL, text)


def is_templated(value: str) -> bool:
    """True when an attribute value contained template code."""
    return SENTINEL in value


# http(s), ws(s), ftp and file URLs take a host even without "//" (https:{{ cdn }}/x.js).
_SPECIAL = r"(?![hH][tT][tT][pP][sS]?:|[wW][sS][sS]?:|[fF][tT][pP]:|[fF][iI][lL][eE]:)"
_KNOWN_PREFIX = re.compile(
    r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/?#\\" + SENTINEL + r"]+[/?#\\]"  # scheme://host/ literal
    r"|/[^/\\]"  # a root-relative path whose first segment starts literally: this site
    r"|" + _SPECIAL + r"[a-zA-Z][a-zA-Z0-9+.-]*:(?!//)"  # mailto:, tel:, javascript: ...
    r"|[^:/?#\\" + SENTINEL + r"]+[/?#]"  # a relative path with a literal first segment
)


def destination_is_known(value: str) -> bool:
    """Whether a templated attribute value still has a literal destination (scheme and host).

    ``https://forms.example.com/f/{{ id }}`` and ``/products/{{ slug }}`` are known;
    ``{{ url }}``, ``https://{{ cdn }}/x.js``, ``https:{{ cdn }}/x.js`` (the template may
    supply ``//host``), ``/{{ path }}`` (or ``/host``) and ``https://example.com{{ path }}``
    (which could continue the host name) are not.
    """
    literal = value.split(SENTINEL, 1)[0].lstrip()
    return bool(_KNOWN_PREFIX.match(literal))


_SHOWN = re.compile(SENTINEL + "+|(?:%EE%80%80)+")


def shown(value: str) -> str:
    """``value`` for people: each masked run (raw or percent-encoded) shown as ``{…}``."""
    return _SHOWN.sub("{…}", value)
