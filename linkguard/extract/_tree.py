"""HTML -> References: every URL-bearing attribute of a page, parsed once.

One lxml parse per page (libxml2: fast, and it knows each element's source line), one walk
over the tree in document order. The walk keeps a stack of what ancestors contribute
(configured exit-notice selectors that match them, ``data-linkguard-ignore``, being inside
``<noscript>``), so a link learns its ancestors' context in O(1) and the whole page is
linear in its size, 100,000 links or not. libxml2's line is where a start tag ends; a
reference reports where it begins, the line of its ``<`` (``_lines.py``, one forward pass
over the text). A ``<noscript>``'s content is raw text, as with scripting on: its spans are
blanked before libxml2 parses the page and read on their own (``_noscript.py``).

libxml2 gives up below 2,048 levels of nesting, and its line numbers stop at 65,535; such
pages are read again by the fallback reader (``_fallback.py``): the same references with
the same context and their exact lines, from a tree built as the HTML standard says. So is
a page with an element of more than ``MAX_ATTRIBUTES`` attributes, which libxml2 builds in
time quadratic in their number (``_survey.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

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
    MAX_PAGE_TEXT,
    MAX_SRCDOC_DEPTH,
    MAX_TEXT,
    NO_CONTEXT,
    REFERENCE_SET,
    SRCDOC_TOO_DEEP,
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
from linkguard.extract._fallback import extract_flat
from linkguard.extract._lines import StartLines
from linkguard.extract._noscript import blanked, graft
from linkguard.extract._shapes import element_references
from linkguard.extract._survey import survey
from linkguard.extract._visible import accessible_text, description_text, perceived
from linkguard.model import Kind, Reference

__all__ = ["extract_references"]

MAX_TREE_LINES = 65_535  # libxml2 stores a line number in 16 bits: longer pages go to the fallback

_PARSER = etree.HTMLParser(
    huge_tree=True, recover=True, remove_comments=True, remove_pis=True, no_network=True
)


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

    seen = survey(text)  # one turbohtml parse, when the page needs one (_survey.py)
    if seen.crowded:  # libxml2 builds an element's attributes in O(attributes²)
        return extract_flat(text, page_url, selectors, text_for, fallback_base, srcdoc)
    spans = seen.noscripts  # read as raw text, as with scripting on (_noscript.py)
    try:
        root = etree.fromstring(blanked(text, spans) if spans else text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None or _too_deep(_PARSER.error_log) or text.count("\n") >= MAX_TREE_LINES:
        return extract_flat(text, page_url, selectors, text_for, fallback_base, srcdoc)
    base = _base_url(root, fallback_base)  # a <base> in a noscript's text is no base
    if spans and not graft(root, text, spans, _PARSER):
        return extract_flat(text, page_url, selectors, text_for, fallback_base, srcdoc)
    return _Walk(root, page_url, selectors, text_for, StartLines(text), base, srcdoc).run()


def _too_deep(log: etree._ListErrorLog) -> bool:
    return any("Excessive depth" in entry.message for entry in log)


class _Walk:
    """One document-order walk over a parsed page."""

    def __init__(
        self,
        root: etree._Element,
        page_url: str,
        selectors: tuple[str, ...],
        text_for: Callable[[str | None], bool] | None = None,
        lines: StartLines | None = None,
        base: str | None = None,
        srcdoc: Callable[[str, str], ExtractedPage] | None = None,
    ) -> None:
        self.root = root
        self.lines = lines  # where start tags begin; without it, libxml2's line (their end)
        self.text_for = text_for
        self.page_url = page_url
        self.base = base if base is not None else _base_url(root, page_url)
        self.srcdoc = srcdoc  # reads an iframe's srcdoc document
        self.unread = ""  # why part of the page could not be read, if it could not
        self.refs: list[Reference] = []
        self.drupal: DrupalExtlink | None = None
        self.extlink_sign = ScriptSign.NONE  # whether Drupal's extlink script is loaded
        self.matches: dict[etree._Element, tuple[str, ...]] = {}
        for selector in selectors:
            compiled = compiled_selector(selector)
            if compiled is None:
                continue
            for element in compiled(root):
                self.matches[element] = (*self.matches.get(element, ()), selector)
        self._ids: dict[str, etree._Element] | None = None
        self._descriptions: dict[str, str] = {}  # aria-describedby id -> its text, once a page
        self._memo: dict[etree._Element, Context] = {}

    def run(self) -> ExtractedPage:
        for element in self.root.iter():
            # Elements that carry a URL, and any with a style attribute (its url()s).
            if element.tag in REFERENCE_SET or element.get("style") is not None:
                self._element(element, self._context(element))
        return ExtractedPage(
            url=self.page_url,
            title=_title(self.root),
            references=tuple(self.refs),
            drupal_extlink=with_scripts(self.drupal, self.extlink_sign),
            # Only a meta refresh is judged on the page's own text (a "you are leaving"
            # page that forwards the visitor): reading it for every page was 6% of a scan.
            interstitial_text=(
                _visible_text(self.root)
                if any(ref.kind is Kind.REFRESH for ref in self.refs)
                else ""
            ),
            unread=self.unread,
        )

    def _context(self, element: etree._Element) -> Context:
        """What an element's ancestors and itself contribute: notice selectors that match,
        ``data-linkguard-ignore`` rule ids, being inside ``<noscript>``. Memoised per
        element, so a page costs O(elements) however deep or wide it is."""
        chain: list[etree._Element] = []
        node: etree._Element | None = element
        while node is not None and node not in self._memo:
            chain.append(node)
            node = node.getparent()
        context = self._memo[node] if node is not None else NO_CONTEXT
        for node in reversed(chain):
            matched = self.matches.get(node, ()) if self.matches else ()
            ignore = node.get("data-linkguard-ignore")
            if matched or ignore is not None or node.tag == "noscript":  # else: as its parent's
                context = fold_context(context, matched, ignore, node.tag)
            self._memo[node] = context
        return context

    def _element(self, element: etree._Element, context: Context) -> None:
        _, ignores, noscript = context
        tag = element.tag
        end_line = element.sourceline or 0
        # Every element moves the cursor, referencing or not, so the next one's search
        # starts past its tag.
        line = self.lines.start(tag, end_line) if self.lines is not None else end_line
        if tag == "script" and script_source(element.attrib) is None:
            self._inline_script(element, ignores, noscript)  # its body starts at end_line
            return
        if tag == "script" and not noscript and element.get("type", "").strip().lower() in JS_TYPES:
            self.extlink_sign = max(
                self.extlink_sign, script_sign((script_source(element.attrib) or ("", ""))[1])
            )
        if tag == "style":
            self.refs.extend(
                style_references(element.text or "", end_line, self.base, ignores, noscript)
            )
            return
        parent_tag = ""
        if tag in ("img", "source"):  # the only tags whose parent decides their references
            parent = element.getparent()
            parent_tag = (
                parent.tag.lower() if parent is not None and isinstance(parent.tag, str) else ""
            )
        if tag == "iframe" and element.get("srcdoc") is not None and self.srcdoc is not None:
            document = self.srcdoc(element.get("srcdoc", ""), self.base)
            self.unread = self.unread or document.unread
            self.refs.extend(in_frame(document.references, line, ignores, noscript))
        self.refs += element_references(
            tag,
            element.items(),
            parent_tag,
            context,
            (self.page_url, self.base, line),
            self.text_for,
            lambda: self._accessible_text(element),
        )

    def _accessible_text(self, link: etree._Element) -> str:
        """Text a visitor perceives for a link, plus its title and descriptions."""
        leaf = None if len(link) else link.text or ""  # no child: its text is all it shows
        return accessible_text(link, _describe, _parts, self._description, leaf_text=leaf)

    def _description(self, ref_id: str) -> str:
        """The text of the element with id ``ref_id``, computed once per page."""
        if self._ids is None:
            self._ids = {}
            for element in self.root.iter():
                element_id = element.get("id") if isinstance(element.tag, str) else None
                if element_id and element_id not in self._ids:
                    self._ids[element_id] = element
        if ref_id not in self._descriptions:
            target = self._ids.get(ref_id)
            self._descriptions[ref_id] = (
                "" if target is None else description_text(target, _describe, _parts)
            )
        return self._descriptions[ref_id]

    def _inline_script(
        self, element: etree._Element, ignores: frozenset[str], noscript: bool
    ) -> None:
        kind = element.get("type", "").strip().lower()
        body = element.text or ""
        if (
            kind == "application/json"
            and element.get("data-drupal-selector") == "drupal-settings-json"
        ):
            self.drupal = drupal_settings(body) or self.drupal
            return
        if kind not in JS_TYPES or not body:
            return
        self.refs.extend(
            inline_script_references(body, element.sourceline or 0, self.base, ignores, noscript)
        )


def _describe(element: etree._Element) -> tuple[str, Callable[[str], str | None]]:
    """An element's tag (lower case) and attribute getter, for ``_visible``."""
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    return tag, element.get


def _parts(element: etree._Element) -> Iterator[etree._Element | str]:
    """An element's content in document order: its text, each child and the text after it."""
    if element.text:
        yield element.text
    for child in element:
        if isinstance(child.tag, str):
            yield child
        if child.tail:
            yield child.tail


def _base_url(root: etree._Element, fallback: str) -> str:
    """The document base URL: the first ``<base>`` with an ``href``, if a browser takes it,
    else ``fallback`` (the page's URL, or for a srcdoc document its frame's base URL)."""
    for base in root.iter("base"):
        href = base.get("href")
        if href is not None:
            return document_base(href, fallback)
    return fallback


def _title(root: etree._Element) -> str:
    for title in root.iter("title"):
        return " ".join("".join(title.itertext()).split())[:MAX_TEXT]
    return ""


def _visible_text(root: etree._Element) -> str:
    """The body's perceived text, lower case, bounded (``_visible``)."""
    for body in root.iter("body"):
        seen = perceived(body, _describe, _parts, max_chars=MAX_PAGE_TEXT, max_nodes=None)
        return seen.joined(" ").lower()[:MAX_PAGE_TEXT]
    return ""
