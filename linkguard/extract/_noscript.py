"""What a ``<noscript>`` holds for a visitor without scripts, grafted in from its raw text.

Every visitor's browser runs scripts, and with scripting on a ``<noscript>``'s content is
raw text up to the first ``</noscript``, wherever that is, even inside what would be an
attribute value; what follows it is markup (``_tree.py`` parses the page that way). A
visitor without scripts loads what that text holds (a tag manager's tracking-pixel
``<iframe>``, say), so ``graft`` parses each such text on its own, as markup, and puts what
it holds into its noscript: read in its place, marked ``in_noscript``, with its ancestors'
context, as the selectors of the site's policy see it.

A node moved into another document loses its source position, so each grafted element's
is taken before the move: its text is parsed after as many newlines as precede it on the
page, so its lines are the page's.
"""

from __future__ import annotations

import turbohtml
from turbohtml import Document, Element, Namespace, Text

# An element's position: the line and column where its start tag begins, and the line
# where it ends (where a script's or style's text begins).
Position = tuple[int, int, int]


def graft(document: Document) -> dict[Element, Position]:
    """Put what each HTML ``<noscript>``'s raw text holds into it, as elements; the
    positions of the elements grafted (an SVG ``noscript`` is an ordinary element, and a
    noscript whose text holds no markup is left as it is)."""
    moved: dict[Element, Position] = {}
    for noscript in list(document.iter_elements(("noscript",))):
        if noscript.namespace is not Namespace.HTML:
            continue
        if not all(isinstance(child, Text) for child in noscript.children):
            continue
        text = noscript.text
        if "<" not in text:
            continue
        location = noscript.source_location
        line = location.start_tag.end_line if location is not None else noscript.source_line
        content = turbohtml.parse(
            "\n" * ((line or 1) - 1) + text,
            source_locations=True,
            allow_declarative_shadow_roots=False,
        )
        parts = _parts(content)
        for part in parts:
            for element in (part, *part.iter_elements()):
                moved[element] = _position(element)
        noscript.clear()
        for part in parts:
            noscript.append(part)
    return moved


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


def _position(element: Element) -> Position:
    location = element.source_location
    if location is None:
        return (0, 0, 0)
    start = location.start_tag
    return (start.start_line, start.start_col, start.end_line)
