"""The exit-notice selectors of a site's policy, as the reader runs them.

A selector is translated to XPath by cssselect (its HTML translator: element and attribute
names in any case) and that XPath is run by turbohtml on the page's tree. A selector is
accepted by the policy check only if both can: ``selector_path`` raises with the reason,
so a selector the reader could not run is an error in the policy file, never a notice
silently not seen (a namespace prefix, ``svg|a``, whose XPath names a prefix the page's
tree does not declare).
"""

from __future__ import annotations

from functools import lru_cache

import turbohtml
from cssselect import HTMLTranslator, SelectorError

_TRANSLATOR = HTMLTranslator()


def selector_path(selector: str) -> str:
    """The XPath that finds what ``selector`` matches. ValueError says why there is none."""
    try:
        path = _TRANSLATOR.css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc
    try:
        _probe().xpath(path)
    except ValueError as exc:
        raise ValueError(f"turbohtml cannot run its XPath: {exc}") from exc
    return path


@lru_cache(maxsize=256)
def compiled_selector(selector: str) -> str | None:
    """``selector_path``, once per process for each selector; None if it has none."""
    try:
        return selector_path(selector)
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _probe() -> turbohtml.Document:
    return turbohtml.parse("<a></a>")
