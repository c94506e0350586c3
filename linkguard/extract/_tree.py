"""HTML -> References: every URL-bearing attribute of a page, parsed once.

One lxml parse per page (libxml2: fast, and it knows each element's source line), one walk
over the tree in document order. The walk keeps a stack of what ancestors contribute
(configured exit-notice selectors that match them, ``data-linkguard-ignore``, being inside
``<noscript>``), so a link learns its ancestors' context in O(1) and the whole page is
linear in its size, 100,000 links or not.

libxml2 gives up below 2,048 levels of nesting, and its line numbers stop at 65,535; such
pages are read again by a streaming tokenizer (``_flat.py``) that keeps every reference and
its exact line, without ancestor context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError

from linkguard.classify import urls
from linkguard.extract._charset import decode_html
from linkguard.model import Kind, Reference

__all__ = ["DrupalExtlink", "ExtractedPage", "decode_html", "extract_references"]

MAX_ELEMENT = 300
MAX_TREE_LINES = 65_535  # libxml2 stores a line number in 16 bits: longer pages read flat
MAX_TEXT = 500
MAX_PAGE_TEXT = 4_000  # enough for an interstitial's "you are leaving" notice
JS_TYPES = frozenset(
    {
        "",
        "text/javascript",
        "application/javascript",
        "module",
        "text/ecmascript",
        "application/ecmascript",
        "application/x-javascript",
        "text/jscript",
    }
)
_HIDDEN_TEXT_TAGS = frozenset({"script", "style", "template"})


@dataclass(frozen=True, slots=True)
class DrupalExtlink:
    """Drupal extlink module settings (``drupalSettings.extlink``), read from the page."""

    ext_class: str = "ext"
    label: str = "(link is external)"
    subdomains: bool = True
    exclude: str = ""
    include: str = ""
    css_exclude: str = ""
    css_explicit: str = ""
    alert: bool = False
    alert_text: str = ""

    @classmethod
    def from_settings(cls, data: Mapping[str, object]) -> DrupalExtlink:
        def text(key: str, default: str = "") -> str:
            value = data.get(key, default)
            return value if isinstance(value, str) else default

        def flag(key: str, default: bool) -> bool:
            value = data.get(key, default)
            return value not in (False, 0, "0", "", None)

        ext_class = text("extClass", "ext")
        return cls(
            ext_class="" if ext_class == "0" else ext_class,
            label=text("extLabel", "(link is external)"),
            subdomains=flag("extSubdomains", True),
            exclude=text("extExclude"),
            include=text("extInclude"),
            css_exclude=text("extCssExclude"),
            css_explicit=text("extCssExplicit"),
            alert=flag("extAlert", False),
            alert_text=text("extAlertText"),
        )


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    url: str
    base_url: str
    title: str
    references: tuple[Reference, ...]
    drupal_extlink: DrupalExtlink | None = None
    interstitial_text: str = ""  # visible text, lower case, bounded; read for meta refresh only
    flat: bool = False  # read by the fallback tokenizer: no ancestor context


_Context = tuple[tuple[str, ...], frozenset[str], bool]
_EMPTY: _Context = ((), frozenset(), False)
# Elements that can carry a URL the browser uses (DESIGN section 5).
_REFERENCE_TAGS = (
    "a",
    "area",
    "form",
    "button",
    "input",
    "script",
    "iframe",
    "frame",
    "embed",
    "object",
    "link",
    "img",
    "source",
    "video",
    "audio",
    "track",
    "meta",
)
_PARSER = etree.HTMLParser(
    huge_tree=True, recover=True, remove_comments=True, remove_pis=True, no_network=True
)


@lru_cache(maxsize=256)
def compiled_selector(selector: str) -> CSSSelector | None:
    """A configured selector compiled once per process (None if it does not compile)."""
    try:
        return CSSSelector(selector, translator="html")
    except (SelectorError, etree.XPathError, ValueError):
        return None


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
    if not text.strip():
        return ExtractedPage(page_url, page_url, "", ())
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None or _too_deep(_PARSER.error_log) or text.count("\n") >= MAX_TREE_LINES:
        from linkguard.extract._fallback import extract_flat

        return extract_flat(text, page_url, notice_selectors)
    return _Walk(root, page_url, notice_selectors, text_for).run()


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
    ) -> None:
        self.root = root
        self.text_for = text_for
        self.page_url = page_url
        self.base = _base_url(root, page_url)
        self.refs: list[Reference] = []
        self.drupal: DrupalExtlink | None = None
        self.matches: dict[etree._Element, tuple[str, ...]] = {}
        for selector in selectors:
            compiled = compiled_selector(selector)
            if compiled is None:
                continue
            for element in compiled(root):
                self.matches[element] = (*self.matches.get(element, ()), selector)
        self._ids: dict[str, etree._Element] | None = None
        self._memo: dict[etree._Element, _Context] = {}

    def run(self) -> ExtractedPage:
        for element in self.root.iter(*_REFERENCE_TAGS):
            self._element(element, *self._context(element))
        return ExtractedPage(
            url=self.page_url,
            base_url=self.base,
            title=_title(self.root),
            references=tuple(self.refs),
            drupal_extlink=self.drupal,
            # Only a meta refresh is judged on the page's own text (a "you are leaving"
            # page that forwards the visitor): reading it for every page was 6% of a scan.
            interstitial_text=(
                _visible_text(self.root)
                if any(ref.kind is Kind.REFRESH for ref in self.refs)
                else ""
            ),
        )

    def _context(self, element: etree._Element) -> _Context:
        """What an element's ancestors and itself contribute: notice selectors that match,
        ``data-linkguard-ignore`` rule ids, being inside ``<noscript>``. Memoised per
        element, so a page costs O(elements) however deep or wide it is."""
        chain: list[etree._Element] = []
        node: etree._Element | None = element
        while node is not None and node not in self._memo:
            chain.append(node)
            node = node.getparent()
        context = self._memo[node] if node is not None else _EMPTY
        for node in reversed(chain):
            selectors, ignores, noscript = context
            if node in self.matches:
                selectors = selectors + self.matches[node]
            ignore_attr = node.get("data-linkguard-ignore")
            if ignore_attr is not None:
                ignores = ignores | _ignore_ids(ignore_attr)
            if node.tag == "noscript":
                noscript = True
            context = (selectors, ignores, noscript)
            self._memo[node] = context
        return context

    def _element(
        self,
        element: etree._Element,
        selectors: tuple[str, ...],
        ignores: frozenset[str],
        noscript: bool,
    ) -> None:
        tag = element.tag
        if tag == "script" and element.get("src") is None:
            self._inline_script(element, ignores, noscript)
            return
        parent = element.getparent()
        parent_tag = (
            parent.tag.lower() if parent is not None and isinstance(parent.tag, str) else ""
        )
        found = list(references_of(tag, element.attrib, parent_tag))
        if not found:
            return
        line = element.sourceline or 0
        snippet = start_tag(tag, element.attrib)
        resolved = [reference_url(kind, raw, self.page_url, self.base) for kind, _, raw in found]
        text = ""
        if tag in ("a", "area") and (self.text_for is None or self.text_for(resolved[0])):
            text = self._accessible_text(element)
        for (kind, attr, raw), url in zip(found, resolved, strict=True):
            self.refs.append(
                make_reference(
                    kind,
                    tag,
                    attr,
                    raw,
                    element.attrib,
                    url=url,
                    line=line,
                    element=snippet,
                    text=text,
                    notice_selectors=selectors,
                    ignore=ignores,
                    in_noscript=noscript,
                )
            )

    def _accessible_text(self, link: etree._Element) -> str:
        """Text a screen reader would announce for a link, plus its title and descriptions."""
        parts = [" ".join("".join(link.itertext()).split())]
        for attr in ("aria-label", "title"):
            if link.get(attr):
                parts.append(link.get(attr, ""))
        for inner in link.iterdescendants():
            tag = inner.tag.lower() if isinstance(inner.tag, str) else ""
            if tag == "img" and inner.get("alt"):
                parts.append(inner.get("alt", ""))
            elif tag == "svg" and inner.get("aria-label"):
                parts.append(inner.get("aria-label", ""))
        for ref_id in link.get("aria-describedby", "").split():
            described = self._by_id(ref_id)
            if described is not None:
                parts.append(" ".join("".join(described.itertext()).split()))
        return " | ".join(p for p in parts if p)[:MAX_TEXT]

    def _by_id(self, ref_id: str) -> etree._Element | None:
        if self._ids is None:
            self._ids = {}
            for element in self.root.iter():
                element_id = element.get("id") if isinstance(element.tag, str) else None
                if element_id and element_id not in self._ids:
                    self._ids[element_id] = element
        return self._ids.get(ref_id)

    def _inline_script(
        self, element: etree._Element, ignores: frozenset[str], noscript: bool
    ) -> None:
        kind = element.get("type", "").strip().lower()
        body = element.text or ""
        if (
            kind == "application/json"
            and element.get("data-drupal-selector") == "drupal-settings-json"
        ):
            self.drupal = _drupal_settings(body) or self.drupal
            return
        if kind not in JS_TYPES or not body:
            return
        line = element.sourceline or 0
        for offset, literal in script_literals(body):
            self.refs.append(
                Reference(
                    kind=Kind.SCRIPT,
                    tag="script",
                    attr="inline",
                    raw=literal,
                    url=urls.resolve(literal, self.base),
                    line=line + offset,
                    element=_bounded(f"<script> … {literal} … </script>"),
                    ignore=ignores,
                    in_noscript=noscript,
                )
            )


def make_reference(
    kind: Kind,
    tag: str,
    attr: str,
    raw: str,
    attrs: Mapping[str, str],
    *,
    url: str | None,
    line: int,
    element: str,
    text: str = "",
    notice_selectors: tuple[str, ...] = (),
    ignore: frozenset[str] = frozenset(),
    in_noscript: bool = False,
) -> Reference:
    """One Reference from an element's attributes and its ``reference_url``: what the tree
    walk and the flat reader share."""
    form = kind is Kind.FORM
    return Reference(
        kind=kind,
        tag=tag,
        attr=attr,
        raw=raw,
        url=url,
        line=line,
        element=element,
        text=text,
        rel=frozenset(attrs.get("rel", "").lower().split()),
        target=attrs.get("target", ""),
        integrity=attrs.get("integrity", ""),
        method=(attrs.get("method") or attrs.get("formmethod") or "get").lower() if form else "",
        notice_selectors=notice_selectors,
        ignore=ignore,
        in_noscript=in_noscript,
    )


def reference_url(kind: Kind, raw: str, page_url: str, base: str) -> str | None:
    """The absolute URL of a reference (None if invalid): a form with no action posts to
    the page itself."""
    if kind is Kind.FORM and not raw.strip():
        return page_url
    return urls.resolve(raw, base)


def references_of(
    tag: str, attrs: Mapping[str, str], parent_tag: str
) -> Iterator[tuple[Kind, str, str]]:
    """(kind, attribute, raw value) for each URL an element makes the browser use."""
    get = attrs.get
    if tag in ("a", "area"):
        if get("href") is not None:
            yield Kind.LINK, "href", get("href", "")
    elif tag == "form":
        yield Kind.FORM, "action", get("action", "")
    elif tag in ("button", "input") and get("formaction") is not None:
        yield Kind.FORM, "formaction", get("formaction", "")
    elif tag == "script" and get("src"):
        yield Kind.SCRIPT, "src", get("src", "")
    elif tag in ("iframe", "frame", "embed") and get("src"):
        yield Kind.FRAME, "src", get("src", "")
    elif tag == "object" and get("data"):
        yield Kind.FRAME, "data", get("data", "")
    elif tag == "link" and get("href"):
        kind = _link_kind(get("rel", "").lower().split(), get("as", "").lower())
        if kind is not None:
            yield kind, "href", get("href", "")
    elif tag in ("img", "source") and parent_tag not in ("video", "audio"):
        yield from _image_refs(attrs)
    elif tag in ("video", "audio", "source", "track"):
        if get("src"):
            yield Kind.MEDIA, "src", get("src", "")
        if tag == "video" and get("poster"):
            yield Kind.IMAGE, "poster", get("poster", "")
    elif tag == "input" and get("type", "").lower() == "image" and get("src"):
        yield Kind.IMAGE, "src", get("src", "")
    elif tag == "meta" and get("http-equiv", "").lower() == "refresh":
        target = refresh_url(get("content", ""))
        if target is not None:
            yield Kind.REFRESH, "content", target


def _image_refs(attrs: Mapping[str, str]) -> Iterator[tuple[Kind, str, str]]:
    if attrs.get("src"):
        yield Kind.IMAGE, "src", attrs.get("src", "")
    for candidate in parse_srcset(attrs.get("srcset", "")):
        yield Kind.IMAGE, "srcset", candidate


def _link_kind(rel: list[str], as_: str) -> Kind | None:
    if "stylesheet" in rel:
        return Kind.STYLESHEET
    if "modulepreload" in rel or ("preload" in rel and as_ == "script"):
        return Kind.SCRIPT
    if {"preload", "prefetch", "preconnect", "dns-prefetch"} & set(rel):
        return Kind.PRELOAD
    if {"icon", "apple-touch-icon", "shortcut"} & set(rel):
        return Kind.IMAGE
    return None


_SRCSET_URL = re.compile(r"[\s,]*([^\s,][^\s]*)")


def parse_srcset(value: str) -> list[str]:
    """Candidate URLs of a srcset, by the HTML standard's algorithm (commas may be in URLs)."""
    found: list[str] = []
    position = 0
    while position < len(value):
        match = _SRCSET_URL.match(value, position)
        if match is None:
            break
        url = match.group(1)
        position = match.end()
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            position = _skip_descriptors(value, position)
        if url:
            found.append(url)
    return found


def _skip_descriptors(value: str, position: int) -> int:
    depth = 0
    while position < len(value):
        char = value[position]
        position += 1
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            break
    return position


_REFRESH = re.compile(
    r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(?P<q>['\"]?)(?P<url>.*?)(?P=q)\s*$",
    re.IGNORECASE | re.DOTALL,
)


def refresh_url(content: str) -> str | None:
    """The URL of ``<meta http-equiv=refresh content=...>``, or None for a plain reload."""
    match = _REFRESH.match(content)
    if match is None:
        return None
    url = match.group("url").strip()
    return url or None


_LITERAL = re.compile(
    r"""["'`]((?:https?:)?//[A-Za-z0-9][A-Za-z0-9.\-]*\.[A-Za-z0-9\-]+"""
    r"""(?::\d+)?(?:[/?#][^\s"'`<>\\]*)?)"""
)


def script_literals(body: str) -> Iterator[tuple[int, str]]:
    """(line offset, URL) of each quoted absolute URL literal in an inline script.

    This is how tag managers and pixels load (``j.src='https://www.googletagmanager.com/
    gtm.js?id='+i``). JSON-style escaped slashes are unescaped first.
    """
    text = body.replace("\\/", "/")
    seen: set[str] = set()
    for match in _LITERAL.finditer(text):
        literal = match.group(1)
        if literal not in seen:
            seen.add(literal)
            yield text.count("\n", 0, match.start()), literal


def start_tag(tag: str, attrs: Mapping[str, str]) -> str:
    """The element's start tag, re-serialised and escaped, bounded in length."""
    parts = ["<", tag]
    for name, value in attrs.items():
        value = str(value)
        parts += (" ", name, '="', escape(value) if _TO_ESCAPE.search(value) else value, '"')
    parts.append(">")
    return _bounded("".join(parts))


_TO_ESCAPE = re.compile("[&<>\"']")


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_ELEMENT else text[: MAX_ELEMENT - 1] + "…"


def _ignore_ids(value: str) -> frozenset[str]:
    ids = frozenset(v for v in re.split(r"[\s,]+", value.strip()) if v)
    return frozenset({"*"}) if not ids or "all" in ids else ids


def _base_url(root: etree._Element, page_url: str) -> str:
    for base in root.iter("base"):
        href = base.get("href")
        if href:
            return urls.resolve(href, page_url) or page_url
    return page_url


def _title(root: etree._Element) -> str:
    for title in root.iter("title"):
        return " ".join("".join(title.itertext()).split())[:MAX_TEXT]
    return ""


def _visible_text(root: etree._Element) -> str:
    chunks: list[str] = []
    size = 0
    for body in root.iter("body"):
        for element in body.iter():
            tag = element.tag.lower() if isinstance(element.tag, str) else ""
            for piece in (element.text if tag not in _HIDDEN_TEXT_TAGS else None, element.tail):
                if piece and piece.strip():
                    chunks.append(piece)
                    size += len(piece)
            if size > MAX_PAGE_TEXT:
                break
        break
    return " ".join(" ".join(chunks).split()).lower()[:MAX_PAGE_TEXT]


def _drupal_settings(body: str) -> DrupalExtlink | None:
    try:
        settings = json.loads(body)
    except ValueError:
        return None
    extlink = settings.get("extlink") if isinstance(settings, dict) else None
    return DrupalExtlink.from_settings(extlink) if isinstance(extlink, dict) else None
