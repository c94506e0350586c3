"""What CSS written in a page loads: ``@import`` and ``url()`` in ``<style>`` and ``style=``.

The CSS is tokenized as the CSS Syntax standard says, as far as finding URLs needs: comments
are skipped, strings are strings, escapes are decoded (``u\\72l(`` is ``url(``, and
``url(https\\3a //x)`` goes to ``https://x``), a ``url(`` whose value is not quoted runs to
its ``)``. An ``@import`` loads a stylesheet; ``url()`` and the strings of ``image-set()``
load an image, or a font or media file where the extension says so; ``@namespace`` names a
URL it never loads. One pass, patterns that cannot backtrack: linear in the CSS's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from linkguard.model import Kind

_IDENT = r"(?:[-\w]|\\[0-9a-fA-F]{1,6}[ \t\n\r\f]?|\\[^\n\r\f0-9a-fA-F])++"
_TOKEN = re.compile(
    r"(?P<comment>/\*(?:[^*]|\*(?!/))*+(?:\*/)?)"
    r"|(?P<string>\"(?:[^\"\\\n]|\\.)*+\"?|'(?:[^'\\\n]|\\.)*+'?)"
    rf"|@(?P<at>{_IDENT})"
    rf"|(?P<function>{_IDENT})\("
    rf"|(?P<ident>{_IDENT})"
    r"|(?P<close>\))"
    r"|(?P<space>\s++)"
    r"|(?P<other>[^/\"'@\\\w\s()-]++|.)",
    re.DOTALL,
)
_UNQUOTED_URL = re.compile(
    r"\s*+((?:[^)\s\"'(\\]|\\[0-9a-fA-F]{1,6}[ \t\n\r\f]?|\\.)*+)\s*+\)", re.DOTALL
)
_QUOTED_NEXT = re.compile(r"\s*+[\"']")
_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(\n)|(.))", re.DOTALL)
_FONTS = (".woff2", ".woff", ".ttf", ".otf", ".eot")
_MEDIA = (".mp4", ".webm", ".ogg", ".ogv", ".mp3", ".wav", ".m4a", ".mov")


class CssUse(NamedTuple):
    """One URL a piece of CSS loads, ``lines`` lines below where the CSS starts."""

    kind: Kind
    url: str
    lines: int


def css_uses(css: str) -> Iterator[CssUse]:
    """Every URL ``css`` loads, in order."""
    position, line = 0, 0
    pending: str | None = None  # the at-rule ("import", "namespace") whose URL may come next
    quoted_url = False  # inside ``url(``, before its quoted argument
    depth = 0  # parentheses open
    image_sets: list[int] = []  # the depth of each image-set() open: its strings are URLs
    while position < len(css):
        token = _TOKEN.match(css, position)
        if token is None:  # pragma: no cover - the last alternative matches any character
            break
        kind, end = token.lastgroup, token.end()
        if kind == "at":
            pending = unescape(token.group("at")).lower()
        elif kind == "function":
            name = unescape(token.group("function")).lower()
            value = _UNQUOTED_URL.match(css, end) if name == "url" else None
            if name == "url" and _QUOTED_NEXT.match(css, end):
                quoted_url = True
                depth += 1
            elif value is not None:
                yield from _use(unescape(value.group(1)), pending, line)
                pending, end = None, value.end()
            else:
                depth += 1
                pending = None
                if name in ("image-set", "-webkit-image-set"):
                    image_sets.append(depth)
        elif kind == "string":
            if quoted_url or pending is not None or image_sets:
                closed = len(token.group()) > 1 and token.group()[-1] == token.group()[0]
                yield from _use(unescape(token.group()[1 : -1 if closed else None]), pending, line)
            pending, quoted_url = None, False
        elif kind == "close":
            if image_sets and image_sets[-1] == depth:
                image_sets.pop()
            depth = max(0, depth - 1)
            pending = None
        elif kind == "ident" and pending == "namespace":
            pass  # @namespace svg url(...): the prefix, then the URL it names
        elif kind not in ("comment", "space"):
            pending = None
        line += css.count("\n", position, end)
        position = end


def _use(url: str, pending: str | None, line: int) -> Iterator[CssUse]:
    url = url.strip()
    if not url or pending == "namespace":
        return
    if pending == "import":
        yield CssUse(Kind.STYLESHEET, url, line)
        return
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    if path.endswith(_FONTS):
        yield CssUse(Kind.FONT, url, line)
    elif path.endswith(_MEDIA):
        yield CssUse(Kind.MEDIA, url, line)
    else:
        yield CssUse(Kind.IMAGE, url, line)


def unescape(text: str) -> str:
    """``text`` with its CSS escapes decoded (``\\3a `` is ``:``; an escaped newline is
    nothing, as in a string)."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(_unescaped, text)


def _unescaped(match: re.Match[str]) -> str:
    hexa, newline, char = match.groups()
    if newline is not None:
        return ""
    if hexa is not None:
        code = int(hexa, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return str(char)
