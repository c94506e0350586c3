"""What a ``<noscript>`` holds for a visitor without scripts, grafted in from its raw text.

Every visitor's browser runs scripts, and with scripting on a ``<noscript>``'s content is
raw text up to the first ``</noscript``, wherever that is, even inside what would be an
attribute value; what follows it is markup (``_tree.py`` parses the page that way). A
visitor without scripts loads what that text holds (a tag manager's tracking-pixel
``<iframe>``, say), so ``graft`` parses each such text on its own, as markup, and puts what
it holds into its noscript: read in its place, marked ``in_noscript``, with its ancestors'
context, as the selectors of the site's policy see it.

A node moved into another document loses its source position, so each grafted element's
is taken before the move and made the page's, kept by element: the text's first line is
the line (and starts at the column) where the noscript's start tag ends. (Parsing the text
after as many newlines as precede it would give the lines for free, at a cost in the number
of noscripts times their lines: quadratic on a page of many.)
"""

from __future__ import annotations

from dataclasses import dataclass

import turbohtml
from turbohtml import Document, Element, Namespace, Text

# An element's position: the line and column where its start tag begins, and the line
# where it ends (where a script's or style's text begins).
Position = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Grafts:
    """What ``graft`` put into a page's noscripts."""

    # Each element put into a noscript, and its position on the page.
    positions: dict[Element, Position]
    # The documents the elements were parsed into. They must outlive the page's reading:
    # a moved node's hash is its first document's, and once that document is freed its
    # memory is reused, so moved nodes' hashes repeated and every dict of them (ancestors'
    # context, selector matches) turned quadratic.
    documents: list[Document]


def graft(document: Document) -> Grafts:
    """Put what each HTML ``<noscript>``'s raw text holds into it, as elements (an SVG
    ``noscript`` is an ordinary element, and a noscript whose text holds no markup is left
    as it is)."""
    moved: dict[Element, Position] = {}
    documents: list[Document] = []
    for noscript in list(document.iter_elements(("noscript",))):
        if noscript.namespace is not Namespace.HTML:
            continue
        if not all(isinstance(child, Text) for child in noscript.children):
            continue
        text = noscript.text
        if "<" not in text:
            continue
        location = noscript.source_location
        start = (location.start_tag.end_line, location.start_tag.end_col) if location else (1, 0)
        content = turbohtml.parse(text, source_locations=True, allow_declarative_shadow_roots=False)
        documents.append(content)
        parts = _parts(content)
        for part in parts:
            for element in (part, *part.iter_elements()):
                moved[element] = _position(element, *start)
        noscript.clear()
        for part in parts:
            noscript.append(part)
    return Grafts(moved, documents)


def _parts(content: Document) -> list[Element]:
    """What a noscript's text holds, in order: the children of its head and body (those
    two, and the html around them, are the parse's own)."""
    parts: list[Element] = []
    for html in content.children:
        if isinstance(html, Element):
            for section in html.children:
                if isinstance(section, Element):
                    parts += (child for child in section.children if isinstance(child, Element))
    return parts


def _position(element: Element, line: int, column: int) -> Position:
    """An element's position in its noscript's text, made the page's: the text begins on
    ``line``, at ``column``."""
    location = element.source_location
    if location is None:
        return (0, 0, 0)
    tag = location.start_tag
    col = tag.start_col + column if tag.start_line == 1 else tag.start_col
    return (tag.start_line + line - 1, col, tag.end_line + line - 1)
