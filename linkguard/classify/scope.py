"""Party of a URL: first (the site's own), third (someone else's), none (not the web), invalid.

The registrable domain comes from the full public suffix list, private section included
(so ``alice.github.io`` and ``bob.github.io`` are different parties), read from the
snapshot that ships inside tldextract (``_suffixes.py``): it is never downloaded, at run or
test time.

A host is first party when it is the origin's host, lies under the origin's registrable
domain, lies under a first-party entry that is a registrable domain, or equals a
first-party entry that is a host. Everything else on http(s) is third party.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import linkguard.classify.urls as urls
from linkguard._memo import Memo
from linkguard.classify._suffixes import suffix_start
from linkguard.model import Boundary, Party

# The dots a host may be written with (IDNA's full stops), as tldextract reads them.
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
# Schemes with a host that a visitor's browser would contact.
_NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """``example.co.uk`` for ``www.example.co.uk``; the host itself for IPs, ``localhost``
    and public suffixes, which have no registrable domain of their own."""
    host = host.rstrip(".").lower()
    if not host or host.startswith("[") or _is_ipv4(host):
        return host
    labels = (host if host.isascii() else host.translate(_DOTS).rstrip(".")).split(".")
    start = suffix_start(labels)
    if not start or not labels[start - 1]:  # no suffix, or nothing before it
        return host
    return ".".join(labels[start - 1 :])


def _is_ipv4(host: str) -> bool:
    return host.replace(".", "").isdigit()


def is_within(host: str, domain: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains (label-wise, not by suffix)."""
    return host == domain or host.endswith("." + domain)


@dataclass(frozen=True, slots=True)
class Scope:
    """The site's first-party boundary: its origin and the domains and hosts it owns."""

    origin: str
    first_party_sites: frozenset[str]  # registrable domains: they and their subdomains
    first_party_hosts: frozenset[str]  # exact hosts
    # Boundaries by URL, made once per process (a site's navigation is on every page);
    # not part of what a scope is: left out of equality, hashing and its repr.
    _known: Memo[str, Boundary] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_known", Memo(functools.partial(_boundary, self), 1_000_000))

    @classmethod
    def build(cls, origin: str, first_party: Iterable[str] = ()) -> Scope:
        """A scope from an origin URL and first-party entries (domains or hosts)."""
        origin_host = urls.host_of(origin)
        sites = {registrable_domain(origin_host)} if origin_host else set()
        hosts = {origin_host} if origin_host else set()
        for entry in first_party:
            name = urls.to_ascii_host(entry)
            if not name:
                continue
            if registrable_domain(name) == name:
                sites.add(name)
            else:
                hosts.add(name)
        return cls(urls.origin_of(origin) or origin, frozenset(sites), frozenset(hosts))

    def __reduce__(self) -> tuple[type[Scope], tuple[str, frozenset[str], frozenset[str]]]:
        """Pickled (to a worker) without the boundaries it knows."""
        return Scope, (self.origin, self.first_party_sites, self.first_party_hosts)

    @property
    def entries(self) -> tuple[str, ...]:
        """The effective first-party set, sorted: what a run records and prints."""
        return tuple(sorted(self.first_party_sites | self.first_party_hosts))

    def party_of_host(self, host: str) -> tuple[Party, str]:
        if host in self.first_party_hosts:
            return Party.FIRST, f"first-party host {host}"
        site = registrable_domain(host)
        if site in self.first_party_sites:
            return Party.FIRST, f"first-party site {site}"
        return Party.THIRD, f"registrable domain {site} is not first party"

    def classify(self, url: str | None) -> Boundary:
        """The Boundary of an absolute URL (None: one a browser would not parse)."""
        return _INVALID if url is None else self._known[url]

    def classify_href(self, raw: str, base: str | None = None) -> Boundary:
        """Resolve ``raw`` against ``base`` (the origin by default), then classify it."""
        return self.classify(urls.resolve(raw, base or self.origin + "/"))


_INVALID = Boundary(None, "", "", Party.INVALID, "not a valid URL")


def _boundary(scope: Scope, url: str) -> Boundary:
    scheme = urls.scheme_of(url)
    if scheme not in _NETWORK_SCHEMES:
        reason = f"{scheme or 'no'} scheme is not a web destination"
        return Boundary(url, "", "", Party.NONE, reason)
    host = urls.host_of(url)
    if not host:
        return Boundary(url, "", "", Party.INVALID, "URL has no host")
    party, reason = scope.party_of_host(host)
    return Boundary(url, host, registrable_domain(host), party, reason)
