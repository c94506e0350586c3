"""The policy's ``[exit_notice]`` compiled once: notice phrases, interstitial routes, exemptions.

A crawl judges 10,000+ pages with one policy, so everything here is built once per
``ExitNoticeConfig`` (frozen, hashable, cached) and each reference costs a few dict lookups
and one regular-expression search.

- **Phrases** are compared after Unicode NFKC normalisation, case folding and whitespace
  collapsing, so ``（外部サイト）`` (full width) matches ``(外部サイト)`` and ``LINK IS
  EXTERNAL`` matches ``link is external``.
- **Interstitial routes** (``/leaving?url={url}``, ``/exit/{url}``, or an absolute URL) are
  matched on first-party URLs; the destination is percent-decoded (twice at most, for
  double-encoded links) and resolved against the link. A query route matches with other
  parameters present, and with or without a trailing slash on its path.
- **Exempt** entries: a host glob (``*.gov``: ``*.`` followed by a plain domain also covers
  the domain itself), a registrable domain (covers its subdomains), or an exact host.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from fnmatch import translate
from functools import lru_cache
from urllib.parse import unquote, unquote_plus

from linkguard._memo import Memo
from linkguard.classify import urls
from linkguard.classify.scope import registrable_domain
from linkguard.policy import ExitNoticeConfig

_GLOB_CHARS = frozenset("*?[")


def normalize_text(text: str) -> str:
    """Text as phrases are compared: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class Route:
    """One interstitial route: where its destination sits in a first-party URL."""

    route: str
    origin: str  # "" for a path route (any first-party host), else the route's origin
    path: str  # the route's path; for a path route, the part before {url}
    param: str  # the query parameter holding the destination, "" for a path route
    pattern: re.Pattern[str] | None  # a path route: matched on path + query

    def destination(self, url: str) -> str | None:
        """The decoded destination of ``url`` through this route, or None if it is not one."""
        if self.path.rstrip("/") not in url or (self.param and self.param not in url):
            return None  # the common case, decided without parsing
        parsed = urls.parse(url)
        if parsed is None or (self.origin and urls.origin_of(url) != self.origin):
            return None
        pathname: str = parsed.pathname
        search: str = parsed.search
        if self.pattern is not None:
            match = self.pattern.fullmatch(pathname + search)
            return _decode(match["url"], plus=False) if match else None
        if pathname.rstrip("/") != self.path.rstrip("/"):
            return None
        for pair in search[1:].split("&"):
            name, sep, value = pair.partition("=")
            if sep and unquote_plus(name) == self.param and value:
                return _decode(value, plus=True)
        return None

    def serves(self, url: str) -> bool:
        """Whether ``url`` is the interstitial page itself (any destination, or none)."""
        if self.path.rstrip("/") not in url:
            return False  # a serialised URL holds its path as written: decided without parsing
        if self.origin and urls.origin_of(url) != self.origin:
            return False
        parsed = urls.parse(url)
        pathname: str = parsed.pathname if parsed is not None else ""
        if self.pattern is not None:
            return pathname.startswith(self.path)
        return pathname.rstrip("/") == self.path.rstrip("/")


def _decode(value: str, *, plus: bool) -> str:
    """A destination as written in a URL: percent-decoded (``+`` is a space in a query)."""
    decoded = unquote_plus(value) if plus else unquote(value)
    for _ in range(2):  # double-encoded links: https%253A%252F%252F...
        if "://" in decoded or "%" not in decoded:
            break
        decoded = unquote(decoded)
    return decoded.strip()


def compile_route(route: str) -> Route:
    """A route as written in ``[exit_notice].interstitials``; ``{url}`` appears once."""
    origin = urls.origin_of(route.replace("{url}", "x")) if "://" in route else ""
    local = route[len(origin) :] if origin else route
    path, _, query = local.partition("?")
    if "{url}" in query:
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            if value == "{url}":
                return Route(route, origin, path, name, None)
    head, _, tail = local.partition("{url}")
    pattern = re.compile(re.escape(head) + r"(?P<url>.+?)" + re.escape(tail))
    return Route(route, origin, head.partition("?")[0], "", pattern)


@dataclass(frozen=True, slots=True)
class Exemptions:
    """``[exit_notice].exempt``: destinations that need no notice."""

    domains: frozenset[str]  # the host is this domain or within it
    hosts: frozenset[str]
    globs: re.Pattern[str] | None

    @classmethod
    def build(cls, patterns: tuple[str, ...]) -> Exemptions:
        domains: set[str] = set()
        hosts: set[str] = set()
        globs: list[str] = []
        for pattern in patterns:
            rest = pattern[2:] if pattern.startswith("*.") else None
            if rest is not None and not _GLOB_CHARS & set(rest):
                domains.add(rest)
            elif _GLOB_CHARS & set(pattern):
                globs.append(translate(pattern))
            elif registrable_domain(pattern) == pattern:
                domains.add(pattern)
            else:
                hosts.add(pattern)
        joined = re.compile("|".join(f"(?:{g})" for g in globs)) if globs else None
        return cls(frozenset(domains), frozenset(hosts), joined)

    def covers(self, host: str) -> bool:
        if not host:
            return False
        if host in self.hosts:
            return True
        name = host
        while name:
            if name in self.domains:
                return True
            name = name.partition(".")[2]
        return self.globs is not None and self.globs.match(host) is not None


@dataclass(frozen=True, slots=True)
class NoticePolicy:
    """``[exit_notice]`` ready to apply."""

    selectors: frozenset[str]
    phrases: re.Pattern[str] | None
    routes: tuple[Route, ...]
    exempt: Exemptions
    drupal_extlink: bool
    # Destinations by URL, worked out once per process: a site's navigation links are on
    # every page, and each is checked against every route. Not part of the policy.
    _routed: Memo[str, tuple[Route, str] | None] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_routed", Memo(self._route, 1_000_000))

    def has_phrase(self, text: str) -> bool:
        if not text or self.phrases is None:
            return False
        return self.phrases.search(normalize_text(text)) is not None

    def destination(self, url: str) -> tuple[Route, str] | None:
        """The interstitial route ``url`` goes through and its decoded destination."""
        return self._routed[url]

    def _route(self, url: str) -> tuple[Route, str] | None:
        return next(
            ((route, found) for route in self.routes if (found := route.destination(url))), None
        )

    def is_interstitial_page(self, url: str) -> bool:
        return any(route.serves(url) for route in self.routes)


@lru_cache(maxsize=16)
def notice_policy(config: ExitNoticeConfig) -> NoticePolicy:
    """The compiled ``[exit_notice]``; cached, since every page of a crawl shares it."""
    phrases = sorted({normalize_text(p) for p in config.text if p.strip()}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(p) for p in phrases)) if phrases else None
    return NoticePolicy(
        selectors=frozenset(config.selectors),
        phrases=pattern,
        routes=tuple(compile_route(r) for r in config.interstitials),
        exempt=Exemptions.build(config.exempt),
        drupal_extlink=config.drupal_extlink,
    )
