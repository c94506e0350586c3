"""Which ``[[third_party]]`` entry declares a third-party reference, if any.

A ``hosts`` entry is a registrable domain (covers its subdomains), an exact host, or a URL
prefix (``https://cdn.jsdelivr.net/npm/swiper@``) that matches only URLs starting with it.
An entry with ``kinds`` declares only references of those kinds.
"""

from __future__ import annotations

from linkguard import urls
from linkguard.boundary import is_within, registrable_domain
from linkguard.config import Policy, ThirdPartyDecl
from linkguard.model import Kind


def host_matches(entry: str, url: str, host: str) -> bool:
    """True when one ``hosts`` entry of a declaration covers ``url`` on ``host``."""
    if "://" in entry:
        return url.startswith(entry)
    name = urls.to_ascii_host(entry)
    if registrable_domain(name) == name:
        return is_within(host, name)
    return host == name


def declaration_for(url: str, host: str, kind: Kind | None, policy: Policy) -> ThirdPartyDecl | None:
    """The first declaration whose hosts cover ``url`` and whose kinds admit ``kind``.

    ``kind=None`` asks whether any declaration names the host at all (for the inventory).
    """
    for decl in policy.third_parties:
        if kind is not None and decl.kinds is not None and kind not in decl.kinds:
            continue
        if any(host_matches(entry, url, host) for entry in decl.hosts):
            return decl
    return None
