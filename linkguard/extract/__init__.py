"""Reading HTML into References: every URL a page makes the browser use, parsed once.

``extract_references`` is the stage's entry point, ``selector_path`` the check of an
exit-notice selector (``_selectors.py``); the parse and walk (``_tree.py``), what an
element's tag and attributes decide (``_elements.py``) and the References made of it
(``_shapes.py``), the text a visitor perceives (``_visible.py``), Drupal's extlink settings
and script (``_drupal.py``), what an inline script loads or only mentions (``_inline.py``,
reading it with ``_jsread.py``), what CSS loads (``_css.py``), what a ``<noscript>`` holds
for visitors without scripts (``_noscript.py``) and character-set detection
(``_charset.py``) are private. ``masking`` hides template syntax so that a template source
reads as HTML.
"""

from __future__ import annotations

from linkguard.extract._charset import decode_html
from linkguard.extract._drupal import DrupalExtlink
from linkguard.extract._elements import (
    JS_TYPES,
    MAX_ELEMENT,
    ExtractedPage,
    parse_srcset,
    refresh_url,
    start_tag,
)
from linkguard.extract._inline import script_literals
from linkguard.extract._selectors import selector_path
from linkguard.extract._tree import extract_references

__all__ = [
    "JS_TYPES",
    "MAX_ELEMENT",
    "DrupalExtlink",
    "ExtractedPage",
    "decode_html",
    "extract_references",
    "parse_srcset",
    "refresh_url",
    "script_literals",
    "selector_path",
    "start_tag",
]
