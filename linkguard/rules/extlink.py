"""Drupal's External Links module (extlink), applied as its JavaScript would apply it.

Drupal sites mark outbound links at run time: ``extlink.js`` reads ``drupalSettings.extlink``
and gives every external ``a``/``area`` the class ``ext`` and an icon whose ``aria-label``
and ``<title>`` are ``extLabel``, and, with ``extAlert``, a confirm dialog. A static page shows
none of it, so linkguard reads the settings from the page's ``drupal-settings-json`` script
(``linkguard.extract``) and decides, link by link, what the module would do:

- a link is external when its URL starts with ``http`` and either does not match the
  module's *internal* pattern and not ``extExclude``, or matches ``extInclude``;
- the internal pattern is built from the page's host exactly as the module builds it: the
  host is stripped to its last two labels (``www.example.co.uk`` becomes ``co.uk``: the
  module's own simplification, reproduced, so that linkguard reports what visitors see),
  subdomains count as internal with ``extSubdomains``, else only ``www.``;
- the module gives a notice when its icon is on (``extClass`` is neither ``""`` nor
  ``"0"``) or when ``extAlert`` is on;
- ``extInclude``/``extExclude`` are JavaScript regular expressions, translated to Python
  (named groups, ASCII classes, case-insensitive); one that does not compile is ignored,
  as if unset.

Not applied, because they need the DOM: ``extCssExclude`` and ``extCssExplicit`` (CSS
selectors; a link they exclude is still credited) and ``extImgClass`` (without it the module
skips the icon on links that contain an image, which linkguard cannot see here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkguard.extract import DrupalExtlink

# extlink.js: /^(([^:]+?\.)*)([^.:]+)((\.[a-z0-9]{1,253})*)(:[0-9]{1,5})?$/
_HOST = re.compile(r"^(([^:]+?\.)*)([^.:]+)((\.[a-z0-9]{1,253})*)(:[0-9]{1,5})?$")
_JS_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")
_JS_BACKREF = re.compile(r"\\k<([A-Za-z_][A-Za-z0-9_]*)>")


@dataclass(frozen=True, slots=True)
class Extlink:
    """The module's decision procedure for one site host."""

    internal: re.Pattern[str]
    include: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    gives_notice: bool

    def marks(self, url: str) -> bool:
        """Whether the module treats a link to ``url`` as external (and so decorates it)."""
        url = url.lower()
        if not url.startswith("http"):
            return False
        outside = self.internal.search(url) is None and not (
            self.exclude is not None and self.exclude.search(url)
        )
        return outside or (self.include is not None and self.include.search(url) is not None)

    def notices(self, url: str) -> bool:
        """Whether a visitor following a link to ``url`` sees the module's notice."""
        return self.gives_notice and self.marks(url)


@lru_cache(maxsize=256)
def extlink_for(settings: DrupalExtlink, location_host: str) -> Extlink:
    """The module's behaviour on pages of ``location_host`` (``window.location.host``)."""
    internal = re.compile(internal_pattern(location_host, subdomains=settings.subdomains), re.I)
    return Extlink(
        internal=internal,
        include=js_regex(settings.include),
        exclude=js_regex(settings.exclude),
        gives_notice=settings.ext_class not in ("", "0") or settings.alert,
    )


def internal_pattern(location_host: str, *, subdomains: bool) -> str:
    """The module's ``internalLink`` regular expression source, built as extlink.js does."""
    match = _HOST.match(location_host)
    host = (match[2] or "") + match[3] + (match[6] or "") if match else location_host
    subdomain = location_host.replace(host, "", 1)
    if subdomains:
        prefix = r"([^/]*\.)?"
    elif subdomain in ("www.", ""):
        prefix = r"(www\.)?"
    else:
        prefix = subdomain.replace(".", r"\.", 1)  # JS String.replace: the first only
    return rf"^https?://([^@]*@)?{prefix}{host}"


def js_regex(source: str) -> re.Pattern[str] | None:
    """A JavaScript regular expression (flag ``i``) as Python's, or None when Python cannot
    compile it: then it is ignored, as if unset (it may be valid JavaScript that ``re`` does
    not accept, so it is not taken as a broken module)."""
    if not source:
        return None
    translated = _JS_BACKREF.sub(r"(?P=\1)", _JS_NAMED_GROUP.sub("(?P<", source))
    try:
        return re.compile(translated, re.IGNORECASE | re.ASCII)
    except re.error:
        return None
