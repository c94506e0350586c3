"""An element's References, with what its tag and attributes alone decide remembered.

The reader (``_tree.py``) turns an element into References here. A site
repeats its head, navigation and footer on every page, so what an element's tag, attributes
and parent's tag decide (the URLs it uses, its start tag as reported, ``rel``, ``target``,
``integrity``: its *shape*) is worked out once per distinct element (``_elements.py``) and
remembered, boundedly; where it is and what its ancestors contribute is the page's own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from linkguard.classify import urls
from linkguard.extract._elements import Context, Found, references_of, start_tag
from linkguard.model import Kind, Reference

# Where an element is: its page's URL, the base URL its references resolve against, the line
# where its start tag begins.
Place = tuple[str, str, int]


def element_references(
    tag: str,
    pairs: Collection[tuple[str, str]],
    parent_tag: str,
    context: Context,
    place: Place,
    text_for: Callable[[str | None], bool] | None,
    read_text: Callable[[], str],
) -> list[Reference]:
    """The References of an element with these attributes (``pairs``: (name, value) in
    document order; ``parent_tag`` plays a part only
    for ``img`` and ``source``) where ``place`` says it is on its page; ``context`` is what
    its ancestors contribute. A link (``a``, ``area``) gets its accessible text,
    ``read_text()``, when ``text_for`` (the reader's: None for every link) says its first
    URL needs it.

    What the tag and attributes alone decide (``_shape``) is remembered for the last few
    thousand distinct elements of the process: a site repeats its head, navigation and
    footer on every page (4% fewer instructions per page on the benchmark site), while
    most other elements are seen once (links to other pages), so the memo is bounded, in
    entries and in what one may hold; an unbounded one cost ~150 MB of PSS over the
    10,000-page site's process tree. One function from attributes to References: each
    step a call of its own was a tenth of a page's analysis."""
    key = (tag, parent_tag, *pairs)
    shape = _SHAPES.get(key)
    if shape is None:
        attrs = dict(pairs)  # a mapping only when the element is new
        shape = _shape(tag, attrs, parent_tag)
        if len(attrs) <= _MEMO_ATTRIBUTES and sum(map(len, attrs.values())) <= _MEMO_CHARS:
            if len(_SHAPES) >= _SHAPES_MAX:
                _SHAPES.clear()
            _SHAPES[key] = shape
    found, snippet, rel, target, integrity = shape
    if not found:
        return []
    page_url, base, line = place
    selectors, ignores, noscript = context
    refs: list[Reference] = []
    text: str | None = None if tag in ("a", "area") else ""
    for kind, attr, raw in found:
        url = page_url if kind is Kind.FORM and not raw.strip() else urls.resolve(raw, base)
        if text is None:
            text = read_text() if text_for is None or text_for(url) else ""
        refs.append(
            Reference(
                kind,
                tag,
                attr,
                raw,
                url,
                line,
                snippet,
                text,
                rel,
                target,
                integrity,
                selectors,
                ignores,
                noscript,
            )
        )
    return refs


_NO_REL: frozenset[str] = frozenset()
# (URLs found, start tag, rel, target, integrity): what an element's tag, attributes and
# parent's tag decide.
Shape = tuple[Found, str, frozenset[str], str, str]
_NOTHING: Shape = ((), "", _NO_REL, "", "")
_SHAPES: dict[tuple[object, ...], Shape] = {}
_SHAPES_MAX = 4_096
# Only an element this small is remembered: a page's huge attribute (a data: URI, a
# crowded element) must not stay in memory after the page (at most ~5 MB for the memo).
_MEMO_ATTRIBUTES = 32
_MEMO_CHARS = 1_024


def _shape(tag: str, attrs: Mapping[str, str], parent_tag: str) -> Shape:
    found = references_of(tag, attrs, parent_tag)
    if not found:
        return _NOTHING
    get = attrs.get
    rel = get("rel")
    return (
        found,
        start_tag(tag, attrs),
        frozenset(rel.lower().split()) if rel else _NO_REL,
        get("target", ""),
        get("integrity", ""),
    )
