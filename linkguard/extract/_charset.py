"""Bytes -> text as a browser decodes a page: BOM, then the HTTP charset, then ``<meta>``."""

from __future__ import annotations

import codecs
import re

# WHATWG Encoding Standard labels whose Python codec has another name or is stricter.
_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "csshiftjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso_8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "chinese": "gb18030",
    "big5": "big5hkscs",
    "euc-jp": "euc_jp",
    "x-euc-jp": "euc_jp",
    "iso-2022-jp": "iso2022_jp",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",  # in <meta>, means UTF-8
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
PRESCAN_BYTES = 4096


def codec_for(label: str | None) -> str | None:
    """The Python codec for a WHATWG encoding label, or None if it names no known encoding."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def meta_charset(head: bytes) -> str | None:
    """The charset declared by a ``<meta>`` in the first bytes of a page."""
    match = _META_CHARSET.search(head[:PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def decode_html(body: bytes, http_charset: str | None = None) -> str:
    """The page's text. Never raises: undecodable bytes become U+FFFD, as do NUL bytes."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace").replace("\x00", "\ufffd")
    encoding = codec_for(http_charset) or codec_for(meta_charset(body)) or "utf-8"
    return body.decode(encoding, errors="replace").replace("\x00", "\ufffd")
