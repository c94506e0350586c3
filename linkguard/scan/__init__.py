"""Running a scan: one pipeline from a source through page analysis to the results.

``request`` says what to scan (target, policy, scope, limits); ``pipeline`` is the one loop
every command drives, with an observer per command: ``run`` (results, for ``scan``) and
``listing`` (reference rows, for ``links``); ``analysis`` turns one page into findings and
inventory (in a worker process, ``pool``); ``aggregate`` folds pages into a ScanResult;
``journal`` keeps a crawl's progress for ``--resume``.

The names below are imported when first used, not with the package: a worker process of
the analysis pool imports ``linkguard.scan.analysis``, which loads this package first, and
should not pay for the crawler, the HTTP client and the reporters it never runs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkguard.scan.listing import run_links
    from linkguard.scan.pipeline import CrawlStats, ProgressCallback, make_source, walk
    from linkguard.scan.request import ScanRequest, is_url, make_scope
    from linkguard.scan.run import run_scan

_HOMES = {
    "CrawlStats": "pipeline",
    "ProgressCallback": "pipeline",
    "ScanRequest": "request",
    "is_url": "request",
    "make_scope": "request",
    "make_source": "pipeline",
    "run_links": "listing",
    "run_scan": "run",
    "walk": "pipeline",
}

__all__ = [
    "CrawlStats",
    "ProgressCallback",
    "ScanRequest",
    "is_url",
    "make_scope",
    "make_source",
    "run_links",
    "run_scan",
    "walk",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once: later lookups are plain attribute reads
    return value
