"""Untrusted text shown safely on a terminal or in a CI log.

File names, URLs, link text and messages come from pages and pull requests that anyone could
have written. Printed raw, they can steer what reads them: an ANSI or C1 escape sequence
(``\\x1b[``, U+009B) rewrites a terminal, a bidirectional override (U+202E) makes a reviewer
read text in another order than a program does, a line break forges a line, and a CI runner
obeys what looks like a command in its log. GitHub's runner takes a line that starts with
``::`` (after leading white space) as a workflow command, and a line that holds ``##[`` and a
``]`` anywhere as an older-style one.

One scheme, used by every text a command prints (the text and console reports, ``links``,
``classify``, the Markdown report's code spans):

- control and format characters (Unicode categories Cc except TAB, Cf: bidirectional marks,
  embeddings, overrides and isolates, zero-width characters; Zl, Zp; and lone surrogates,
  which a file name that is not UTF-8 decodes to) are shown as ``\\n``, ``\\r``,
  ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``, as Python writes them;
- the ``[`` of ``##[`` is shown as ``\\x5b``;
- a printed line whose first visible characters are ``::`` has its first ``:`` shown as
  ``\\x3a`` (``log_line``).

JSON gets the same characters as JSON escapes (``json_text``), so a JSON reader still reads
the very same string. A backslash is not doubled: text is shown for people to read,
and an escape in it only ever stands for a character that was not printed.
"""

from __future__ import annotations

import json
import re
import unicodedata

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_OLD_COMMAND = re.compile(r"(?<=##)\[")  # GitHub's ``##[command]``, matched anywhere in a line


def _hidden(char: str) -> bool:
    """Whether ``char`` must not reach a terminal as itself."""
    return char != "\t" and unicodedata.category(char) in _ESCAPED_CATEGORIES


_SHORT = {"\n": "\\n", "\r": "\\r"}


def _python_escape(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character beyond the BMP as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def shown(text: str) -> str:
    """``text`` with every character that could steer a terminal or a log shown escaped.

    Printable text, the common case, is returned as it is after one linear check.
    """
    if not text.isprintable():  # Python's printable excludes every category escaped here
        text = "".join(_python_escape(c) if _hidden(c) else c for c in text)
    return _OLD_COMMAND.sub(r"\\x5b", text) if "##[" in text else text


def log_line(line: str) -> str:
    """One printed line that a CI runner cannot read as a command: its parts already went
    through :func:`shown`; a first ``::`` (after white space) is escaped too."""
    line = shown(line) if "##[" in line else line
    stripped = line.lstrip()
    if stripped.startswith("::"):
        at = len(line) - len(stripped)
        line = f"{line[:at]}\\x3a{line[at + 1 :]}"
    return line


def json_text(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON that is safe to print: the characters :func:`shown` escapes are
    JSON escapes here (the string a JSON reader gets is unchanged), and the ``[`` of
    ``##[`` is ``\\u005b``. One line, unless ``indent`` asks for more."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    if not text.isprintable():  # a raw line break is the indentation's: JSON escapes the rest
        text = "".join(_json_escape(c) if _hidden(c) and c != "\n" else c for c in text)
    return _OLD_COMMAND.sub(r"\\u005b", text) if "##[" in text else text
