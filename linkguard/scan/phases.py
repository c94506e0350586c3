"""A browser-mode scan in pieces that can run on different machines: the walk, the visits of
any batch of the pages it found, and the fold of both into the results.

``run_scan`` walks and visits in one process. A portfolio run (``linkguard.portfolio``)
splits a large browser-mode site instead: ``walk_site`` once, ``visit_batch`` per batch of
``WalkedSite.to_visit`` (each anywhere), then ``fold_site``, which folds the walk's page
analyses and every visit into a ResultBuilder in the order ``run_scan`` does (pages as
walked, depths as the whole crawl knows them, then the visits), so the result is the one a
single run gives (``tests/test_portfolio_batches.py`` compares them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from linkguard.model import ScanResult
from linkguard.scan.aggregate import ResultBuilder
from linkguard.scan.analysis import PageAnalysis
from linkguard.scan.loop import run_loop
from linkguard.scan.pipeline import start_url, walk
from linkguard.scan.request import ScanRequest
from linkguard.scan.run import _Results, now, run_info, visit_and_judge
from linkguard.scan.runtime import RuntimeAnalysis, pages_to_visit


@dataclass(frozen=True, slots=True, kw_only=True)
class WalkedSite:
    """What a site's walk leaves for its visits and its results."""

    analyses: tuple[PageAnalysis, ...]  # in the order the walk folded them
    depths: tuple[tuple[str, int], ...]  # each page's depth as the whole crawl knows it
    not_crawled: tuple[tuple[str, int], ...]
    started: str
    finished: str
    complete: bool
    to_visit: tuple[str, ...]  # the pages browser mode visits (``pages_to_visit``)


def walk_site(request: ScanRequest) -> WalkedSite:
    """Walk the target (no visits) and keep every page's analysis."""
    return run_loop(_walk(request), browser=False)  # the visits run in visit_batch


async def _walk(request: ScanRequest) -> WalkedSite:
    kept: list[PageAnalysis] = []
    observer = _Results(request, keep=kept)
    try:
        walked = await walk(request, observer, ahead=observer.analyzer.expect)
    finally:
        observer.analyzer.close()
    builder = observer.builder
    builder.set_depths(walked.source.depth_of)
    return WalkedSite(
        analyses=tuple(kept),
        depths=tuple((page.url, page.depth) for page in builder.pages),
        not_crawled=tuple(sorted(walked.source.not_crawled().items())),
        started=walked.started,
        finished=walked.finished,
        complete=not walked.interrupted,
        to_visit=tuple(pages_to_visit(builder.pages, request.policy.browser.pages)),
    )


def visit_batch(request: ScanRequest, pages: Iterable[str]) -> tuple[RuntimeAnalysis, ...]:
    """Visit ``pages`` (some of ``WalkedSite.to_visit``) in ``request.chromium`` and judge
    each visit; sorted by page, so a batch's answer does not depend on which visit ended
    first. A signal that stops the visits raises ``InterruptedError``: a batch is whole or
    it is nothing, so the task that ran it is run again rather than half-counted."""
    assert request.chromium is not None, "visit_batch needs browser mode"
    visits: list[RuntimeAnalysis] = []
    stopped = asyncio.run(visit_and_judge(request, list(pages), visits.append, request.chromium))
    if stopped:
        raise InterruptedError("the visits were stopped by a signal")
    return tuple(sorted(visits, key=lambda v: v.page))


def fold_site(
    request: ScanRequest, walked: WalkedSite, visits: Iterable[RuntimeAnalysis]
) -> ScanResult:
    """The site's results from its walk and the visits of all its batches (``request`` as
    for ``walk_site``; its ``chromium`` only says browser mode is on: nothing is visited
    here, so the machine that folds needs no browser)."""
    builder = ResultBuilder(request.policy, request.scope)
    for analysis in walked.analyses:
        builder.add(analysis)
    depths = dict(walked.depths)
    builder.set_depths(depths.get)
    finished = walked.finished
    if walked.complete and request.chromium is not None:
        for visit in visits:
            builder.add_runtime(visit)
        finished = now()
    return builder.build(
        run_info(request, walked.started, finished, complete=walked.complete),
        partial=request.partial,
        not_crawled=dict(walked.not_crawled),
        start=start_url(request),
    )
