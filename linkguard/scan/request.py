"""The orchestration: source -> analysis (``analysis.py``) -> results (``builder.py``).

``run_scan`` wires a source to the page analysis (in a process pool once a scan is big) and
to the ResultBuilder, and turns Ctrl-C or SIGTERM into a partial, clearly incomplete result.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.config import CrawlConfig, Policy
from linkguard.errors import ConfigError
from linkguard.model import (
    CrawlStats,
    FailedPage,
    FetchedPage,
    Party,
    RunInfo,
    ScanResult,
    SkippedPage,
    SourceResult,
    UnreadFile,
    loaded,
)
from linkguard.scan.aggregate import ResultBuilder
from linkguard.scan.analysis import FOLLOWED, analyze_page, reference_rows
from linkguard.scan.journal import CrawlState, DonePage, identity
from linkguard.scan.pool import Analyzer
from linkguard.sources import Source
from linkguard.sources.external import check_links
from linkguard.sources.folder import FolderSource
from linkguard.sources.http import HttpCrawler, user_agent
from linkguard.sources.templates import TemplateSource

DEFAULT_FOLDER_ORIGIN = "http://localhost"


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """Everything one scan needs, resolved from the CLI and the policy."""

    target: str
    policy: Policy
    scope: Scope
    crawl: CrawlConfig
    fail_on: str = "error"
    transport: httpx.AsyncBaseTransport | None = None  # tests inject faults here
    templates: tuple[Path, ...] | None = None  # template mode: these files, judged in place
    partial: bool = False  # a deliberate subset (--changed-since): no unused-declaration
    workers: int | None = None  # processes that analyse pages; None: one per core
    check_external: bool = False  # request each outbound link once: broken-outbound-link
    resume: Path | None = None  # a crawl's state file (--resume): continued, and kept up


def is_url(target: str) -> bool:
    return urls.scheme_of(target) in urls.WEB_SCHEMES


def origin_for(target: str, policy: Policy) -> str:
    """The origin a scan runs under: the policy's, else the target URL's, else localhost."""
    if policy.site.origin:
        return policy.site.origin
    if is_url(target):
        return urls.origin_of(target)
    return DEFAULT_FOLDER_ORIGIN


def make_scope(target: str, policy: Policy) -> Scope:
    """The first-party boundary: the origin, the policy's first-party list, and the host of a
    crawled target (the live site, or a staging copy on 127.0.0.1, is ours by definition)."""
    first_party = policy.site.first_party
    if is_url(target) and urls.host_of(target):
        first_party = (*first_party, urls.host_of(target))
    return Scope.build(origin_for(target, policy), first_party)


@dataclass(frozen=True, slots=True)
class Mirror:
    """Reports a site crawled from a copy (staging, or 127.0.0.1) under its real origin.

    When the policy's ``site.origin`` differs from the crawled target's origin, page URLs are
    rewritten to the site origin before they are parsed (so references resolve, and findings
    are fingerprinted, as on the live site, exactly like a folder scan), and the links to
    follow are rewritten back to the copy.
    """

    served: str  # the crawled copy's origin: http://127.0.0.1:8123
    origin: str  # the site's origin: https://www.example.com

    @classmethod
    def between(cls, target: str, origin: str) -> Mirror | None:
        served = urls.origin_of(target) if is_url(target) else ""
        return cls(served, origin) if served and served != origin else None

    def to_site(self, url: str) -> str:
        return _rebase(url, self.served, self.origin)

    def to_served(self, url: str) -> str:
        return _rebase(url, self.origin, self.served)

    def serves(self, url: str) -> bool:
        """Whether ``url`` (on the site's origin) is a page of the copy."""
        return url == self.origin or url.startswith(self.origin + "/")

    def page(self, result: SourceResult) -> SourceResult:
        result = loaded(result)
        hops = (
            tuple((self.to_site(a), self.to_site(b), s) for a, b, s in result.redirects)
            if not isinstance(result, SkippedPage)
            else ()
        )
        if isinstance(result, FetchedPage):
            return replace(
                result,
                url=self.to_site(result.url),
                final_url=self.to_site(result.final_url),
                redirects=hops,
            )
        if isinstance(result, FailedPage):
            return replace(result, url=self.to_site(result.url), redirects=hops)
        return replace(result, url=self.to_site(result.url))


def _rebase(url: str, old: str, new: str) -> str:
    if url == old or url.startswith(old + "/"):
        return new + url[len(old) :]
    return url


ProgressCallback = Callable[[CrawlStats], None]


def make_source(request: ScanRequest) -> Source:
    if request.templates is not None:
        return TemplateSource(
            Path(request.target),
            request.scope.origin,
            list(request.templates),
            max_bytes=request.crawl.max_bytes,
        )
    if is_url(request.target):
        return HttpCrawler(
            [request.target], request.scope, request.crawl, transport=request.transport
        )
    return FolderSource(
        Path(request.target),
        request.scope.origin,
        max_pages=request.crawl.max_pages,
        max_bytes=request.crawl.max_bytes,
    )


def run_scan(request: ScanRequest, progress: ProgressCallback | None = None) -> ScanResult:
    """Scan the target; on SIGINT/SIGTERM stop early and return what was found, incomplete."""
    return asyncio.run(_scan(request, progress))


async def _scan(request: ScanRequest, progress: ProgressCallback | None) -> ScanResult:
    started = _now()
    builder = ResultBuilder(request.policy, request.scope)
    if request.check_external:
        builder.outbound = {}
    source = make_source(request)
    state = _resume(request, source, builder)
    loop = asyncio.get_running_loop()
    clock = loop.time()
    errors = sum(1 for page in builder.pages if page.error is not None)
    interrupted = False

    def stop() -> None:
        nonlocal interrupted
        interrupted = True
        source.stop()

    installed = _install_signal_handlers(loop, stop)
    mirror = Mirror.between(request.target, request.scope.origin)
    analyzer = Analyzer(request.policy, request.scope, analyze_page, workers=request.workers)

    async def visit(fetched: SourceResult) -> list[str]:
        nonlocal errors
        result = mirror.page(fetched) if mirror is not None else fetched
        analysis = await analyzer.analyze(result)
        builder.add(analysis)
        errors += analysis.record.error is not None
        if progress is not None:
            progress(CrawlStats(len(builder.pages), source.queued(), errors, loop.time() - clock))
        if mirror is None:
            follow = list(analysis.follow)
        else:
            # A copy serves only the site origin's pages: other first-party hosts (a portal
            # on another domain) are not on it, and must not be looked up from a staging crawl.
            follow = [mirror.to_served(link) for link in analysis.follow if mirror.serves(link)]
        if state is not None:
            hops = () if isinstance(fetched, SkippedPage | UnreadFile) else fetched.redirects
            state.record(
                DonePage(
                    fetched.url, fetched.depth, tuple(h[1] for h in hops), tuple(follow), analysis
                )
            )
        return follow

    try:
        await source.run(visit)
        if builder.outbound and not interrupted:
            builder.file_broken_links(
                await check_links(
                    builder.outbound,
                    user_agent=user_agent(request.crawl),
                    timeout=min(request.crawl.timeout, 10.0),
                    concurrency=request.crawl.concurrency,
                    transport=request.transport,
                )
            )
    finally:
        analyzer.close()
        for sig in installed:
            loop.remove_signal_handler(sig)
        if state is not None:
            state.close(finished=not interrupted)
    run = RunInfo(
        target=request.target,
        origin=request.scope.origin,
        first_party=request.scope.entries,
        started=started,
        finished=_now(),
        config=request.policy.path,
        config_sha256=request.policy.sha256,
        complete=not interrupted,
        fail_on=request.fail_on,
    )
    if isinstance(source, HttpCrawler):
        key = mirror.to_served if mirror is not None else str
        builder.set_depths(lambda url: source.depth_of(key(url)))
    return builder.build(run, partial=request.partial, not_crawled=source.not_crawled())


def _resume(request: ScanRequest, source: Source, builder: ResultBuilder) -> CrawlState | None:
    """Open the crawl's state file (``--resume``): pages done before are folded in and handed
    to the crawler, which will not fetch them again."""
    if request.resume is None:
        return None
    if not isinstance(source, HttpCrawler):
        raise ConfigError(
            "--resume continues a crawl over HTTP; a folder or template scan reads every file "
            "again in seconds",
            tip="drop --resume, or scan the site's URL",
        )
    state = CrawlState.open(
        request.resume,
        identity(
            request.target, request.scope.origin, request.scope.entries, request.policy.sha256
        ),
    )
    for page in state.done:
        builder.add(page.analysis)
    source.restore([(p.url, p.depth, p.hops, p.follow) for p in state.done])
    return state


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


def run_links(request: ScanRequest, emit: Callable[[dict[str, object]], None]) -> None:
    """Walk the target like a scan, emitting every reference instead of judging it."""

    mirror = Mirror.between(request.target, request.scope.origin)

    async def walk() -> None:
        source = make_source(request)

        async def visit(result: SourceResult) -> list[str]:
            if mirror is not None:
                result = mirror.page(result)
            rows = reference_rows(result, request.policy, request.scope)
            for row in rows:
                emit(row)
            follow = [
                str(r["url"])
                for r in rows
                if r["party"] == Party.FIRST and r["kind"] in FOLLOWED and r["url"]
            ]
            return [mirror.to_served(u) for u in follow if mirror.serves(u)] if mirror else follow

        await source.run(visit)

    asyncio.run(walk())
