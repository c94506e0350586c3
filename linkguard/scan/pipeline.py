"""The one loop every command drives: a source's pages, read as the site, through an observer.

    source (http | folder | templates)  ->  MirroredSource when crawling a copy
        ->  observer.page(page)          what a command makes of one page; returns the
                                         first-party links to follow and whether it failed
        ->  source follows the links     (a folder reads every file anyway)

``scan`` observes pages into results (``scan/run.py``), ``links`` into reference rows
(``scan/listing.py``), ``init`` into a results and a notice survey (``draft/survey.py``).
The loop owns what they share: building the source for the target, the copy-to-origin
mapping, Ctrl-C and SIGTERM (the source stops; what was observed is kept), and progress.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from linkguard.classify import urls
from linkguard.model import FailedPage, SkippedPage, SourceResult
from linkguard.scan.request import ScanRequest, is_url
from linkguard.sources import Restored, Source
from linkguard.sources.folder import FolderSource
from linkguard.sources.mirror import Mirror, MirroredSource
from linkguard.sources.templates import TemplateSource


@dataclass(frozen=True, slots=True)
class CrawlStats:
    """Progress of a running scan, for a progress display: one phase's counts (``crawl``:
    the walk over the pages; ``browser``: the visits of browser mode, ``queued`` being the
    visits still to make), and the page just done with what became of it (``note``: "" when
    it was read; why it failed or was skipped otherwise)."""

    pages_done: int
    queued: int
    errors: int
    elapsed: float
    phase: str = "crawl"
    url: str = ""
    note: str = ""

    @property
    def rate(self) -> float:
        return self.pages_done / self.elapsed if self.elapsed > 0 else 0.0


ProgressCallback = Callable[[CrawlStats], None]


@dataclass(frozen=True, slots=True)
class Observed:
    """What an observer made of one page."""

    follow: Sequence[str]  # first-party URLs (on the site's origin) the page links to
    failed: bool = False  # the page could not be scanned (counted in the progress)


class Observer(Protocol):
    """What one command makes of the pages of a scan."""

    async def page(self, page: SourceResult) -> Observed:
        """Observe one page, already on the site's origin."""
        ...


@dataclass(frozen=True, slots=True)
class Walk:
    """How a walk over the target went."""

    source: Source  # asked afterwards for depths and what limits kept out
    started: str
    finished: str
    interrupted: bool  # Ctrl-C or SIGTERM: the pages observed so far are all there is


def make_source(request: ScanRequest) -> Source:
    """The source that reads ``request.target``, mapped onto the site's origin when the
    target is a copy of the site (another origin than ``site.origin``)."""
    served = urls.origin_of(request.target) if is_url(request.target) else ""
    copy = served and served != request.scope.origin
    mirror = Mirror(served, request.scope.origin) if copy else None
    source: Source
    if request.templates is not None:
        source = TemplateSource(
            Path(request.target),
            request.scope.origin,
            list(request.templates),
            max_bytes=request.crawl.max_bytes,
            engine=request.policy.templates.engine,
        )
    elif is_url(request.target):
        # Imported here: the crawler brings httpx, which a folder or template scan (a CI
        # gate's) would otherwise load for nothing (~50 ms of every such run).
        from linkguard.sources.http import HttpCrawler

        source = HttpCrawler(
            [request.target],
            request.scope,
            request.crawl,
            transport=request.transport,
            mirror=mirror,  # what the crawler learns itself (sitemaps, redirects) maps too
        )
    else:
        source = FolderSource(
            Path(request.target),
            request.scope.origin,
            max_pages=request.crawl.max_pages,
            max_bytes=request.crawl.max_bytes,
        )
    return source if mirror is None else MirroredSource(source, mirror)


def start_url(request: ScanRequest) -> str | None:
    """The start page's URL as the pages of the walk record it: the target URL, normalised
    as the crawler queues it, on the site's origin. None when the target is a folder or
    template sources, which have no start page."""
    if request.templates is not None or not is_url(request.target):
        return None
    ignored = urls.DEFAULT_IGNORED_PARAMS | {p.lower() for p in request.crawl.ignore_params}
    url = urls.normalize(request.target, ignored)
    served = urls.origin_of(request.target)
    if served and served != request.scope.origin:
        return Mirror(served, request.scope.origin).to_site(url)
    return url


async def walk(
    request: ScanRequest,
    observer: Observer,
    *,
    progress: ProgressCallback | None = None,
    resume: Callable[[], Sequence[Restored]] | None = None,
    ahead: Callable[[int], None] | None = None,
) -> Walk:
    """Hand every page of the target to ``observer`` until the source is done or a signal
    stops it. With ``resume`` (``--resume``) the source continues an interrupted run: the
    pages ``resume()`` gives are not read again. ``ahead(n)`` hears, before each page is
    observed, how many pages the source has queued (the analysis pool starts early)."""
    started = _now()
    source = make_source(request)
    if resume is not None:
        source.restore(resume)
    loop = asyncio.get_running_loop()
    clock = loop.time()
    done = failed = 0
    interrupted = False

    def stop() -> None:
        nonlocal interrupted
        interrupted = True
        source.stop()

    async def visit(page: SourceResult) -> Sequence[str]:
        nonlocal done, failed
        if ahead is not None:
            ahead(source.queued())
        observed = await observer.page(page)
        done += 1
        failed += observed.failed
        if progress is not None:
            elapsed = loop.time() - clock
            note = _note(page, failed=observed.failed)
            progress(CrawlStats(done, source.queued(), failed, elapsed, url=page.url, note=note))
        return observed.follow

    installed = _install_signal_handlers(loop, stop)
    try:
        await source.run(visit)
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    return Walk(source, started, _now(), interrupted)


def _note(page: SourceResult, *, failed: bool) -> str:
    """What became of a page, for the progress display: "" when it was read."""
    if isinstance(page, FailedPage):
        return f"failed: {page.error}"
    if isinstance(page, SkippedPage):
        return f"skipped: not HTML ({page.content_type}), listed, not parsed"
    return "failed: could not be scanned" if failed else ""


def _install_signal_handlers(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], None]
) -> list[int]:
    installed: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass
    return installed


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
