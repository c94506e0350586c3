"""Who is behind a third-party host: entity, company and category from third-party-web.

The snapshot (``linkguard/data/third_party_web.json``, MIT, attribution in
``THIRD_PARTY_WEB.md``) only **names** hosts for the inventory; it never declares anything:
only the site's ``[[third_party]]`` entries do (ARCHITECTURE.md, «Naming third parties»).

Matching uses our public suffix logic, not the dataset's regular expressions:

- an exact entry (``fonts.googleapis.com``) names that host only;
- a wildcard entry (``*.hotjar.com``) names ``hotjar.com`` and every host within it;
- the most specific entry wins (the host itself, then each parent domain in turn);
- a lookup never climbs above the host's registrable domain, private section of the list
  included: ``*.github.io`` does not name ``alice.github.io``, which on the public suffix
  list is Alice's own site, and ``*.net.pl`` does not name every ``.net.pl`` site.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from linkguard.classify.scope import is_within, registrable_domain


@dataclass(frozen=True, slots=True)
class Vendor:
    """A third-party-web entity: who runs a host, and what it is for."""

    name: str
    company: str
    category: str


@dataclass(frozen=True, slots=True)
class VendorIndex:
    """The dataset keyed for O(labels) lookups."""

    exact: dict[str, Vendor]
    wildcard: dict[str, Vendor]  # "*.x" stored under "x"
    version: str

    def lookup(self, host: str) -> Vendor | None:
        """The entity that runs ``host``, or None when the dataset does not know it."""
        host = host.rstrip(".").lower()
        if not host:
            return None
        found = self.exact.get(host)
        if found is not None:
            return found
        floor = registrable_domain(host)
        name = host
        while is_within(name, floor):
            found = self.wildcard.get(name)
            if found is not None:
                return found
            if name == floor:
                break
            name = name.partition(".")[2]
        return None


def build_index(entities: list[dict[str, object]], version: str = "") -> VendorIndex:
    """An index over entities shaped like ``dist/entities.json`` (name, company?, category,
    domains)."""
    exact: dict[str, Vendor] = {}
    wildcard: dict[str, Vendor] = {}
    for entity in entities:
        name = str(entity["name"])
        vendor = Vendor(name, str(entity.get("company") or name), str(entity["category"]))
        domains = entity.get("domains")
        for domain in domains if isinstance(domains, list) else ():
            pattern = str(domain).strip().lower()
            if pattern.startswith("*."):
                wildcard.setdefault(pattern[2:], vendor)
            else:
                exact.setdefault(pattern, vendor)
    return VendorIndex(exact, wildcard, version)


@cache
def default_index() -> VendorIndex:
    """The bundled snapshot, read once per process."""
    text = resources.files("linkguard.data").joinpath("third_party_web.json").read_text("utf-8")
    data = json.loads(text)
    return build_index(data["entities"], str(data["snapshot"]["version"]))


def vendor_of(host: str) -> Vendor | None:
    """Who runs ``host``, from the bundled third-party-web snapshot."""
    return default_index().lookup(host)
