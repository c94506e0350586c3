"""What the crawler may request: origins, not hosts.

A port is another server. Scoped by host alone, a crawl of ``http://127.0.0.1:8000`` also
fetched what a page, a robots.txt ``Sitemap:`` line, a sitemap index or a redirect named on
``127.0.0.1:6379`` or on port 80 of the same machine, and a sitemap on any host at all. The
crawler requests a URL only when it is on:

- the target's origin (scheme, host and port);
- an origin ``[crawl] origins`` declares (a first-party host on a port of its own);
- the default port of its scheme (http 80, https 443) of a first-party host (the site's
  registrable domain and its subdomains, ``[site] first_party``), as before, unless that
  host is a target's host on a port of its own: a site served on ``:8000`` owns that port,
  not the machine's other servers.

It must be first party as well (``classify.scope``). Classification itself is unchanged: a
URL's party, in findings and the inventory, is its registrable domain's, whatever the port.
A crawl of a copy (``sources/mirror.py``) requests only the copy's own origin.

``Limits`` is the rest of what keeps a URL out: ``[crawl] max_depth``, ``max_pages`` and
``max_per_pattern``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.model import Party
from linkguard.policy import CrawlConfig
from linkguard.sources.mirror import Mirror


@dataclass(frozen=True, slots=True)
class Reach:
    """The origins one crawl may request."""

    scope: Scope
    origins: frozenset[str]  # the targets' origins and the declared ones
    own_port_hosts: frozenset[str]  # hosts of targets on a port of their own
    mirror: Mirror | None = None

    @classmethod
    def of(
        cls,
        seeds: Iterable[str],
        scope: Scope,
        declared: Iterable[str] = (),
        mirror: Mirror | None = None,
    ) -> Reach:
        seeds = tuple(seeds)
        origins = {urls.origin_of(url) for url in (*seeds, *declared)}
        own_port = {urls.host_of(s) for s in seeds if not _on_default_port(s)}
        return cls(scope, frozenset(origins - {""}), frozenset(own_port - {""}), mirror)

    def allows(self, url: str) -> bool:
        """Whether the crawl may request ``url`` (an absolute, WHATWG-serialised URL)."""
        if urls.scheme_of(url) not in urls.WEB_SCHEMES:
            return False
        if self.scope.classify(url).party is not Party.FIRST:
            return False
        if urls.origin_of(url) in self.origins:
            return True
        return _on_default_port(url) and urls.host_of(url) not in self.own_port_hosts

    def where(self, url: str) -> str | None:
        """Where a URL the crawler learns by itself (a robots.txt ``Sitemap:`` line, a
        sitemap index entry, a redirect) is requested: on a copy of the site, from the copy;
        otherwise as it is, when the crawl may request it. None: not at all."""
        if self.mirror is not None:
            return self.mirror.local(url)
        return url if self.allows(url) else None


def _on_default_port(url: str) -> bool:
    parsed = urls.parse(url)
    return parsed is not None and parsed.port == ""


class Limits:
    """The crawl limits that keep a URL out: depth, pages, and pages per path pattern."""

    def __init__(self, crawl: CrawlConfig) -> None:
        self.crawl = crawl
        self._patterns: Counter[str] = Counter()  # pages queued (or restored) per pattern

    def count(self, url: str) -> None:
        """A page queued or restored: one more of its path pattern."""
        if self.crawl.max_per_pattern:
            self._patterns[path_pattern(url)] += 1

    def refusing(self, key: str, depth: int, pages: int) -> str:
        """The limit that keeps ``key`` (at ``depth``, with ``pages`` seen) out, or ""; a
        URL let in is counted."""
        if depth > self.crawl.max_depth:
            return "max_depth"
        if pages >= self.crawl.max_pages:
            return "max_pages"
        if self.crawl.max_per_pattern:
            pattern = path_pattern(key)
            if self._patterns[pattern] >= self.crawl.max_per_pattern:
                return "max_per_pattern"  # a crawler trap: an endless calendar, ids in paths
            self._patterns[pattern] += 1
        return ""


def path_pattern(url: str) -> str:
    """The shape of a URL's path: digits folded, so /cal/2031/05 and /cal/1999/12 are alike
    (``[crawl] max_per_pattern``, the limit on a crawler trap)."""
    return _DIGITS.sub("0", urls.path_of(url).partition("?")[0])


_DIGITS = re.compile(r"\d+")
