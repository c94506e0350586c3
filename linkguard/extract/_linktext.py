"""The text a visitor perceives of a page's links and of the page itself, from the tree
turbohtml built (``_tree.py`` reads the references; ``_visible.py`` says what is perceived).

A link's text is read only when a scan asks for it (links that leave the site), so what
it needs of the page (the links the parser split, the elements by id) is found once, when
the first link's text is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from turbohtml import Document, DocumentFragment, Element, Node, Text

from linkguard.extract._elements import MAX_PAGE_TEXT, MAX_TEXT
from linkguard.extract._visible import (
    MAX_NODES,
    NEVER_RENDERED,
    accessible_text,
    description_text,
    perceived,
)

Place = tuple[int | None, int | None]  # where a start tag begins: line, column

# Elements whose text a visitor may not perceive as written (never rendered, or hidden by
# an attribute) or that add a label (an image's alt, an SVG's aria-label): a link holding
# one is read by the full walk.
_NOT_PLAIN = NEVER_RENDERED | {"img", "svg"}


class LinkTexts:
    """The accessible text of one page's links, each read when asked for."""

    def __init__(self, document: Document) -> None:
        self.document = document
        # A link the parser cloned: it and its clones (``_split_links``); {} once the
        # reader knows that no link was cloned.
        self.split: dict[Place, list[Element]] | None = None
        self._ids: dict[str, Element] | None = None
        self._descriptions: dict[str, str] = {}  # aria-describedby id -> its text

    def text(self, link: Element) -> str:
        """Text a visitor perceives for a link, plus its title and descriptions. A link the
        parser split into clones shows the text of them all, read as one."""
        if self.split is None:
            self.split = _split_links(self.document)
        pieces = self.split.get((link.source_line, link.source_col))
        if pieces:

            def joined(element: Element) -> Iterator[Element | str]:
                for piece in pieces if element is link else (element,):
                    yield from _parts(piece)

            return accessible_text(link, _describe, joined, self._description)
        leaf = plain_text(link.children)
        return accessible_text(link, _describe, _parts, self._description, leaf_text=leaf)

    def _description(self, ref_id: str) -> str:
        """The text of the element with id ``ref_id``, computed once per page."""
        if self._ids is None:
            self._ids = {}
            for element in self.document.iter_elements():
                element_id = element.attr("id")
                if element_id and element_id not in self._ids:
                    self._ids[element_id] = element
        if ref_id not in self._descriptions:
            target = self._ids.get(ref_id)
            self._descriptions[ref_id] = (
                "" if target is None else description_text(target, _describe, _parts)
            )
        return self._descriptions[ref_id]


def plain_text(children: Sequence[Node]) -> str | None:
    """All a link shows, as ``perceived`` would read it, when its content is plain: text,
    and elements that hold only text and are none of ``_NOT_PLAIN``, ``hidden`` or styled
    ("Partner<span class="visually-hidden"> (external)</span>", as most links that leave
    a site are written). None for any other content, which the full walk reads, and for
    text long enough that the walk's bounds could cut it: here nothing is cut, so the
    two read the same. The walk cost a link 16 us; this costs 2."""
    if len(children) > MAX_NODES:
        return None
    pieces: list[str] = []
    for child in children:
        if isinstance(child, Text):
            pieces.append(child.data)
        elif isinstance(child, Element):
            if (
                child.tag in _NOT_PLAIN
                or child.attr("hidden") is not None
                or child.attr("style") is not None
            ):
                return None
            for inner in child.children:
                if not isinstance(inner, Text):
                    return None
                pieces.append(inner.data)
        elif isinstance(child, DocumentFragment):
            return None
    # perceived stops once the characters it counts (each piece's, plus one a piece) pass
    # MAX_TEXT: text within that is read whole by both.
    if sum(map(len, pieces)) + len(pieces) > MAX_TEXT:
        return None
    return "".join(pieces)


def page_text(document: Document) -> str:
    """The body's perceived text, lower case, bounded (``_visible``)."""
    for body in document.iter_elements(("body",)):
        seen = perceived(body, _describe, _parts, max_chars=MAX_PAGE_TEXT, max_nodes=None)
        return seen.joined(" ").lower()[:MAX_PAGE_TEXT]
    return ""


def _split_links(document: Document) -> dict[Place, list[Element]]:
    """The links the parser cloned for misnested markup (``<a>x<div></a>``... its text split
    among them), by where their start tag begins: each with its clones, in order."""
    links = [link for link in document.iter_elements(("a",)) if link.source_line]
    places = [(link.source_line, link.source_col) for link in links]
    if len(set(places)) == len(places):
        return {}  # no link was cloned: nearly every page
    seen: dict[Place, list[Element]] = {}
    for place, link in zip(places, links, strict=True):
        seen.setdefault(place, []).append(link)
    return {where: links for where, links in seen.items() if len(links) > 1}


def _describe(element: Element) -> tuple[str, Callable[[str], str | None]]:
    """An element's tag and attribute getter, for ``_visible``."""
    return element.tag, element.attr


def _parts(element: Element) -> Iterator[Element | str]:
    """An element's content in document order: text and child elements (a template's
    content, which turbohtml keeps in a fragment, as its own)."""
    for child in element.children:
        if isinstance(child, Text):
            yield child.data
        elif isinstance(child, Element):
            yield child
        elif isinstance(child, DocumentFragment):
            for inner in child.children:
                if isinstance(inner, Text):
                    yield inner.data
                elif isinstance(inner, Element):
                    yield inner
