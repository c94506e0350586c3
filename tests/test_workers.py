"""The analysis pool (linkguard/scan/pool.py) for real: worker processes analyse pages once
they have started, the crawl never waits for them to start, and a scan gives the same
results whether pages are analysed in the pool or in-process."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from linkguard.config import Policy
from linkguard.model import FetchedPage, SourceResult
from linkguard.results import to_json
from linkguard.scan import ScanRequest, make_scope, run_scan
from linkguard.scan import run as scan_run
from linkguard.scan.analysis import PageAnalysis, analyze_page
from linkguard.scan.phases import walk_site
from linkguard.scan.pipeline import Observed, walk
from linkguard.scan.pool import POOL_AFTER, Analyzer

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import gen_site  # noqa: E402

PAGES = 150


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    gen_site.generate(out, PAGES, seed=3)
    return out


def _pages(site: Path, target: str) -> list[FetchedPage]:
    urls = [target + path.relative_to(site).as_posix() for path in sorted(site.rglob("*.html"))]
    return [
        FetchedPage(url=url, final_url=url, status=200, depth=1, body=path.read_bytes())
        for url, path in zip(urls, sorted(site.rglob("*.html")), strict=True)
    ]


@pytest.mark.slow
def test_pages_go_to_the_workers_once_they_have_started_and_answer_the_same(site: Path) -> None:
    target = "https://www.example-watch.com/"
    policy = Policy()
    scope = make_scope(target, policy)
    pages = _pages(site, target)

    async def run() -> tuple[list[PageAnalysis], int, int, int]:
        analyzer = Analyzer(policy, scope, analyze_page, workers=2)
        try:
            results = []
            # As a crawl does, the pages keep coming (the site's pages again, if need be) while
            # the workers start: however slowly a loaded machine starts them, pages go to
            # them once they have answered, and never to a worker that has not.
            for sent, page in enumerate(itertools.cycle(pages), start=1):
                results.append(await analyzer.analyze(page))
                await asyncio.sleep(0.002)  # as a crawl does between pages: fetching
                if (sent >= len(pages) and analyzer.pooled) or sent >= 100 * len(pages):
                    return results, analyzer.pooled, sent, analyzer.preloaded
            raise AssertionError("unreachable")
        finally:
            analyzer.close()

    results, pooled, sent, preloaded = asyncio.run(run())
    assert len(pages) > POOL_AFTER + 50
    assert 0 < pooled <= sent - POOL_AFTER  # the rest were analysed while workers started
    # Forked from a forkserver that imported the analysis code once: no worker imports it.
    assert preloaded == 2
    expected = [analyze_page(page, policy, scope) for page in pages]
    assert results == [expected[i % len(pages)] for i in range(sent)]


def _scan_json(site: Path, workers: int) -> dict[str, object]:
    target = str(site)
    policy = Policy()
    request = ScanRequest(target, policy, make_scope(target, policy), policy.crawl, workers=workers)
    data = json.loads(to_json(run_scan(request)))
    data.pop("run")  # times
    return data


@pytest.mark.slow
def test_a_folder_scan_gives_the_same_results_with_or_without_the_pool(site: Path) -> None:
    pooled, alone = _scan_json(site, workers=2), _scan_json(site, workers=1)
    assert len(alone["pages"]) > POOL_AFTER  # type: ignore[arg-type]
    assert pooled == alone


@pytest.mark.slow
def test_pages_that_arrive_together_travel_to_the_workers_together(site: Path) -> None:
    target = "https://www.example-watch.com/"
    policy = Policy()
    scope = make_scope(target, policy)
    pages = _pages(site, target)

    async def run() -> tuple[list[PageAnalysis], int, int]:
        analyzer = Analyzer(policy, scope, analyze_page, workers=2)
        try:
            for page in pages[: POOL_AFTER + 1]:
                await analyzer.analyze(page)  # starts the pool
            while analyzer.pooled == 0:  # wait until the workers answer
                await analyzer.analyze(pages[0])
                await asyncio.sleep(0.05)
            before = analyzer.pooled, analyzer.tasks
            rest = pages[POOL_AFTER + 1 :]
            results = await asyncio.gather(*(analyzer.analyze(page) for page in rest))
            return results, analyzer.pooled - before[0], analyzer.tasks - before[1]
        finally:
            analyzer.close()

    results, pooled, tasks = asyncio.run(run())
    rest = _pages(site, target)[POOL_AFTER + 1 :]
    assert pooled == len(rest) and tasks == 2  # one task per worker, not one per page
    assert results == [analyze_page(page, policy, scope) for page in rest]


@pytest.mark.slow
def test_the_pool_starts_as_soon_as_the_scan_knows_it_will_be_big(site: Path) -> None:
    """Told how many pages are queued, the analyzer starts its pool at once when the scan is
    sure to pass POOL_AFTER pages, never for a scan of a few pages; the pages it analyses
    meanwhile are the same either way."""
    target = "https://www.example-watch.com/"
    policy = Policy()
    scope = make_scope(target, policy)
    pages = _pages(site, target)

    async def run(coming: int, workers: int) -> tuple[bool, PageAnalysis]:
        analyzer = Analyzer(policy, scope, analyze_page, workers=workers)
        try:
            analyzer.expect(coming)
            return analyzer.started, await analyzer.analyze(pages[0])
        finally:
            analyzer.close()

    # This page and POOL_AFTER - 1 queued behind it: POOL_AFTER pages in all, never a pool.
    assert asyncio.run(run(POOL_AFTER - 1, 2))[0] is False
    assert asyncio.run(run(POOL_AFTER, 1))[0] is False  # one worker: no pool
    big, first = asyncio.run(run(POOL_AFTER, 2))  # POOL_AFTER + 1 pages: the pool starts
    assert big is True
    # The first POOL_AFTER pages are analysed in-process whether or not a pool has started.
    assert first == analyze_page(pages[0], policy, scope)


@pytest.mark.slow
@pytest.mark.parametrize("scan", ["run_scan", "walk_site"])
def test_a_big_scan_starts_its_pool_before_its_first_page(
    site: Path, scan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways a scan walks its pages (``run_scan``; ``walk_site``, a portfolio's walk)
    tell the analyzer what is queued: a folder's files are known at once, so the pool is
    already starting when the first page is analysed, not after ``POOL_AFTER`` pages."""
    started_before: dict[Analyzer, list[bool]] = defaultdict(list)

    class Recording(Analyzer):  # the real analyzer, noting whether its pool had started
        async def analyze(self, result: SourceResult) -> PageAnalysis:
            started_before[self].append(self.started)
            return await super().analyze(result)

    monkeypatch.setattr(scan_run, "Analyzer", Recording)
    target = str(site)
    policy = Policy()
    request = ScanRequest(target, policy, make_scope(target, policy), policy.crawl, workers=2)
    if scan == "run_scan":
        run_scan(request)
    else:
        walk_site(request)
    [states] = started_before.values()
    assert len(states) == len(list(site.rglob("*.html"))) and states[0] is True


def test_the_walk_tells_how_many_pages_are_queued_before_each_page(site: Path) -> None:
    """A folder scan knows its files at once: the pool hears of them at the first page."""
    target = str(site)
    policy = Policy()
    request = ScanRequest(target, policy, make_scope(target, policy), policy.crawl)
    heard: list[int] = []

    class Count:
        async def page(self, page: SourceResult) -> Observed:
            return Observed(())

    asyncio.run(walk(request, Count(), ahead=heard.append))
    files = len(list(site.rglob("*.html")))
    assert len(heard) == files and heard[0] == files - 1 and heard[-1] == 0


@pytest.mark.slow
def test_pages_gather_while_every_worker_is_busy(site: Path) -> None:
    """A folder scan always has pages ready: while both workers have a task, the next
    pages wait and go together, rather than one task (and its fixed cost) per page."""
    target = "https://www.example-watch.com/"
    policy = Policy()
    scope = make_scope(target, policy)
    pages = _pages(site, target) * 3
    answers: list[PageAnalysis | None] = [None] * len(pages)
    todo = iter(range(len(pages)))

    async def run() -> tuple[int, int]:
        analyzer = Analyzer(policy, scope, analyze_page, workers=2)

        async def lane() -> None:  # as FolderSource's lanes: one page at a time each
            for index in todo:
                answers[index] = await analyzer.analyze(pages[index])

        try:
            await asyncio.gather(*(lane() for _ in range(16)))
            return analyzer.pooled, analyzer.tasks
        finally:
            analyzer.close()

    pooled, tasks = asyncio.run(run())
    assert pooled > 100 and tasks <= pooled / 3, (pooled, tasks)
    assert answers == [analyze_page(page, policy, scope) for page in pages]


@pytest.mark.slow
def test_a_worker_that_dies_loses_nothing(site: Path) -> None:
    """Killed workers (out of memory, say): every page is still analysed, in-process, and
    the scan neither hangs nor drops a page."""
    import os
    import signal

    target = "https://www.example-watch.com/"
    policy = Policy()
    scope = make_scope(target, policy)
    pages = _pages(site, target)

    async def run() -> list[PageAnalysis]:
        analyzer = Analyzer(policy, scope, analyze_page, workers=2)
        try:
            results = []
            for page in pages[: POOL_AFTER + 1]:
                results.append(await analyzer.analyze(page))
            while analyzer.pooled == 0:
                results.append(await analyzer.analyze(pages[len(results)]))
                await asyncio.sleep(0.05)
            pool = analyzer._pool
            assert pool is not None
            for process in list(pool._processes.values()):  # type: ignore[attr-defined]
                os.kill(process.pid, signal.SIGKILL)
            while not pool._broken:  # type: ignore[attr-defined]
                await asyncio.sleep(0.05)  # the pool knows; the next pages are sent anyway
            rest = pages[len(results) :]
            results += await asyncio.wait_for(
                asyncio.gather(*(analyzer.analyze(page) for page in rest)), timeout=60
            )
            return results
        finally:
            analyzer.close()

    assert asyncio.run(run()) == [analyze_page(page, policy, scope) for page in pages]
