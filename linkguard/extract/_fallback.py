"""The fallback reader, for pages libxml2 will not build a tree of: nesting deeper than
about 2,048 levels, or more than 65,535 lines (where libxml2's line numbers stop), or would
build in quadratic time (an element with hundreds of thousands of attributes).

turbohtml builds the tree as the HTML standard says a browser does: its tokenizer ends
``<!-->`` as an empty comment, ``<!-- --!>`` as a comment and ``<![CDATA[ x>`` as a bogus
comment at its first ``>``, so none of them hides the markup after it (the standard
library's tokenizer hid everything up to the next ``-->``). It is C, linear in the page's
size, and it records each start tag's source span, so every reference keeps the exact line
the tree walk gives it: the line where its start tag begins.

With a tree, a reference learns its ancestors' context as in the tree walk: configured
exit-notice selectors that match it or an ancestor (cssselect's own XPath, evaluated by
turbohtml, so a selector means the same in both readers), ``data-linkguard-ignore`` on it
or an ancestor, being inside ``<noscript>`` (parsed with scripting off, as libxml2 does).
One difference is the browser's: like Chromium, turbohtml attaches elements nested deeper
than 512 levels to the 512th, so context is the DOM a visitor gets, not the source nesting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import turbohtml
from turbohtml import Document, DocumentFragment, Element, Node, Text

from linkguard.extract._drupal import (
    DrupalExtlink,
    ScriptSign,
    drupal_settings,
    script_sign,
    with_scripts,
)
from linkguard.extract._elements import (
    JS_TYPES,
    MAX_PAGE_TEXT,
    MAX_TEXT,
    NO_CONTEXT,
    REFERENCE_SET,
    Context,
    ExtractedPage,
    compiled_selector,
    document_base,
    fold_context,
    in_frame,
    inline_script_references,
    script_source,
    style_references,
)
from linkguard.extract._noscript import NOSCRIPT
from linkguard.extract._shapes import element_references
from linkguard.extract._visible import accessible_text, description_text, perceived
from linkguard.model import Kind, Reference

__all__ = ["extract_flat"]


def extract_flat(
    text: str,
    page_url: str,
    selectors: tuple[str, ...] = (),
    text_for: Callable[[str | None], bool] | None = None,
    fallback_base: str | None = None,
    srcdoc: Callable[[str, str], ExtractedPage] | None = None,
) -> ExtractedPage:
    """Every reference in ``text``, as ``extract_references`` gives it, for a page that
    libxml2 cannot build.

    The page is built as a browser with scripting on builds it (a ``<noscript>``'s content
    is raw text, ended by the first ``</noscript``); where it has a noscript, it is built
    again with scripting off, and what that tree holds inside a noscript, and the first did
    not hold at all, is read too (``in_noscript``): what a visitor without scripts loads.
    ``fallback_base`` is what URLs resolve against without a ``<base>`` (the page's URL, or
    the base of the frame of an ``iframe srcdoc``); ``srcdoc`` reads such a document."""
    document = turbohtml.parse(text, source_locations=True, scripting=True)
    base = _base_url(document, fallback_base or page_url)
    reader = _Reader(document, page_url, selectors, text_for, base=base, srcdoc=srcdoc)
    found = reader.read()
    if NOSCRIPT.search(text) is not None:
        scripted = {_offset(element) for element in document.iter_elements()}
        unscripted = turbohtml.parse(text, source_locations=True)
        quiet = _Reader(unscripted, page_url, selectors, text_for, base=base, srcdoc=srcdoc)
        extra = quiet.read(noscript_only=True, skip=scripted)
        if extra:  # in document order: a stable sort by where each start tag begins
            found = sorted(found + extra, key=lambda item: item[0])
    return reader.page(tuple(ref for _, ref in found))


class _Reader:
    """One document-order pass over a page turbohtml built."""

    def __init__(
        self,
        document: Document,
        page_url: str,
        selectors: tuple[str, ...],
        text_for: Callable[[str | None], bool] | None,
        base: str | None = None,
        srcdoc: Callable[[str, str], ExtractedPage] | None = None,
    ) -> None:
        self.document = document
        self.page_url = page_url
        self.text_for = text_for
        self.base = base if base is not None else _base_url(document, page_url)
        self.srcdoc = srcdoc  # reads an iframe's srcdoc document
        self.unread = ""  # why part of the page could not be read, if it could not
        self.refs: list[tuple[int, Reference]] = []  # (where its start tag begins, reference)
        self.drupal: DrupalExtlink | None = None
        self.extlink_sign = ScriptSign.NONE  # whether Drupal's extlink script is loaded
        self.matches: dict[Element, tuple[str, ...]] = {}
        for selector in selectors:
            for element in _selected(document, selector):
                self.matches[element] = (*self.matches.get(element, ()), selector)
        self._ids: dict[str, Element] | None = None
        self._descriptions: dict[str, str] = {}  # aria-describedby id -> its text, once a page
        self._attrs: dict[Element, dict[str, str]] = {}  # each element's, read once
        self._memo: dict[Node, Context] = {}

    def read(
        self, *, noscript_only: bool = False, skip: frozenset[int] | set[int] = frozenset()
    ) -> list[tuple[int, Reference]]:
        """The page's references in document order, each with its start tag's offset; with
        ``noscript_only``, only those inside a noscript whose element is not in ``skip``."""
        for element in self.document.iter_elements():
            # Elements that carry a URL, and any with a style attribute (its url()s).
            if element.tag not in REFERENCE_SET and element.attr("style") is None:
                continue
            context = self._context(element)
            if noscript_only and (not context[2] or _offset(element) in skip):
                continue
            self._element(element, *context)
        return self.refs

    def page(self, references: tuple[Reference, ...]) -> ExtractedPage:
        """The page: its references, its title and, for a page that refreshes, its visible
        text."""
        return ExtractedPage(
            url=self.page_url,
            title=_title(self.document),
            references=references,
            drupal_extlink=with_scripts(self.drupal, self.extlink_sign),
            interstitial_text=(
                _visible_text(self.document, self._describe)
                if any(ref.kind is Kind.REFRESH for ref in references)
                else ""
            ),
            flat=True,
            unread=self.unread,
        )

    def _context(self, element: Element) -> Context:
        """What an element's ancestors and itself contribute, memoised per node so that a
        page costs O(nodes) however deep it is. Iterative: no recursion at any depth."""
        chain: list[Node] = []
        node: Node | None = element
        while node is not None and node not in self._memo:
            chain.append(node)
            node = node.parent
        context = self._memo[node] if node is not None else NO_CONTEXT
        for node in reversed(chain):
            if isinstance(node, Element):
                context = fold_context(
                    context,
                    self.matches.get(node, ()),
                    node.attr("data-linkguard-ignore"),
                    node.tag,
                )
            self._memo[node] = context
        return context

    def _element(
        self, element: Element, selectors: tuple[str, ...], ignores: frozenset[str], noscript: bool
    ) -> None:
        tag = element.tag
        attrs = self._attributes(element)
        if tag == "script" and script_source(attrs) is None:
            self._inline_script(element, attrs, ignores, noscript)
            return
        if tag == "script" and not noscript and attrs.get("type", "").strip().lower() in JS_TYPES:
            self.extlink_sign = max(
                self.extlink_sign, script_sign((script_source(attrs) or ("", ""))[1])
            )
        at = _offset(element)
        if tag == "style":
            found_css = style_references(element.text, _line(element), self.base, ignores, noscript)
            self.refs.extend((at, ref) for ref in found_css)
            return
        parent = element.parent
        parent_tag = parent.tag.lower() if isinstance(parent, Element) else ""
        line = _start_line(element)
        if tag == "iframe" and "srcdoc" in attrs and self.srcdoc is not None:
            document = self.srcdoc(attrs["srcdoc"], self.base)
            self.unread = self.unread or document.unread
            self.refs.extend(
                (at, ref) for ref in in_frame(document.references, line, ignores, noscript)
            )
        found = element_references(
            tag,
            attrs.items(),
            parent_tag,
            (selectors, ignores, noscript),
            (self.page_url, self.base, line),
            self.text_for,
            lambda: self._accessible_text(element),
        )
        self.refs.extend((at, ref) for ref in found)  # at: read once, it spans every attribute

    def _accessible_text(self, link: Element) -> str:
        """Text a visitor perceives for a link, plus its title and descriptions."""
        return accessible_text(link, self._describe, _parts, self._description)

    def _attributes(self, element: Element) -> dict[str, str]:
        """The element's attributes, read once per page however often they are asked for."""
        found = self._attrs.get(element)
        if found is None:
            found = self._attrs[element] = _attributes(element)
        return found

    def _describe(self, element: Element) -> tuple[str, Callable[[str], str | None]]:
        """An element's tag and attribute getter, for ``_visible``."""
        return element.tag, self._attributes(element).get

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
                "" if target is None else description_text(target, self._describe, _parts)
            )
        return self._descriptions[ref_id]

    def _inline_script(
        self, element: Element, attrs: dict[str, str], ignores: frozenset[str], noscript: bool
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
        at = _offset(element)
        self.refs.extend(
            (at, ref)
            for ref in inline_script_references(body, _line(element), self.base, ignores, noscript)
        )


def _selected(document: Document, selector: str) -> Iterator[Element]:
    """Elements a configured selector matches: cssselect's XPath for it, as lxml runs it in
    the tree walk (None of it if turbohtml's XPath cannot run that expression)."""
    compiled = compiled_selector(selector)
    if compiled is None:
        return
    try:
        found = document.xpath(compiled.path)
    except ValueError:
        return
    if isinstance(found, list):
        yield from (node for node in found if isinstance(node, Element))


def _attributes(element: Element) -> dict[str, str]:
    """The element's attributes as written (``class`` and ``rel`` not split into lists), in
    one pass: ``Element.attr`` looks a name up by scanning, so reading every attribute by
    name was quadratic (100,000 attributes: 2.7 s)."""
    return {
        name: " ".join(value) if isinstance(value, list) else value or ""
        for name, value in element.attrs.items()
    }


def _offset(element: Element) -> int:
    """Where the element's start tag begins in the page's text (-1 if it has none)."""
    location = element.source_location
    return location.start_tag.start_offset if location is not None else -1


def _start_line(element: Element) -> int:
    """The line the element's start tag begins on, its ``<``: where a reference points.
    ``source_line`` is that line, read in O(1); ``source_location`` builds the span of every
    attribute first (a million attributes: 6 s), so it is only the fallback."""
    if element.source_line:
        return element.source_line
    location = element.source_location
    return location.start_tag.start_line if location is not None else 0


def _line(element: Element) -> int:
    """The line the element's start tag ends on, libxml2's ``sourceline``: an inline
    script's body starts there, so its literals' lines count from it."""
    location = element.source_location
    if location is not None:
        return location.start_tag.end_line
    return element.source_line or 0


def _base_url(document: Document, fallback: str) -> str:
    """The document base URL: the first ``<base>`` with an ``href``, if a browser takes it,
    else ``fallback``."""
    for base in document.iter_elements(("base",)):
        href = base.attr("href")
        if href is not None:
            return document_base(href, fallback)
    return fallback


def _title(document: Document) -> str:
    for title in document.iter_elements(("title",)):
        return " ".join(title.text.split())[:MAX_TEXT]
    return ""


def _visible_text(
    document: Document, describe: Callable[[Element], tuple[str, Callable[[str], str | None]]]
) -> str:
    """The body's perceived text, lower case, bounded (``_visible``)."""
    for body in document.iter_elements(("body",)):
        seen = perceived(body, describe, _parts, max_chars=MAX_PAGE_TEXT, max_nodes=None)
        return seen.joined(" ").lower()[:MAX_PAGE_TEXT]
    return ""


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
