"""Running a scan: one pipeline from a source through page analysis to the results.

``request`` says what to scan (target, policy, scope, limits); ``pipeline`` is the one loop
every command drives, with an observer per command: ``run`` (results, for ``scan``) and
``listing`` (reference rows, for ``links``); ``analysis`` turns one page into findings and
inventory (in a worker process, ``pool``); ``aggregate`` folds pages into a ScanResult;
``journal`` keeps a crawl's progress for ``--resume``.
"""

from __future__ import annotations

from linkguard.scan.listing import run_links
from linkguard.scan.pipeline import CrawlStats, ProgressCallback, make_source, walk
from linkguard.scan.request import ScanRequest, is_url, make_scope
from linkguard.scan.run import run_scan

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
