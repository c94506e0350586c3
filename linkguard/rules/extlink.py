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
- ``extInclude``/``extExclude`` are JavaScript regular expressions written by whoever wrote
  the page, so they are never run by a backtracking engine (``(x+x+)+y`` against a link of
  28 x's took 19 s in Python's ``re``, doubling with each x): they run in RE2, whose time is
  linear in the URL's length whatever the pattern. Named groups and Unicode escapes
  are translated; a pattern RE2 cannot run (a backreference, a lookaround, or one that is not a
  regular expression at all, which breaks the module in the browser) is *unreadable*: the
  link's fate then depends on it, and linkguard does not credit what it cannot show. An
  unreadable ``extExclude`` may exclude any link the module would otherwise mark, so those
  links are not credited; an unreadable ``extInclude`` is taken as matching nothing. Their
  findings say why (``Extlink.undecided``).

Not applied, because they need the DOM: ``extCssExclude`` and ``extCssExplicit`` (CSS
selectors; a link they exclude is still credited) and ``extImgClass`` (without it the module
skips the icon on links that contain an image, which linkguard cannot see here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import re2

if TYPE_CHECKING:
    from linkguard.extract import DrupalExtlink

_JS_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")
_JS_UNICODE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})")


def _options() -> Any:
    """RE2 as the module's patterns need it: case-insensitive, and silent on a pattern it
    cannot compile (that is an answer here, not a log line)."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return options


_OPTIONS = _options()
# extlink.js: /^(([^:]+?\.)*)([^.:]+)((\.[a-z0-9]{1,253})*)(:[0-9]{1,5})?$/
_HOST = re2.compile(r"^(([^:]+?\.)*)([^.:]+)((\.[a-z0-9]{1,253})*)(:[0-9]{1,5})?$")


@dataclass(frozen=True, slots=True)
class PageRegex:
    """A regular expression a page supplies, run in linear time, or unreadable (None)."""

    source: str
    compiled: Any  # an RE2 pattern, or None when RE2 cannot run the source

    def matches(self, text: str) -> bool | None:
        """Whether it matches somewhere in ``text``; None when it is unreadable."""
        if self.compiled is None:
            return None
        return self.compiled.search(text) is not None


@dataclass(frozen=True, slots=True)
class Extlink:
    """The module's decision procedure for one site host."""

    internal: Any  # an RE2 pattern
    include: PageRegex | None
    exclude: PageRegex | None
    gives_notice: bool

    def decides(self, url: str) -> bool | None:
        """Whether the module treats a link to ``url`` as external (and so decorates it);
        None when that depends on a pattern linkguard cannot run."""
        url = url.lower()
        if not url.startswith("http"):
            return False
        included = self.include.matches(url) if self.include is not None else False
        if included:
            return True
        if self.internal.search(url) is not None:
            outside: bool | None = False
        else:
            excluded = self.exclude.matches(url) if self.exclude is not None else False
            outside = None if excluded is None else not excluded
        if outside:
            return True
        return None if included is None or outside is None else False

    def marks(self, url: str) -> bool:
        """Whether the module surely treats a link to ``url`` as external."""
        return self.decides(url) is True

    def notices(self, url: str) -> bool:
        """Whether a visitor following a link to ``url`` sees the module's notice."""
        return self.gives_notice and self.marks(url)

    def undecided(self, url: str) -> str:
        """Why the module's notice on ``url`` cannot be shown ("" when it can be decided)."""
        if not self.gives_notice or self.decides(url) is not None:
            return ""
        names = [
            name
            for name, pattern in (("extInclude", self.include), ("extExclude", self.exclude))
            if pattern is not None and pattern.compiled is None
        ]
        return " and ".join(names)


@lru_cache(maxsize=256)
def extlink_for(settings: DrupalExtlink, location_host: str) -> Extlink:
    """The module's behaviour on pages of ``location_host`` (``window.location.host``)."""
    source = internal_pattern(location_host, subdomains=settings.subdomains)
    internal = re2.compile(source, _OPTIONS)  # the module's own: linear in RE2 as well
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


def js_regex(source: str) -> PageRegex | None:
    """A JavaScript regular expression (flag ``i``) from a page, compiled by RE2 (linear time
    whatever the pattern); None when unset. One RE2 cannot compile (a backreference, a
    lookaround, not a regular expression) is kept as unreadable, never run elsewhere."""
    if not source:
        return None
    translated = _JS_UNICODE.sub(r"\1\\x{\2}", _JS_NAMED_GROUP.sub("(?P<", source))
    try:
        return PageRegex(source, re2.compile(translated, _OPTIONS))
    except re2.error:
        return PageRegex(source, None)
