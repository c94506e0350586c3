"""Bytes -> text as a browser decodes a page: its byte-order mark, then the HTTP charset,
then a ``<meta>`` found before the page's body, then a default.

Only the labels of the WHATWG Encoding Standard name an encoding, looked up in its table
(``webencodings``): a browser ignores ``cp037``, ``utf-32``, ``punycode`` or ``rot13``, so
linkguard does too. Python's own codec registry would turn a page that declares ``cp037``
into text without a single tag, and ``rot13``, ``base64``, ``zlib`` are not text encodings at
all (decoding with them raised, and stopped the scan).

The ``<meta>`` is found as Chromium finds it, by reading tags (comments and the text of
``script``, ``style``, ``title``... skipped) until 1,024 bytes are read and a tag that
does not belong in ``<head>`` has started: a ``<meta charset>`` written inside a script's
string or a comment does not count, and neither does one far into the body. A meta that
names UTF-16 means UTF-8, and ``x-user-defined`` means windows-1252, as the HTML standard
says. With no declaration, a page is UTF-8 unless its bytes hold no UTF-8 sequence at all
and do not decode as UTF-8 (a legacy page), which is then windows-1252: Chromium guesses
from the bytes too, and a UTF-8 page with one stray byte stays UTF-8.
"""

from __future__ import annotations

import codecs
import re

import webencodings

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
)
# The Encoding Standard's decoder for these is the Windows superset of the Python codec
# webencodings names (gbk is decoded as gb18030, Shift_JIS as windows-31j, EUC-KR as 949).
_DECODER = {"gbk": "gb18030", "shift_jis": "cp932", "euc-kr": "cp949"}
HEAD_BYTES = 1_024  # the prescan reads at least this much, then stops at a body tag
# Tags whose text is not markup: a <meta> in it is text (the tokenizer's raw-text states).
_RAW_TEXT = frozenset(
    {b"script", b"style", b"title", b"textarea", b"xmp", b"iframe", b"noembed", b"noframes"}
    | {b"noscript"}  # raw text too, with scripting on
)
# Start tags that keep the prescan in <head> (Chromium's list).
_HEAD_TAGS = frozenset(
    {b"meta", b"script", b"noscript", b"style", b"link", b"title", b"base", b"html", b"head"}
)
_SPACE = b"\t\n\x0c\r "
_TAG_NAME = re.compile(rb"[A-Za-z][^\t\n\x0c\r />]*")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def encoding_for(label: str | None) -> webencodings.Encoding | None:
    """The WHATWG encoding a label names (``latin1`` is windows-1252), or None: a label the
    Encoding Standard does not list names nothing."""
    if not label:
        return None
    return webencodings.lookup(label.strip().strip("\"'"))


def decode_html(body: bytes, http_charset: str | None = None) -> str:
    """The page's text as a browser decodes it. Never raises: undecodable bytes become
    U+FFFD, as do NUL bytes."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return _decode(body[len(bom) :], webencodings.lookup(name))
    encoding = encoding_for(http_charset) or prescan(body)
    if encoding is None:
        return _default(body)
    return _decode(body, encoding)


def _decode(body: bytes, encoding: webencodings.Encoding) -> str:
    if encoding.name == "replacement":  # ISO-2022-KR and kin: a browser shows one U+FFFD
        return "\ufffd" if body else ""
    name = _DECODER.get(encoding.name)
    info = codecs.lookup(name) if name else encoding.codec_info
    text, _ = info.decode(body, "replace")
    return text.replace("\x00", "\ufffd")


def _default(body: bytes) -> str:
    """UTF-8, or windows-1252 for bytes with no UTF-8 in them that are not UTF-8."""
    try:
        return body.decode("utf-8").replace("\x00", "\ufffd")
    except UnicodeDecodeError:
        legacy = _UTF8_SEQUENCE.search(body) is None
    encoding = webencodings.lookup("windows-1252" if legacy else "utf-8")
    return _decode(body, encoding)


def prescan(body: bytes) -> webencodings.Encoding | None:
    """The encoding the page's first ``<meta charset>`` (or ``http-equiv=content-type``)
    declares, read as Chromium's prescan reads it; None if there is none it would honour."""
    position, end = 0, len(body)
    in_head = True  # until a start tag that does not belong in <head>
    while position < end:
        lt = body.find(b"<", position)
        if lt < 0 or (lt >= HEAD_BYTES and not in_head):
            return None
        position = lt + 1
        if body.startswith(b"<!--", lt):
            close = body.find(b"-->", lt + 2)
            position = end if close < 0 else close + 3
        elif body.startswith((b"<!", b"</", b"<?"), lt) and not _TAG_NAME.match(body, lt + 2):
            close = body.find(b">", lt + 2)
            position = end if close < 0 else close + 1
        else:
            closing = body.startswith(b"</", lt)
            name_match = _TAG_NAME.match(body, lt + (2 if closing else 1))
            if name_match is None:
                continue
            name = name_match.group().lower()
            attrs, position = _attributes(body, name_match.end())
            if closing:
                continue
            in_head = in_head and name in _HEAD_TAGS
            if name == b"meta":
                found = _meta_encoding(attrs)
                if found is not None:
                    return found
            elif name in _RAW_TEXT:
                position = _raw_text_end(body, position, name)
    return None


def _raw_text_end(body: bytes, position: int, name: bytes) -> int:
    """Where markup resumes after the text of a raw-text element: after its end tag."""
    pattern = re.compile(b"</" + re.escape(name) + rb"[\t\n\x0c\r />]", re.IGNORECASE)
    found = pattern.search(body, position)
    return len(body) if found is None else found.start()


def _meta_encoding(attrs: dict[bytes, bytes]) -> webencodings.Encoding | None:
    """The encoding a ``<meta>``'s attributes declare, by the HTML standard's prescan."""
    found: webencodings.Encoding | None = None
    if b"charset" in attrs:
        found = encoding_for(attrs[b"charset"].decode("latin-1"))
    elif b"content" in attrs and attrs.get(b"http-equiv", b"").lower() == b"content-type":
        found = encoding_for(_charset_in_content(attrs[b"content"].decode("latin-1")))
    if found is None:
        return None
    if found.name in ("utf-16le", "utf-16be"):
        return webencodings.lookup("utf-8")
    if found.name == "x-user-defined":
        return webencodings.lookup("windows-1252")
    return found


_CONTENT_CHARSET = re.compile(
    r"""charset[\t\n\x0c\r ]*=[\t\n\x0c\r ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\x0c\r ;"']+))""",
    re.IGNORECASE,
)


def _charset_in_content(content: str) -> str | None:
    """The label in ``text/html; charset=x`` (the standard's algorithm for a meta's
    ``content``: the first ``charset`` followed by ``=``, quoted or up to ``;``)."""
    match = _CONTENT_CHARSET.search(content)
    if match is None:
        return None
    return next((group for group in match.groups() if group is not None), None)


def _attributes(body: bytes, position: int) -> tuple[dict[bytes, bytes], int]:
    """A tag's attributes from ``position`` (after its name) to its ``>``, by the HTML
    standard's "get an attribute" (the first of a name wins), and where the tag ends."""
    attrs: dict[bytes, bytes] = {}
    end = len(body)
    while True:
        while position < end and body[position] in b"\t\n\x0c\r /":
            position += 1
        if position >= end:
            return attrs, end
        if body[position] == 0x3E:  # >
            return attrs, position + 1
        start = position
        position += 1  # the first character is part of the name, even '='
        while position < end and body[position] not in b"\t\n\x0c\r />=":
            position += 1
        name = body[start:position].lower()
        while position < end and body[position] in _SPACE:
            position += 1
        value = b""
        if position < end and body[position] == 0x3D:  # =
            position += 1
            while position < end and body[position] in _SPACE:
                position += 1
            if position < end and body[position] in b"\"'":
                quote = body[position]
                close = body.find(bytes((quote,)), position + 1)
                close = end if close < 0 else close
                value, position = body[position + 1 : close], close + 1
            else:
                start = position
                while position < end and body[position] not in b"\t\n\x0c\r >":
                    position += 1
                value = body[start:position]
        attrs.setdefault(name, value)
