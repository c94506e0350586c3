"""HTML -> References: every URL-bearing attribute of a page, from one parse.

turbohtml builds the page as the HTML standard says a browser with scripting on does (C,
linear in the page's size however deep, long or crowded it is), and records where each
start tag begins: the line a reference reports, its ``<``. One walk over the elements in
document order reads those that carry a URL (C finds them; Python reads only them and
their ancestors). A link learns its ancestors' context (configured exit-notice selectors
that match them, ``data-linkguard-ignore``, being inside ``<noscript>``) from a memo of
each ancestor's, so a page costs O(elements), 100,000 links or not.

With scripting on, a ``<noscript>``'s content is raw text up to the first ``</noscript``,
wherever that is (even inside what would be an attribute value: ``<noscript><p
title="</noscript><script src=...>">`` runs that script). What a visitor without scripts
would load from it is read too, marked ``in_noscript``, in its place and with its
ancestors' context: its text is parsed on its own (``_noscript.py``).

The tokenizer ends ``<!-->`` as an empty comment, ``<!-- --!>`` as a comment and
``<![CDATA[ x>`` as a bogus comment at its first ``>``, so none of them hides the markup
after it; like Chromium, turbohtml attaches elements nested deeper than 512 levels to the
512th, so context is the DOM a visitor gets, not the source nesting. A declarative shadow
root's ``<template shadowrootmode>`` is kept a template (its links are read, as a
template's are).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import turbohtml
from turbohtml import Document, Element, Node

from linkguard.extract._charset import decode_html
from linkguard.extract._drupal import (
    DrupalExtlink,
    ScriptSign,
    drupal_settings,
    script_sign,
    with_scripts,
)
from linkguard.extract._elements import (
    JS_TYPES,
    MAX_SRCDOC_DEPTH,
    MAX_TEXT,
    NO_CONTEXT,
    REFERENCE_SET,
    REFERENCE_TAGS,
    SRCDOC_TOO_DEEP,
    Context,
    ExtractedPage,
    document_base,
    fold_context,
    in_frame,
    inline_script_references,
    script_source,
    style_references,
)
from linkguard.extract._linktext import LinkTexts, page_text
from linkguard.extract._noscript import Grafts, Position, graft
from linkguard.extract._selectors import compiled_selector
from linkguard.extract._shapes import element_references
from linkguard.model import Kind, Reference

__all__ = ["extract_references"]

# The elements the HTML standard clones when markup misnests them (``<a>`` in an ``<a>``,
# ``<b>`` across a ``</p>``): a clone keeps its start tag's position, and is read once.
_CLONED = frozenset({
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong",
    "tt", "u",
})  # fmt: skip


def extract_references(
    html: str | bytes,
    page_url: str,
    *,
    charset: str | None = None,
    notice_selectors: tuple[str, ...] = (),
    text_for: Callable[[str | None], bool] | None = None,
) -> ExtractedPage:
    """Every reference in ``html``, resolved against the page (and its ``<base href>``).

    ``text_for(url)`` says which links need their accessible text (``Reference.text``); by
    default every link gets it. A scan reads it only for links that leave the site, the
    only ones the exit-notice rule judges by their words (a quarter of a page's links on
    the benchmark site)."""
    text = decode_html(html, charset) if isinstance(html, bytes) else html.replace("\x00", "\ufffd")
    return _read(text, page_url, page_url, notice_selectors, text_for, 0)


def parse(text: str) -> Document:
    """``text`` as a browser with scripting on builds it, with each start tag's span."""
    return turbohtml.parse(
        text, scripting=True, source_locations=True, allow_declarative_shadow_roots=False
    )


def _read(
    text: str,
    page_url: str,
    fallback_base: str,
    selectors: tuple[str, ...],
    text_for: Callable[[str | None], bool] | None,
    depth: int,
) -> ExtractedPage:
    """The references of one document: the page, or an ``iframe srcdoc`` ``depth`` frames
    into it, whose URLs resolve against its frame's base URL (``fallback_base``) as
    browsers resolve those of ``about:srcdoc``."""
    if not text.strip():
        return ExtractedPage(page_url, "", ())

    def srcdoc(html: str, base: str) -> ExtractedPage:
        if depth >= MAX_SRCDOC_DEPTH:
            return ExtractedPage(page_url, "", (), unread=SRCDOC_TOO_DEEP)
        return _read(html.replace("\x00", "\ufffd"), page_url, base, selectors, text_for, depth + 1)

    document = parse(text)
    base = _base_url(document, fallback_base)  # a <base> in a noscript's text is no base
    grafted = graft(document)
    return _Reader(document, page_url, selectors, text_for, base, srcdoc, grafted).run()


class _Reader:
    """One document-order walk over a page turbohtml built."""

    def __init__(
        self,
        document: Document,
        page_url: str,
        selectors: tuple[str, ...],
        text_for: Callable[[str | None], bool] | None,
        base: str,
        srcdoc: Callable[[str, str], ExtractedPage],
        grafts: Grafts,
    ) -> None:
        self.document = document
        self.page_url = page_url
        self.text_for = text_for
        self.base = base
        self.srcdoc = srcdoc  # reads an iframe's srcdoc document
        self.grafts = grafts  # what noscripts hold, and its positions (``_noscript.graft``)
        self.unread = ""  # why part of the page could not be read, if it could not
        self.refs: list[Reference] = []
        self.drupal: DrupalExtlink | None = None
        self.extlink_sign = ScriptSign.NONE  # whether Drupal's extlink script is loaded
        self.matches = _matches(document, selectors)
        self._memo: dict[Node, Context] = {}
        self._contextual = _may_have_context(document, self.matches)
        self._clones: set[tuple[int, int]] = set()  # start tags of _CLONED elements read
        self.texts = LinkTexts(document)  # its links' text, read for those that need it

    def run(self) -> ExtractedPage:
        self._walk()
        return ExtractedPage(
            url=self.page_url,
            title=_title(self.document),
            references=tuple(self.refs),
            drupal_extlink=with_scripts(self.drupal, self.extlink_sign),
            # Only a meta refresh is judged on the page's own text (a "you are leaving"
            # page that forwards the visitor): reading it for every page was 6% of a scan.
            interstitial_text=(
                page_text(self.document)
                if any(ref.kind is Kind.REFRESH for ref in self.refs)
                else ""
            ),
            unread=self.unread,
        )

    def _walk(self) -> None:
        """Read, in document order, the elements that carry a URL and any with a style
        attribute (its url()s). turbohtml's C walk skips every element whose tag can be
        neither (``_walked_tags``): on the benchmark site a page's 175 elements are 74 to
        read, and a Python visit of all of them was a fortieth of a page's analysis."""
        grafted = self.grafts.positions  # a grafted element no longer knows its position
        document = self.document
        tags = _walked_tags(document)
        places = _link_places(document, grafted)
        cloned_links = len(set(places)) < len(places)
        if not cloned_links:  # nearly every page: no link is a clone, none is split
            self.texts.split = {}
        for element in document.iter_elements(tags) if tags else document.iter_elements():
            tag = element.tag
            if tag in REFERENCE_SET or element.attr("style") is not None:
                where = grafted.get(element) if grafted else None
                if tag in _CLONED and (cloned_links or tag != "a") and self._cloned(element, where):
                    continue
                context = self._context(element) if element in self._contextual else NO_CONTEXT
                self._element(element, tag, context, where)

    def _cloned(self, element: Element, grafted: Position | None) -> bool:
        """Whether an element whose start tag was read already is a clone of it."""
        line = element.source_line
        where = (line, element.source_col or 0) if line else (grafted or (0, 0))[:2]
        if where in self._clones:
            return True
        if where[0]:
            self._clones.add(where)
        return False

    def _context(self, element: Element) -> Context:
        """What an element's ancestors and itself contribute, memoised per node so that a
        page costs O(nodes) however deep it is. Iterative: no recursion at any depth."""
        memo = self._memo
        chain: list[Node] = []
        node: Node | None = element
        while node is not None and node not in memo:
            chain.append(node)
            node = node.parent
        context = memo[node] if node is not None else NO_CONTEXT
        matches = self.matches
        for node in reversed(chain):
            if isinstance(node, Element):
                matched = matches.get(node, ()) if matches else ()
                ignore = node.attr("data-linkguard-ignore")
                tag = node.tag
                if matched or ignore is not None or tag == "noscript":  # else: as its parent's
                    context = fold_context(context, matched, ignore, tag)
            memo[node] = context
        return context

    def _element(
        self, element: Element, tag: str, context: Context, grafted: Position | None
    ) -> None:
        _, ignores, noscript = context
        attrs = _attributes(element)
        if tag == "script" and script_source(attrs) is None:
            self._inline_script(element, attrs, ignores, noscript, grafted)
            return
        if tag == "script" and not noscript and attrs.get("type", "").strip().lower() in JS_TYPES:
            self.extlink_sign = max(
                self.extlink_sign, script_sign((script_source(attrs) or ("", ""))[1])
            )
        if tag == "style":
            body_line = self._body_line(element, grafted)
            css = style_references(element.text, body_line, self.base, *context[1:])
            self.refs.extend(css)
            return
        parent_tag = ""
        if tag in ("img", "source"):  # the only tags whose parent decides their references
            parent = element.parent
            parent_tag = parent.tag if isinstance(parent, Element) else ""
        line = element.source_line or (grafted or (0, 0, 0))[0]
        if tag == "iframe" and "srcdoc" in attrs:
            document = self.srcdoc(attrs["srcdoc"], self.base)
            self.unread = self.unread or document.unread
            self.refs.extend(in_frame(document.references, line, ignores, noscript))
        self.refs += element_references(
            tag,
            attrs.items(),
            parent_tag,
            context,
            (self.page_url, self.base, line),
            self.text_for,
            lambda: self.texts.text(element),
        )

    def _body_line(self, element: Element, grafted: Position | None) -> int:
        """The line an element's start tag ends on: where a script's or a style's text
        begins, so that what is found in it reports its own line."""
        if grafted is not None:
            return grafted[2]
        location = element.source_location
        return location.start_tag.end_line if location is not None else element.source_line or 0

    def _inline_script(
        self,
        element: Element,
        attrs: dict[str, str],
        ignores: frozenset[str],
        noscript: bool,
        grafted: Position | None,
    ) -> None:
        kind = attrs.get("type", "").strip().lower()
        body = element.text
        if kind == "application/json" and attrs.get("data-drupal-selector") == (
            "drupal-settings-json"
        ):
            self.drupal = drupal_settings(body) or self.drupal
            return
        if kind not in JS_TYPES or not body:
            return
        line = self._body_line(element, grafted)
        self.refs.extend(inline_script_references(body, line, self.base, ignores, noscript))


def _walked_tags(document: Document) -> tuple[str, ...] | None:
    """The tags the walk asks turbohtml for: those that can carry a URL and those of the
    page's styled elements (its CSS engine finds them), each also in lower case (its
    iterator names SVG's ``foreignObject`` so, and ``clipPath`` as written). None (every
    element) past ``MAX_WALKED_TAGS`` styled tags: the iterator compares each element with
    every tag it is given, and a page of thousands of distinct styled tags made it
    quadratic."""
    styled = {element.tag for element in document.select("[style]")} - REFERENCE_SET
    if not styled:  # nearly every page: its styled elements carry URLs anyway
        return REFERENCE_TAGS
    if len(styled) > MAX_WALKED_TAGS:
        return None
    return (*REFERENCE_TAGS, *styled, *{tag.lower() for tag in styled} - styled)


MAX_WALKED_TAGS = 32


def _link_places(document: Document, grafted: dict[Element, Position]) -> list[tuple[int, int]]:
    """Where each link's start tag begins (``_Reader._cloned``'s key): when no two are the
    same, no link is a clone of another, and the walk need not ask of each (a twentieth of
    a page's reading, with ``_split_links``, on the benchmark site)."""
    return [
        (line, link.source_col or 0) if (line := link.source_line) else
        (grafted.get(link) or (0, 0))[:2]
        for link in document.iter_elements(("a",))
    ]  # fmt: skip


def _matches(document: Document, selectors: tuple[str, ...]) -> dict[Element, tuple[str, ...]]:
    """The elements each configured selector matches, and which selectors match each."""
    matches: dict[Element, tuple[str, ...]] = {}
    for selector in selectors:
        for element in _selected(document, selector):
            matches[element] = (*matches.get(element, ()), selector)
    return matches


def _may_have_context(document: Document, matches: dict[Element, tuple[str, ...]]) -> set[Element]:
    """The elements that may have a context other than ``NO_CONTEXT``: those a selector
    matches, those with ``data-linkguard-ignore``, the noscripts, and their descendants.
    Every other element's ancestors contribute nothing, so only these walk up their
    ancestors (``_Reader._context``); on most pages they are a few links and a noscript's
    pixel, and walking up from every element was a twentieth of a page's analysis."""
    contextual: set[Element] = set()
    for top in (*matches, *document.select("[data-linkguard-ignore]"),
                *document.iter_elements(("noscript",))):  # fmt: skip
        if top not in contextual:
            contextual.add(top)
            contextual.update(top.iter_elements())
    return contextual


def _selected(document: Document, selector: str) -> Iterator[Element]:
    """Elements a configured selector matches (``_selectors.py``; the policy check rejects
    a selector that has no XPath, so None is only a caller's own)."""
    path = compiled_selector(selector)
    found = document.xpath(path) if path is not None else []
    if isinstance(found, list):
        yield from (node for node in found if isinstance(node, Element))


def _attributes(element: Element) -> dict[str, str]:
    """The element's attributes as written, in one pass (``Element.attr`` looks a name up
    by scanning: reading every attribute by name was quadratic, 100,000 attributes 2.7 s).
    ``attrs`` splits some (``class``, ``rel``, ``sizes``...) into lists; those are read
    again as written (``attrs`` is the element's own, live: never written to). One dict,
    filled in one pass: copying the pairs and then mending the lists cost a fifth more."""
    attrs: dict[str, str] = {}
    for name, value in element.attrs.items():  # dict(attrs) looks each name up: quadratic
        attrs[name] = value if value.__class__ is str else (element.attr(name) or "")
    return attrs


def _base_url(document: Document, fallback: str) -> str:
    """The document base URL: the first ``<base>`` with an ``href``, if a browser takes it,
    else ``fallback`` (the page's URL, or for a srcdoc document its frame's base URL)."""
    for base in document.iter_elements(("base",)):
        href = base.attr("href")
        if href is not None:
            return document_base(href, fallback)
    return fallback


def _title(document: Document) -> str:
    for title in document.iter_elements(("title",)):
        return " ".join(title.text.split())[:MAX_TEXT]
    return ""
