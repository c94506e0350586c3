"""What an element's tag and attributes decide: which URLs it makes the browser use (made
into References by ``_shapes.py``), and the References of inline scripts and styles.

The reader (``_tree.py``) finds elements and their ancestors; everything an element's tag
and attributes decide lives here, apart from the tree it came from. The kinds are those of
ARCHITECTURE.md, section «Reference kinds».
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from html import escape

from linkguard._memo import Memo
from linkguard.classify import urls
from linkguard.extract._css import CssUse, css_uses
from linkguard.extract._drupal import DrupalExtlink
from linkguard.extract._inline import ScriptUse, script_uses
from linkguard.model import Kind, Reference

MAX_ELEMENT = 300
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
HIDDEN_TEXT_TAGS = frozenset({"script", "style", "template"})
# Elements that can carry a URL the browser uses (ARCHITECTURE.md, «Reference kinds»).
REFERENCE_TAGS = (
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
    "style",  # CSS: @import and url() (_css.py)
    "image",  # SVG's <image href>; in HTML, <image src> is an <img>
    "use",  # SVG's <use href>
)
REFERENCE_SET = frozenset(REFERENCE_TAGS)
# An iframe's srcdoc is a document of its own, read as part of the page; one nested deeper
# than this is not read, and the page says so (each level is read again by the next).
MAX_SRCDOC_DEPTH = 8
SRCDOC_TOO_DEEP = f"iframe srcdoc documents nested more than {MAX_SRCDOC_DEPTH} deep were not read"


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    url: str
    title: str
    references: tuple[Reference, ...]
    drupal_extlink: DrupalExtlink | None = None
    interstitial_text: str = ""  # visible text, lower case, bounded; read for meta refresh only
    unread: str = ""  # why part of the page could not be read ("" when all of it was)


Found = tuple[tuple[Kind, str, str], ...]  # (kind, attribute, raw value) of each URL


def inline_script_references(
    body: str, line: int, base: str, ignore: frozenset[str], in_noscript: bool
) -> Iterator[Reference]:
    """A Reference for each URL an inline script whose body starts on ``line`` loads (a
    script, stylesheet, image or frame, where the code visibly loads it) or only mentions
    (``Kind.MENTION``): ``_inline.py`` tells which."""
    for use in _SCRIPT_USES[body]:
        yield Reference(
            kind=use.kind,
            tag="script",
            attr="inline",
            raw=use.url,
            url=urls.resolve(use.url, base),
            line=line + use.offset,
            element=bounded(f"<script> … {use.evidence} … </script>"),
            ignore=ignore,
            in_noscript=in_noscript,
        )


def document_base(href: str | None, page_url: str) -> str:
    """The URL relative references resolve against, given the ``href`` of the page's first
    ``<base>`` that has one (the HTML standard's "document base URL"): a ``data:`` or
    ``javascript:`` base, or one that does not parse, is ignored, as browsers ignore it."""
    if href is None:
        return page_url
    base = urls.resolve(href, page_url)
    if base is None or urls.scheme_of(base) in ("data", "javascript"):
        return page_url
    return base


def style_references(
    body: str, line: int, base: str, ignore: frozenset[str], in_noscript: bool
) -> Iterator[Reference]:
    """A Reference for each URL the CSS of a ``<style>`` whose text starts on ``line`` loads:
    a stylesheet it imports, an image, font or media file it uses (``_css.py``)."""
    for use in _CSS_USES[body]:
        yield Reference(
            kind=use.kind,
            tag="style",
            attr="inline",
            raw=use.url,
            url=urls.resolve(use.url, base),
            line=line + use.lines,
            element=bounded(f"<style> … {use.url} … </style>"),
            ignore=ignore,
            in_noscript=in_noscript,
        )


def in_frame(
    references: tuple[Reference, ...], line: int, ignore: frozenset[str], in_noscript: bool
) -> Iterator[Reference]:
    """The references of an iframe's srcdoc document as the page's: at the iframe's line,
    with what its ancestors contribute (``data-linkguard-ignore``, being in a noscript)."""
    for ref in references:
        yield replace(
            ref, line=line, ignore=ref.ignore | ignore, in_noscript=ref.in_noscript or in_noscript
        )


def script_source(attrs: Mapping[str, str]) -> tuple[str, str] | None:
    """(attribute, URL) of the file a script element loads: ``src``, or SVG's ``href`` or
    ``xlink:href``; None for an inline script."""
    for attr in ("src", "href", "xlink:href"):
        if attrs.get(attr):
            return attr, attrs.get(attr, "")
    return None


def references_of(tag: str, attrs: Mapping[str, str], parent_tag: str) -> Found:
    """(kind, attribute, raw value) for each URL an element makes the browser use, its
    ``style`` attribute's ``url()`` included."""
    found = _element_refs(tag, attrs, parent_tag)
    style = attrs.get("style")
    if style and "(" in style:
        found += tuple((use.kind, "style", use.url) for use in _CSS_USES[style])
    return found


# What inline scripts and CSS load, read once per process (linkguard/_memo.py): a site repeats its
# tag manager's loader and its inline styles on every page.
_SCRIPT_USES: Memo[str, tuple[ScriptUse, ...]] = Memo(
    lambda body: tuple(script_uses(body)), 1_000_000
)
_CSS_USES: Memo[str, tuple[CssUse, ...]] = Memo(lambda css: tuple(css_uses(css)), 1_000_000)


def _element_refs(tag: str, attrs: Mapping[str, str], parent_tag: str) -> Found:
    get = attrs.get
    if tag in ("a", "area"):
        attr = "href" if get("href") is not None else "xlink:href"  # SVG's <a xlink:href>
        link: Found = ((Kind.LINK, attr, get(attr, "")),) if get(attr) is not None else ()
        ping = get("ping")  # a beacon to each URL when the link is followed
        return link + tuple((Kind.PING, "ping", url) for url in ping.split()) if ping else link
    if tag == "form":
        return ((Kind.FORM, "action", get("action", "")),)
    if tag in ("button", "input") and get("formaction") is not None:
        return ((Kind.FORM, "formaction", get("formaction", "")),)
    if tag == "script":
        source = script_source(attrs)
        return () if source is None else ((Kind.SCRIPT, *source),)
    if tag in ("iframe", "frame", "embed"):
        return ((Kind.FRAME, "src", get("src", "")),) if get("src") else ()
    if tag == "object":
        return ((Kind.FRAME, "data", get("data", "")),) if get("data") else ()
    if tag == "link":
        kind = _link_kind(get("rel", "").lower().split(), get("as", "").lower())
        return ((kind, "href", get("href", "")),) if kind is not None and get("href") else ()
    if tag in ("image", "use"):  # SVG (an HTML <image src> is an <img>)
        attr = next((a for a in ("href", "xlink:href", "src") if get(a)), "")
        usable = attr and (attr != "src" or tag == "image")
        return ((Kind.IMAGE, attr, get(attr, "")),) if usable else ()
    if tag in ("img", "source") and parent_tag not in ("video", "audio"):
        return _image_refs(attrs)
    if tag in ("video", "audio", "source", "track"):
        media: Found = ((Kind.MEDIA, "src", get("src", "")),) if get("src") else ()
        if tag == "video" and get("poster"):
            media += ((Kind.IMAGE, "poster", get("poster", "")),)
        return media
    if tag == "input" and get("type", "").lower() == "image" and get("src"):
        return ((Kind.IMAGE, "src", get("src", "")),)
    if tag == "meta" and get("http-equiv", "").lower() == "refresh":
        target = refresh_url(get("content", ""))
        return () if target is None else ((Kind.REFRESH, "content", target),)
    return ()


def _image_refs(attrs: Mapping[str, str]) -> Found:
    src = attrs.get("src")
    found: Found = ((Kind.IMAGE, "src", src),) if src else ()
    srcset = attrs.get("srcset")
    if srcset:
        found += tuple((Kind.IMAGE, "srcset", candidate) for candidate in parse_srcset(srcset))
    return found


def _link_kind(rel: list[str], as_: str) -> Kind | None:
    if "stylesheet" in rel:
        return Kind.STYLESHEET
    if "modulepreload" in rel or ("preload" in rel and as_ == "script"):
        return Kind.SCRIPT
    if {"preload", "prefetch", "preconnect", "dns-prefetch"} & set(rel):
        return Kind.PRELOAD
    if {"icon", "apple-touch-icon", "shortcut"} & set(rel):
        return Kind.IMAGE
    if "manifest" in rel:
        return Kind.MANIFEST
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
    """Past the descriptors (``2x``, ``640w``) that follow a candidate's URL and the comma
    that ends them; a comma between parentheses does not end them."""
    comma = value.find(",", position)
    end = len(value) if comma < 0 else comma + 1
    if value.find("(", position, end) < 0:  # no parentheses: the next comma ends them
        return end
    return _skip_descriptors_by_character(value, position)


def _skip_descriptors_by_character(value: str, position: int) -> int:
    """``_skip_descriptors`` read one character at a time, parentheses counted."""
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


def start_tag(tag: str, attrs: Mapping[str, str]) -> str:
    """The element's start tag, re-serialised and escaped, bounded in length: serialising
    stops once past ``MAX_ELEMENT`` characters, so an element with a million attributes
    costs no more than one with a few (each value is read by name, and cut, as it is used)."""
    parts = ["<", tag]
    size = len(tag) + 1
    for full_name in attrs:
        if size > MAX_ELEMENT:
            break
        name, value = full_name[:MAX_ELEMENT], str(attrs.get(full_name, ""))[:MAX_ELEMENT]
        shown = value
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            shown = escape(value)
        parts += (" ", name, '="', shown, '"')
        size += len(name) + len(value) + 4
    parts.append(">")
    return bounded("".join(parts))


def bounded(text: str) -> str:
    """``text`` cut to ``MAX_ELEMENT`` characters, an ellipsis marking the cut."""
    return text if len(text) <= MAX_ELEMENT else text[: MAX_ELEMENT - 1] + "…"


# What an element's ancestors and itself contribute to its references: configured notice
# selectors that match, data-linkguard-ignore rule ids, being inside <noscript>.
Context = tuple[tuple[str, ...], frozenset[str], bool]
NO_CONTEXT: Context = ((), frozenset(), False)


def fold_context(
    context: Context, matched: tuple[str, ...], ignore_attr: str | None, tag: str
) -> Context:
    """``context`` (the parent's) with one element's own contribution folded in: what the
    reader does for each element, in document order, from the root down."""
    selectors, ignores, noscript = context
    if matched:
        selectors = selectors + matched
    if ignore_attr is not None:
        ignores = ignores | ignore_ids(ignore_attr)
    return (selectors, ignores, noscript or tag == "noscript")


def ignore_ids(value: str) -> frozenset[str]:
    """The rule ids a ``data-linkguard-ignore`` value names; ``*`` for all (or none named)."""
    ids = frozenset(v for v in re.split(r"[\s,]+", value.strip()) if v)
    return frozenset({"*"}) if not ids or "all" in ids else ids
