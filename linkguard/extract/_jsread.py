"""Reading an inline script without running it: tokens, and the value of a string
expression.

The tokenizer is one left-to-right pass; every pattern it uses always matches and never
backtracks beyond the token it reads (an unclosed string ends at its line, an unclosed comment
or template at the end of the script), so a hostile script costs time linear in its size. A
``/`` starts a regular expression where an operand is expected, as in the language, so a quote
inside ``/["']/`` does not start a string.

``value_of`` reads what a concatenation of strings evaluates to (``p + "://host/x.js"``,
``unescape("%3Cscript src='" + host + "ga.js'%3E")``); names it cannot know are holes, which
the caller may resolve from the script's own assignments and calls (``Bindings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import unquote

STR, NAME, OP, OTHER = "s", "n", "o", "x"
MAX_EXPRESSION = 200  # tokens read for one expression: enough for any loader, bounded
MAX_DEPTH = 8  # nested parentheses followed inside one expression
MAX_BINDINGS = 16  # assignments (or enclosing calls) remembered per name

# A string or comment, whole (an unclosed string ends at its line, an unclosed comment or
# template at the end of the script), so nothing inside one is read as code.
_STRING_OR_COMMENT = r"""
      (?P<com>//[^\n]*|/\*[^*]*(?:\*(?!/)[^*]*)*(?:\*/)?|<!--[^\n]*)
    | "(?P<dq>[^"\\\n]*(?:\\.[^"\\\n]*)*)"?
    | '(?P<sq>[^'\\\n]*(?:\\.[^'\\\n]*)*)'?
    | `(?P<tq>[^`\\]*(?:\\.[^`\\]*)*)`?"""
_TOKEN = re.compile(
    _STRING_OR_COMMENT
    + r"""
    | (?P<name>[^\W\d][\w$]*|\$[\w$]*)
    | (?P<num>\d[\w.]*)
    | (?P<op>[=!]==?|=>|[<>+\-*/%&|^]=|&&|\|\||\?\?|\.\.\.|[^\s\w])""",
    re.VERBOSE | re.DOTALL,
)
# Strings and comments, and each "/" (which may start a regular expression): the code
# between them is skipped by the regular expression engine, not read token by token.
_LEXEME = re.compile(
    r"(?=[\"'`/<])(?:" + _STRING_OR_COMMENT + r"| (?P<slash>/))", re.VERBOSE | re.DOTALL
)
_REGEX_LITERAL = re.compile(r"""/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\]?)+/?[A-Za-z]*""")
_REGEX_KEYWORDS = frozenset(
    {"return", "typeof", "case", "in", "of", "new", "delete", "void", "throw", "instanceof"}
)
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_PLACEHOLDER = re.compile(r"\$\{[^`}]*\}?")
_DECODERS = frozenset({"unescape", "decodeURI", "decodeURIComponent", "String"})
_OPENERS, _CLOSERS = frozenset("([{"), frozenset(")]}")
_STRING_GROUPS = frozenset({"dq", "sq", "tq"})


class Token(NamedTuple):
    kind: str  # STR (its value, decoded), NAME, OP (the operator), OTHER (number, regex)
    text: str
    start: int  # offset in the script


def tokens(script: str) -> list[Token]:
    """The script's tokens, comments and whitespace left out."""
    found: list[Token] = []
    append = found.append
    position = 0
    while position < len(script):
        restart = None
        for match in _TOKEN.finditer(script, position):
            group = match.lastgroup or "op"
            text = match.group(group)
            if group == "com":
                continue
            if group in _STRING_GROUPS:
                append(Token(STR, _string_value(group, text), match.start()))
            elif group == "name":
                append(Token(NAME, text, match.start()))
            elif group != "op":
                append(Token(OTHER, text, match.start()))
            elif text[0] == "/" and (literal := _regex_at(script, match.start())) is not None:
                append(Token(OTHER, literal.group(), match.start()))
                restart = literal.end()  # re-read after the literal: "/[\"']/" is no string
                break
            else:
                append(Token(OP, text, match.start()))
        if restart is None:
            break
        position = restart
    return found


def string_tokens(script: str, first: str = "") -> list[Token]:
    """The script's string literals only (those whose text starts with a character of
    ``first``, if given), read as ``tokens`` reads them, comments and regular expressions
    skipped, without a token for the code between them: for a script that can only mention
    URLs, several times faster than ``tokens``."""
    found: list[Token] = []
    position = 0
    while position < len(script):
        restart = None
        for match in _LEXEME.finditer(script, position):
            group = match.lastgroup
            if group in _STRING_GROUPS:
                body = match.group(group)
                if not first or body[:1] in first:
                    found.append(Token(STR, _string_value(group, body), match.start()))
            elif group == "slash" and (literal := _regex_at(script, match.start())) is not None:
                restart = literal.end()
                break
        if restart is None:
            break
        position = restart
    return found


def _regex_at(script: str, start: int) -> re.Match[str] | None:
    """The regular expression literal at ``start`` (a "/"), if one can start there: where
    an operand is expected, that is not after ``)``, ``]``, ``}``, a name, a number or a
    string (a keyword such as ``return`` expects one)."""
    before = start - 1
    while before >= 0 and script[before].isspace():
        before -= 1
    if before >= 0:
        char = script[before]
        if char in ")]}\"'`/":
            return None
        if char.isalnum() or char in "_$":
            word_start = before
            while word_start > 0 and before - word_start < 10 and script[word_start - 1].isalnum():
                word_start -= 1
            if script[word_start : before + 1] not in _REGEX_KEYWORDS:
                return None
    return _REGEX_LITERAL.match(script, start)


def _string_value(group: str, body: str) -> str:
    if group == "tq":
        body = _PLACEHOLDER.sub("\x00", body)
    return _decoded(body)


def _decoded(body: str) -> str:
    """A string literal's value (``https:\\/\\/host`` is ``https://host``)."""
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "ux" and len(code) > 1:
        value = int(code[2:-1] if code.startswith("u{") else code[1:], 16)
        return chr(value) if value <= 0x10FFFF else ""
    if code in "\r\n":
        return ""  # a line continuation
    return _SIMPLE_ESCAPES.get(code, code)


def is_op(tok: Token, text: str) -> bool:
    """True when ``tok`` is the operator ``text`` (not a string that reads like it)."""
    return tok.kind == OP and tok.text == text


@dataclass(frozen=True, slots=True)
class Hole:
    """A name whose value the expression does not say (``p`` in ``p + "://host"``)."""

    name: str
    index: int  # its token


Part = tuple[str, int] | Hole  # a string's value and its token, or a hole


@dataclass(slots=True)
class Expression:
    """What a string expression evaluates to, as parts; ``end`` is the token after the last
    part read."""

    parts: list[Part] = field(default_factory=list)
    end: int = 0


def value_of(toks: list[Token], index: int) -> Expression:
    """The value of the concatenation starting at token ``index``: strings joined by ``+``,
    names as holes, ``unescape(...)`` and its kin decoded. It stops at anything else."""
    expression = Expression(end=index)
    _sum(toks, index, expression, [MAX_EXPRESSION], 0, decode=False)
    return expression


def _sum(
    toks: list[Token], i: int, out: Expression, budget: list[int], depth: int, *, decode: bool
) -> int:
    """Read operands joined by ``+`` into ``out``; the token after them (-1: stopped inside)."""
    while True:
        i = _term(toks, i, out, budget, depth, decode=decode)
        if i < 0:
            return i
        out.end = i
        if i >= len(toks) or not is_op(toks[i], "+"):
            return i
        i += 1


def _term(
    toks: list[Token], i: int, out: Expression, budget: list[int], depth: int, *, decode: bool
) -> int:
    """Read one operand into ``out``; the token after it (-1: not an operand, stop)."""
    budget[0] -= 1
    if i >= len(toks) or budget[0] <= 0:
        return -1
    tok = toks[i]
    if tok.kind == STR:
        out.parts.append((unquote(tok.text) if decode else tok.text, i))
        return i + 1
    if is_op(tok, "(") and depth < MAX_DEPTH:
        return _group(toks, i + 1, out, budget, depth, decode=decode)
    if tok.kind != NAME:
        return -1
    name, j = tok.text, i + 1
    while j + 1 < len(toks) and is_op(toks[j], ".") and toks[j + 1].kind == NAME:
        name, j = f"{name}.{toks[j + 1].text}", j + 2
    if j < len(toks) and is_op(toks[j], "("):
        if name.rpartition(".")[2] not in _DECODERS or depth >= MAX_DEPTH:
            out.parts.append(Hole(f"{name}(…)", i))
            return -1
        return _group(toks, j + 1, out, budget, depth, decode=decode or name != "String")
    out.parts.append(Hole(name, i))
    return j


def _group(
    toks: list[Token], i: int, out: Expression, budget: list[int], depth: int, *, decode: bool
) -> int:
    """Read ``( expression )`` from after its ``(``; a condition or a ternary is a hole."""
    inner = Expression(end=i)
    end = _sum(toks, i, inner, budget, depth + 1, decode=decode)
    if end < 0 or end >= len(toks) or not is_op(toks[end], ")"):
        out.parts.append(Hole("(…)", i - 1))
        return -1
    out.parts.extend(inner.parts)
    return end + 1


class Bindings:
    """What the script itself says a name holds: its assignments (``var host = "https://
    ssl."``) and the arguments of a function called where it is written (``(function(w,d,s)
    {...})(window,document,'script')``, the shape every tag loader has)."""

    def __init__(self, toks: list[Token]) -> None:
        self.toks = toks
        self.assigned: dict[str, list[int]] = {}  # name -> the token after its "="
        self.params: dict[str, list[tuple[int, int, int | None]]] = {}  # body span, argument
        closing = matching(toks)
        for i, tok in enumerate(toks):
            if tok.kind != NAME or i + 1 >= len(toks):
                continue
            if is_op(toks[i + 1], "=") and (i == 0 or not is_op(toks[i - 1], ".")):
                spots = self.assigned.setdefault(tok.text, [])
                if len(spots) < MAX_BINDINGS:
                    spots.append(i + 2)
            elif tok.text == "function":
                self._called(i, closing)

    def _called(self, i: int, closing: dict[int, int]) -> None:
        """Bind the parameters of the function at ``i`` if it is called where it is written."""
        toks = self.toks
        open_params = i + 1 if is_op(toks[i + 1], "(") else i + 2
        close_params = closing.get(open_params)
        if close_params is None or not is_op(toks[close_params + 1], "{"):
            return
        body_end = closing.get(close_params + 1)
        if body_end is None or body_end + 1 >= len(toks):
            return
        call = body_end + 1
        if is_op(toks[call], ")"):  # (function(){ ... })(...)
            call += 1
        call_end = closing.get(call)
        if call_end is None or not is_op(toks[call], "("):
            return
        params = [t.text for t in toks[open_params + 1 : close_params] if t.kind == NAME]
        for name, argument in zip(params, _arguments(toks, call + 1, call_end), strict=False):
            value = argument if argument is not None and toks[argument].kind == STR else None
            spans = self.params.setdefault(name, [])
            if len(spans) < MAX_BINDINGS:
                spans.append((close_params + 1, body_end, value))

    def strings(self, name: str, at: int) -> list[tuple[str, int]]:
        """The strings (and their tokens) the script gives ``name``, seen from token ``at``:
        the argument of the innermost called function around it, else every string in its
        assignments."""
        around = [span for span in self.params.get(name, ()) if span[0] < at < span[1]]
        if around:
            value = min(around, key=lambda span: span[1] - span[0])[2]
            return [] if value is None else [(self.toks[value].text, value)]
        found: list[tuple[str, int]] = []
        for start in self.assigned.get(name, ()):
            found += _strings_of(self.toks, start)
        return found


def matching(toks: list[Token]) -> dict[int, int]:
    """Each opening bracket's token -> its closing one, in one pass."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[int] = []
    closing: dict[int, int] = {}
    for i, tok in enumerate(toks):
        if tok.kind != OP:
            continue
        if tok.text in _OPENERS:
            stack.append(i)
        elif tok.text in _CLOSERS:
            while stack and toks[stack[-1]].text != pairs[tok.text]:
                stack.pop()  # an opener never closed: forget it
            if stack:
                closing[stack.pop()] = i
    return closing


def _arguments(toks: list[Token], start: int, end: int) -> list[int | None]:
    """The token of each argument between ``start`` and ``end`` that is one token (None
    for an argument that is more), bounded."""
    found: list[int | None] = []
    first, depth = start, 0
    for i in range(start, min(end, start + MAX_EXPRESSION)):
        tok = toks[i]
        if tok.kind != OP:
            continue
        if tok.text in _OPENERS:
            depth += 1
        elif tok.text in _CLOSERS:
            depth -= 1
        elif tok.text == "," and depth == 0:
            found.append(first if i - first == 1 else None)
            first = i + 1
    if end - start < MAX_EXPRESSION:
        found.append(first if end - first == 1 else None)
    return found


def _strings_of(toks: list[Token], start: int) -> list[tuple[str, int]]:
    """The strings of the expression starting at ``start``, up to ``;`` or a ``,`` outside
    brackets (``(a ? "https://ssl." : "http://www.")`` gives both), bounded."""
    found: list[tuple[str, int]] = []
    depth = 0
    for i in range(start, min(len(toks), start + MAX_EXPRESSION)):
        tok = toks[i]
        if tok.kind == STR:
            found.append((tok.text, i))
        elif tok.kind != OP:
            continue
        elif tok.text in _OPENERS:
            depth += 1
        elif tok.text in _CLOSERS:
            depth -= 1
            if depth < 0:
                break
        elif tok.text == ";" or (tok.text == "," and depth == 0):
            break
    return found
