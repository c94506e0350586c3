"""Running a scan: one pipeline from a source through page analysis to the results.

``request`` says what to scan (target, policy, scope, limits); ``pipeline`` is the one loop
every command drives; ``analysis`` turns one page into findings and inventory (in a worker
process, ``pool``); ``aggregate`` folds pages into a ScanResult; ``journal`` keeps a crawl's
progress for ``--resume``.
"""

from __future__ import annotations

from linkguard.scan.request import ScanRequest, is_url, make_scope, make_source, run_links, run_scan

__all__ = ["ScanRequest", "is_url", "make_scope", "make_source", "run_links", "run_scan"]
