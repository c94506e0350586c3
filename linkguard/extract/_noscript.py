"""``<noscript>`` read as every visitor's browser reads it: with scripting on.

With scripting on, a browser's tokenizer reads a ``<noscript>``'s content as raw text up to
the first ``</noscript``, wherever that is, even inside what would be an attribute value;
what follows is markup. libxml2 (like a browser with scripting off) parses the content as
markup instead, so ``<noscript><p title="</noscript><script src=...>">`` hid a script that
Chromium runs inside an attribute value.

The tree walk therefore reads a page in two parts. turbohtml, parsing as the HTML standard
says with scripting on, finds each noscript's raw text (a C parse, about a twentieth of a
page's reading: measured in the commit that added this); those spans are blanked before
libxml2 parses the page (newlines kept, so every line stays where it was), and each span is
parsed on its own and grafted into its noscript, so what a visitor without scripts would
load is still read, marked ``in_noscript``, in its place and with its ancestors' context.
A page with no ``<noscript`` costs one search of its text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import turbohtml
from lxml import etree
from turbohtml import Namespace

NOSCRIPT = re.compile(r"<noscript", re.IGNORECASE)
_NOT_NEWLINE = re.compile(r"[^\n]")


@dataclass(frozen=True, slots=True)
class NoscriptText:
    """The raw text of one ``<noscript>``, as offsets into the page's text."""

    start: int  # just after its start tag
    end: int  # where its end tag begins, or the end of the page
    line: int  # the line its start tag ends on (libxml2's line for the element)


def noscript_texts(text: str) -> list[NoscriptText]:
    """The raw text of every HTML ``<noscript>`` a scripting browser builds, in order."""
    if NOSCRIPT.search(text) is None:
        return []
    return noscript_spans(*located(text))


def located(text: str) -> tuple[turbohtml.Document, list[int], int]:
    """``text`` parsed as a scripting browser parses it, with source locations; where its
    CR LF pairs were, and its length as parsed (the HTML standard reads CR LF as LF, so
    turbohtml's offsets count a pair as one)."""
    crlf = [found.start() - i for i, found in enumerate(re.finditer("\r\n", text))]
    normalized = text.replace("\r\n", "\n") if crlf else text
    return turbohtml.parse(normalized, scripting=True, source_locations=True), crlf, len(normalized)


def noscript_spans(document: turbohtml.Document, crlf: list[int], size: int) -> list[NoscriptText]:
    """The raw text of each HTML ``<noscript>`` of a ``located`` document, as offsets into
    the page's own text."""
    found: list[NoscriptText] = []
    for element in document.iter_elements(("noscript",)):
        location = element.source_location
        if element.namespace is not Namespace.HTML or location is None:
            continue
        start = location.start_tag.end_offset
        end = location.end_tag.start_offset if location.end_tag is not None else size
        if end > start:
            start += bisect_right(crlf, start)
            end += bisect_right(crlf, end)
            found.append(NoscriptText(start, end, location.start_tag.end_line))
    return sorted(found, key=lambda span: span.start)


def blanked(text: str, spans: list[NoscriptText]) -> str:
    """``text`` with each span's characters but newlines turned to spaces."""
    pieces: list[str] = []
    position = 0
    for span in spans:
        pieces += (text[position : span.start], _NOT_NEWLINE.sub(" ", text[span.start : span.end]))
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def graft(
    root: etree._Element, text: str, spans: list[NoscriptText], parser: etree.HTMLParser
) -> bool:
    """Parse each span of ``text`` on its own and put what it holds into its ``<noscript>``
    in ``root`` (libxml2's tree of the blanked page), its lines those of the page. False
    when a span cannot be read that way (too deep for libxml2): the fallback reads the page.

    A noscript is found by the line its start tag ends on (libxml2's ``sourceline``), in
    order; one libxml2 placed nowhere is still read, at the end of the body."""
    waiting: dict[int, list[NoscriptText]] = {}
    for span in spans:
        waiting.setdefault(span.line, []).append(span)
    for element in list(root.iter("noscript")):
        here = waiting.get(element.sourceline or 0)
        if here and not _fill(element, text, here.pop(0), parser):
            return False
    body = root.find("body")
    holder = body if body is not None else root
    for span in sorted((s for left in waiting.values() for s in left), key=lambda s: s.start):
        element = etree.SubElement(holder, "noscript")
        element.sourceline = span.line
        if not _fill(element, text, span, parser):
            return False
    return True


def _fill(element: etree._Element, text: str, span: NoscriptText, parser: etree.HTMLParser) -> bool:
    content = text[span.start : span.end]
    if not content.strip():
        return True
    try:
        fragment = etree.fromstring(content, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return False
    if fragment is None:  # only comments or processing instructions: nothing to read
        return True
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        return False
    shift = span.line - 1  # the fragment's line 1 is the line its text starts on
    for node in fragment.iter():
        if node.sourceline:
            node.sourceline += shift
    element.text = ""
    for part in list(fragment):
        if part.tag not in ("head", "body"):
            element.append(part)
            continue
        element.text += part.text or ""
        for child in list(part):
            element.append(child)
    return True
