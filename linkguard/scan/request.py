"""What to scan: the target, the policy, the first-party scope and the crawl's limits."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.policy import CrawlConfig, Policy

if TYPE_CHECKING:  # httpx is the crawl's: a folder or template scan never imports it
    import httpx

    from linkguard.sources.external import LinkCache

DEFAULT_FOLDER_ORIGIN = "http://localhost"


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """Everything one scan needs, resolved from the CLI and the policy."""

    target: str
    policy: Policy
    scope: Scope
    crawl: CrawlConfig
    _: KW_ONLY
    fail_on: str = "error"
    transport: httpx.AsyncBaseTransport | None = None  # tests inject faults here
    templates: tuple[Path, ...] | None = None  # template mode: these files, judged in place
    partial: bool = False  # a deliberate subset (--changed-since): no unused-declaration
    changed_since: str | None = None  # the git revision of --changed-since, for the results
    workers: int | None = None  # processes that analyse pages; None: one per core
    check_external: bool = False  # request each outbound link once: broken-outbound-link
    resume: Path | None = None  # a crawl's state file (--resume): continued, and kept up
    chromium: str | None = None  # browser mode: visit the crawled pages with this Chromium
    link_cache: LinkCache | None = None  # --check-external answers kept by --history


def is_url(target: str) -> bool:
    return urls.scheme_of(target) in urls.WEB_SCHEMES


def origin_for(target: str, policy: Policy) -> str:
    """The origin a scan runs under: the policy's, else the target URL's, else localhost."""
    if policy.site.origin:
        return policy.site.origin
    if is_url(target):
        return urls.origin_of(target)
    return DEFAULT_FOLDER_ORIGIN


def origin_assumed(target: str, policy: Policy) -> bool:
    """True when a folder is read with no site origin to read it as: it is then read as
    ``DEFAULT_FOLDER_ORIGIN``, a plain-http origin, and judged as such (every form an
    ``insecure-form``)."""
    return not policy.site.origin and not is_url(target)


def make_scope(target: str, policy: Policy) -> Scope:
    """The first-party boundary: the origin, the policy's first-party list, and the host of a
    crawled target (the live site, or a staging copy on 127.0.0.1, is ours by definition)."""
    first_party = policy.site.first_party
    if is_url(target) and urls.host_of(target):
        first_party = (*first_party, urls.host_of(target))
    return Scope.build(origin_for(target, policy), first_party)
