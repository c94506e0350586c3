"""What must be known of a page before libxml2 builds it, from one turbohtml parse.

Two things: where each ``<noscript>``'s raw text lies (``_noscript.py``), and whether an
element has more than ``MAX_ATTRIBUTES`` attributes, which libxml2 builds in time quadratic
in their number (100,000 took 45 s) and which the fallback reader therefore reads instead.

turbohtml parses as the HTML standard says, in C and in linear time, a crowded element
included; libxml2 2.14 and later tokenizes as that standard does too, but for
``<noscript>``, whose content it reads as markup (as with scripting off) where turbohtml
reads raw text. So an element counts as libxml2 would build it when the count looks at
turbohtml's elements and, for every raw-text element (noscript, script, style, textarea,
title and the like) long enough to hold a crowded element, at its text parsed as markup
on its own: what libxml2 builds of a noscript (``_noscript.graft``), and a margin for any
other raw text a tokenizer might read otherwise. Before libxml2 2.14 the tokenizers differ
more, and libxml2 itself counts, in a pass that builds no tree (five times the cost).

A page shorter than ``SMALL_PAGE`` is not counted: its worst element (some 6,000
attributes) costs libxml2 a few hundredths of a second. A page with neither length nor a
``<noscript`` costs one search of its text.
"""

from __future__ import annotations

from dataclasses import dataclass

import turbohtml
from lxml import etree

from linkguard.extract._noscript import (
    NOSCRIPT,
    NoscriptText,
    located,
    noscript_spans,
    noscript_texts,
)

MAX_ATTRIBUTES = 256  # on one element; more go to the fallback
SMALL_PAGE = 32_768  # characters; a shorter page is not counted for MAX_ATTRIBUTES
# The shortest text that can hold an element of MAX_ATTRIBUTES + 1 attributes: a one-letter
# name and a separator for each.
_CROWDED_TEXT = 2 * (MAX_ATTRIBUTES + 1)
_CROWDED = f"//*[count(@*) > {MAX_ATTRIBUTES}]"
_RAW_TEXT = (
    "noscript", "script", "style", "textarea", "title", "xmp", "iframe", "noembed",
    "noframes", "plaintext", "template",
)  # fmt: skip
# libxml2 2.14 rewrote its HTML tokenizer after the HTML standard's.
_LIBXML2_TOKENIZES_AS_HTML5 = etree.LIBXML_VERSION >= (2, 14)


@dataclass(frozen=True, slots=True)
class Survey:
    noscripts: list[NoscriptText]  # each noscript's raw text, in order
    crowded: bool  # an element libxml2 would build in quadratic time


def survey(text: str) -> Survey:
    """The page's noscript texts, and whether it is crowded."""
    if len(text) < SMALL_PAGE or not _LIBXML2_TOKENIZES_AS_HTML5:
        crowded = len(text) >= SMALL_PAGE and _counted_by_libxml2(text)
        return Survey(noscript_texts(text), crowded)
    document, crlf, size = located(text)
    crowded = document.xpath_one(_CROWDED) is not None or any(
        _crowded_markup(element.text)
        for element in document.iter_elements(_RAW_TEXT)
        if len(element.text) >= _CROWDED_TEXT
    )
    noscripts = noscript_spans(document, crlf, size) if NOSCRIPT.search(text) else []
    return Survey(noscripts, crowded)


def _crowded_markup(text: str) -> bool:
    fragment = turbohtml.parse(text, scripting=False)
    return fragment.xpath_one(_CROWDED) is not None


class _MostAttributes:
    """A libxml2 parse target that builds no tree: the most attributes one element has."""

    def __init__(self) -> None:
        self.most = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.most = max(self.most, len(attrib))

    def close(self) -> int:
        return self.most


def _counted_by_libxml2(text: str) -> bool:
    counter = etree.HTMLParser(target=_MostAttributes(), huge_tree=True, recover=True,
                               no_network=True)  # fmt: skip
    try:
        most = etree.fromstring(text, counter)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return False
    return isinstance(most, int) and most > MAX_ATTRIBUTES
