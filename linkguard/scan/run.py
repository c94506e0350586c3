"""``linkguard scan``: the pipeline observed into results.

Each page is analysed (in a process pool once the scan is big, ``pool.py``) and folded into
the ResultBuilder (``aggregate.py``); with ``--resume`` every page done is journaled
(``journal.py``) and a rerun continues where an interrupted one stopped. A signal ends the
walk early: the result is then marked incomplete, and holds every page done so far.

In browser mode (``request.chromium``) the pages the walk read are then visited in
Chromium (``linkguard.browser``), and each visit is judged (``runtime.py``) and folded in.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from linkguard.browser import Visit
from linkguard.classify import urls
from linkguard.model import RunInfo, ScanResult, SourceResult
from linkguard.scan.aggregate import ResultBuilder
from linkguard.scan.analysis import PageAnalysis, analyze_page
from linkguard.scan.journal import CrawlState, DonePage, identity
from linkguard.scan.loop import run_loop
from linkguard.scan.pipeline import CrawlStats, Observed, ProgressCallback, start_url, walk
from linkguard.scan.pool import Analyzer
from linkguard.scan.request import ScanRequest
from linkguard.scan.runtime import RuntimeAnalysis, analyze_visit, pages_to_visit
from linkguard.sources import Restored
from linkguard.sources.mirror import Mirror
from linkguard.sources.templates import work_tree_of


class _Results:
    """Observes pages into a ResultBuilder (and the resume journal, when there is one)."""

    def __init__(self, request: ScanRequest, keep: list[PageAnalysis] | None = None) -> None:
        self.request = request
        self.keep = keep  # every analysis, in the order folded (phases.py), when given
        self.builder = ResultBuilder(request.policy, request.scope)
        if request.check_external:
            self.builder.outbound = {}
        self.analyzer = Analyzer(
            request.policy, request.scope, analyze_page, workers=request.workers
        )
        self.journal: CrawlState | None = None

    def resume(self) -> list[Restored]:
        """Open the crawl's state file (``--resume``): the pages an interrupted run finished
        are folded in, and handed to the source, which will not read them again."""
        request = self.request
        assert request.resume is not None
        key = identity(
            request.target, request.scope.origin, request.scope.entries, request.policy.sha256
        )
        self.journal = CrawlState.open(request.resume, key)
        for done in self.journal.done:
            self.builder.add(done.analysis)
        return [
            Restored(url=p.url, depth=p.depth, hops=p.hops, follow=p.follow)
            for p in self.journal.done
        ]

    async def page(self, page: SourceResult) -> Observed:
        analysis = await self.analyzer.analyze(page)
        self.builder.add(analysis)
        if self.keep is not None:
            self.keep.append(analysis)
        if self.journal is not None:
            hops = getattr(page, "redirects", ())
            self.journal.record(
                DonePage(
                    url=page.url,
                    depth=page.depth,
                    hops=tuple(hop[1] for hop in hops),
                    follow=analysis.follow,
                    analysis=analysis,
                )
            )
        return Observed(analysis.follow, failed=analysis.record.error is not None)


def run_scan(request: ScanRequest, progress: ProgressCallback | None = None) -> ScanResult:
    """Scan the target; on SIGINT/SIGTERM stop early and return what was found, incomplete."""
    return run_loop(_scan(request, progress), browser=request.chromium is not None)


async def _scan(request: ScanRequest, progress: ProgressCallback | None) -> ScanResult:
    observer = _Results(request)
    builder = observer.builder
    resume = observer.resume if request.resume is not None else None
    interrupted = True  # until the walk says otherwise: an exception is not a finished crawl
    try:
        walked = await walk(
            request, observer, progress=progress, resume=resume, ahead=observer.analyzer.expect
        )
        interrupted = walked.interrupted
        if builder.outbound and not interrupted:
            # --check-external's requests go through httpx: imported only when it runs.
            from linkguard.sources.external import check_links
            from linkguard.sources.http import user_agent

            builder.file_broken_links(
                await check_links(
                    builder.outbound,
                    user_agent=user_agent(request.crawl),
                    timeout=min(request.crawl.timeout, 10.0),
                    concurrency=request.crawl.concurrency,
                    transport=request.transport,
                    proxy=request.crawl.proxy,
                    system_certs=request.crawl.system_certs,
                    allow_private=request.crawl.allow_private_addresses,
                    cache=request.link_cache,
                )
            )
    finally:
        observer.analyzer.close()
        if observer.journal is not None:
            observer.journal.close(finished=not interrupted)
    builder.set_depths(walked.source.depth_of)
    finished = walked.finished
    if request.chromium is not None and not interrupted:
        interrupted = await browse(request, builder, request.chromium, progress)
        finished = now()
    run = run_info(request, walked.started, finished, complete=not interrupted)
    return builder.build(
        run,
        partial=request.partial,
        not_crawled=walked.source.not_crawled(),
        start=start_url(request),
    )


def _work_tree(target: str) -> dict[str, str]:
    """``repository`` and ``repository_folder`` of a scanned folder in a git work tree."""
    if urls.scheme_of(target) in urls.WEB_SCHEMES:
        return {}
    found = work_tree_of(Path(target))
    return {} if found is None else {"repository": found[0], "repository_folder": found[1]}


def now() -> str:
    """The time as the results record it: UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def run_info(request: ScanRequest, started: str, finished: str, *, complete: bool) -> RunInfo:
    """The results' ``run``: what was scanned, with what policy, when, and whether it ended."""
    return RunInfo(
        target=request.target,
        origin=request.scope.origin,
        first_party=request.scope.entries,
        started=started,
        finished=finished,
        config=request.policy.path,
        config_sha256=request.policy.sha256,
        complete=complete,
        fail_on=request.fail_on,
        max_failed_share=request.crawl.max_failed_share,
        changed_since=request.changed_since,
        **_work_tree(request.target),
    )


async def browse(
    request: ScanRequest,
    builder: ResultBuilder,
    chromium: str,
    progress: ProgressCallback | None = None,
) -> bool:
    """Visit the pages the walk read in Chromium and fold in what each visit observed; True
    when Ctrl-C or SIGTERM stopped it (the visits finished so far are kept). ``scan`` and
    ``init`` call it after their walk; ``progress`` hears of each page visited (phase
    ``browser``: pages done, pages still to visit, pages whose visit failed)."""
    pages = pages_to_visit(builder.pages, request.policy.browser.pages)
    return await visit_and_judge(request, pages, builder.add_runtime, chromium, progress)


async def visit_and_judge(
    request: ScanRequest,
    pages: list[str],
    fold_one: Callable[[RuntimeAnalysis], None],
    chromium: str,
    progress: ProgressCallback | None = None,
) -> bool:
    """Visit ``pages`` (on the site's origin) in Chromium and hand ``fold_one`` each visit
    judged, as visits end; True when Ctrl-C or SIGTERM stopped the visits."""
    from linkguard.browser.run import visit_pages  # Playwright, only in browser mode

    served = urls.origin_of(request.target)
    mirror = Mirror(served, request.scope.origin) if served != request.scope.origin else None
    page_of = {(mirror.to_served(page) if mirror else page): page for page in pages}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    clock = loop.time()
    done = failed = 0
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass

    def fold(visits: list[Visit]) -> None:  # a page's visits, phases in order, as they end
        nonlocal done, failed
        for visit in visits:
            page = page_of[visit.url]
            fold_one(analyze_visit(visit, page, request.policy, request.scope))
        done += 1
        failed += any(visit.error is not None for visit in visits)
        if progress is not None:
            elapsed = loop.time() - clock
            progress(CrawlStats(done, len(page_of) - done, failed, elapsed, phase="browser"))

    try:
        await visit_pages(
            list(page_of),
            fold,
            chromium=chromium,
            config=request.policy.browser,
            scope=request.scope,
            stop=stop,
        )
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    return stop.is_set()
