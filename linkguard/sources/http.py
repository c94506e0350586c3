"""The HTTP crawler: a frontier of first-party URLs fetched by a bounded pool of workers.

The frontier owns deduplication (on the normalised URL), scope (the origins ``_reach.py``
allows: the target's, declared ones, first-party hosts on default ports), depth and page
limits, include/exclude patterns and robots.txt. Each fetch has a total deadline (robots.txt
and sitemaps too), a body-size cap counted on decompressed bytes, a content-type filter and
manual redirect handling, so every hop is recorded and a first-party URL that bounces
visitors to a third party shows up as a ``redirect`` reference.

Crawling a copy of the site (``mirror``), every URL the crawler learns, from a link, a
sitemap, robots.txt or a redirect, is requested from the copy when it is on the site's
origin and not at all otherwise (``sources/mirror.py``).
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import httpx

from linkguard._version import __version__
from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.model import FailedPage, FetchedPage, SkippedPage, SourceResult
from linkguard.policy import CrawlConfig
from linkguard.sources import Restored, Visit
from linkguard.sources._answers import (
    RetryLater,
    backoff,
    bounded_cookies,
    capped_body,
    closed_before_answering,
    content_type,
    describe,
    retry_after,
)
from linkguard.sources._get import Direct, direct_for
from linkguard.sources._linkgraph import LinkGraph
from linkguard.sources._reach import Limits, Reach
from linkguard.sources.mirror import Mirror
from linkguard.sources.netio import crawl_transport
from linkguard.sources.proxy import proxy_mounts, tls_context
from linkguard.sources.robots import RobotsCache, sitemap_urls

RETRY_STATUSES = frozenset({429, 503})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAX_REDIRECTS = 10
READY = 16  # fetched pages that may wait for analysis beyond what is in flight (two batches)


def user_agent(crawl: CrawlConfig) -> str:
    """A User-Agent that says who is crawling and how to reach them."""
    if crawl.user_agent:
        return crawl.user_agent
    contact = f"; +{crawl.contact}" if crawl.contact else ""
    return f"linkguard/{__version__} (boundary audit{contact})"


@dataclass(slots=True)
class _Job:
    url: str
    depth: int

    def failed(
        self, error: str, status: int | None = None, hops: tuple[tuple[str, str, int], ...] = ()
    ) -> FailedPage:
        """This page, recorded as one that could not be scanned, and why."""
        return FailedPage(
            url=self.url, depth=self.depth, error=error, status=status, redirects=hops
        )


class HttpCrawler:
    """Crawls a site from its seeds within ``scope``, calling ``visit`` for every page."""

    def __init__(
        self,
        seeds: list[str],
        scope: Scope,
        crawl: CrawlConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        mirror: Mirror | None = None,
    ) -> None:
        self.seeds = seeds
        self.scope = scope
        self.crawl = crawl
        self._transport = transport
        self._mirror = mirror  # crawling a copy: site URLs are requested from it
        self._reach = Reach.of(seeds, scope, crawl.origins, mirror)
        self._queue: deque[_Job] = deque()
        self._seen: set[str] = set()
        self._ignored = urls.DEFAULT_IGNORED_PARAMS | frozenset(
            p.lower() for p in crawl.ignore_params
        )
        self._include = [re.compile(p) for p in crawl.include]
        self._exclude = [re.compile(p) for p in crawl.exclude]
        self._wakeup = asyncio.Event()
        self._busy = 0  # pages being fetched or analysed: their links are still to come
        # A worker hands a fetched page to analysis and fetches the next one: the network
        # does not wait on the analysis pool. This bounds the pages being fetched or analysed
        # (memory: each at most max_bytes) at twice what may be in flight, plus READY waiting
        # so that a batch waits for each analysis worker while it analyses the last (without
        # them the workers sat idle: 15% more wall time on the bench site).
        self._ahead = asyncio.Semaphore(2 * crawl.concurrency + READY)
        self._visits: set[asyncio.Task[None]] = set()
        self._failure: BaseException | None = None
        self._stopped = False
        self._seeding: asyncio.Task[None] | None = None  # robots.txt, sitemaps, resumed pages
        self._robots: RobotsCache | None = None
        self._last_request: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._limits = Limits(crawl)
        self._refused: dict[str, str] = {}  # normalised URL -> the limit that kept it out
        self._restored: Sequence[Restored] = ()
        # Depth as known when a URL was queued (for crawl.max_depth): with several fetches in
        # flight, a page can be reached first by a longer way, and so can what it links to.
        self._depth: dict[str, int] = {}
        self._graph = LinkGraph()  # for reported depths: fewest links over every link seen
        self._random = random.Random(0)  # jitter; seeded, so a run's timing is reproducible
        self._key = functools.lru_cache(maxsize=65_536)(self._frontier_key)

    # -- the frontier -------------------------------------------------------------------
    def stop(self) -> None:
        self._stopped = True
        self._wakeup.set()
        if self._seeding is not None:
            self._seeding.cancel()  # a signal ends a slow robots.txt or sitemap at once

    def queued(self) -> int:
        return len(self._queue)

    def restore(self, done: Callable[[], Sequence[Restored]]) -> None:
        """Pages a previous run of this crawl finished (``--resume``): they are not fetched
        again, and the links they offered are offered again, in their order, once the
        seeds are in, which rebuilds the frontier that run had."""
        self._restored = done()

    def depth_of(self, url: str) -> int | None:
        """A page's link depth: the fewest links from a seed over every link the crawl saw
        (None: not a page of the crawl). Ask once the crawl is over."""
        depth = self._graph.depth_of(url)
        return self._depth.get(url) if depth is None else depth

    def not_crawled(self) -> dict[str, int]:
        """URLs a crawl limit turned away and no other link brought in, by limit."""
        left = Counter(limit for key, limit in self._refused.items() if key not in self._seen)
        return dict(sorted(left.items()))

    def _admit(self, links: Iterable[str], depth: int, parent: str | None = None) -> None:
        """Queue each of ``links`` (the page ``parent``'s; seeds when None) that is in scope,
        new, within limits and allowed, and record the link to each that is a page of the
        crawl. A page's links come as one batch: most are known (its navigation), and the
        link graph takes them at once."""
        key_of, seen, depths = self._key, self._seen, self._depth
        linked: list[str] = []
        queued = False
        for url in links:
            key = key_of(url)
            if key is None:
                continue
            if key in seen:
                if depth < depths.get(key, depth):
                    depths[key] = depth
            elif self._welcome(key, depth):
                seen.add(key)
                depths[key] = depth
                self._queue.append(_Job(key, depth))
                queued = True
            else:
                continue
            linked.append(key)
        self._graph.link(parent, linked, depth)
        if queued:
            self._wakeup.set()

    def _welcome(self, key: str, depth: int) -> bool:
        """Whether a URL not seen before may be requested (a crawl limit that refuses it is
        remembered in ``_refused``)."""
        if not self._reach.allows(key):
            return False
        if self._include and not any(p.search(key) for p in self._include):
            return False
        if any(p.search(key) for p in self._exclude):
            return False
        if self._robots is not None and not self._robots.allowed(key):
            return False
        limit = self._limits.refusing(key, depth, len(self._seen))
        if limit:
            self._refused.setdefault(key, limit)
        return not limit

    def _frontier_key(self, url: str) -> str | None:
        """The URL as the frontier knows it (normalised; on the copy, when crawling one),
        or None when it is not a URL to request. Memoised per crawl (``_key``): a page
        offers the same navigation links as every other (~20 a page, 2,000 distinct on the
        1,000-page bench site)."""
        if urls.scheme_of(url) not in urls.WEB_SCHEMES:
            return None
        key = urls.normalize(url, self._ignored)
        # A sitemap or a build names the live site: requested from the copy, or not at all.
        return key if self._mirror is None else self._mirror.local(key)

    async def run(self, visit: Visit) -> None:
        limits = httpx.Limits(
            max_connections=self.crawl.concurrency,
            max_keepalive_connections=self.crawl.concurrency,
        )
        verify = tls_context(self.crawl.system_certs)
        # Straight to the site on the crawl's own pool, or through the machine's proxy
        # (--proxy, HTTPS_PROXY ...); a transport a test injects is the only way out.
        mounts = None
        if self._transport is None:
            mounts = proxy_mounts(self.crawl.proxy, limits=limits, verify=verify)
        transport = self._transport or crawl_transport(limits, verify)
        async with httpx.AsyncClient(
            transport=transport,
            mounts=mounts,
            limits=limits,
            timeout=httpx.Timeout(self.crawl.timeout, connect=min(10.0, self.crawl.timeout)),
            headers={"User-Agent": user_agent(self.crawl)},
            follow_redirects=False,
        ) as client:
            bounded_cookies(client)  # a jar and a Cookie header as bounded as a browser's
            await self._seed_unless_stopped(client)
            direct = direct_for(client, transport)  # pages' GETs: _get.py
            workers = [
                asyncio.create_task(self._work(direct, visit))
                for _ in range(self.crawl.concurrency)
            ]
            try:
                await asyncio.gather(*workers)
                await asyncio.gather(*self._visits)  # pages fetched before a stop
                if self._failure is not None:
                    raise self._failure
            finally:
                for task in (*workers, *self._visits):
                    task.cancel()

    async def _seed_unless_stopped(self, client: httpx.AsyncClient) -> None:
        """Seed the frontier; ``stop()`` cuts it short (the seeds admitted so far stay)."""
        if self._stopped:
            return
        self._seeding = asyncio.create_task(self._seed(client))
        try:
            await self._seeding
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not self._stopped or (task is not None and task.cancelling()):
                raise  # not our stop: the crawl itself is being cancelled

    async def _seed(self, client: httpx.AsyncClient) -> None:
        if self.crawl.respect_robots:
            self._robots = RobotsCache(client, user_agent(self.crawl), self.crawl.timeout)
            for seed in self.seeds:
                await self._robots.load(seed)
        for page in self._restored:
            self._seen.add(page.url)
            self._depth[page.url] = page.depth
            self._limits.count(page.url)
            for hop in page.hops:
                if self._reach.allows(hop):
                    self._seen.add(urls.normalize(hop, self._ignored))
        self._admit(self.seeds, 0)
        if self.crawl.sitemaps:
            extra = self._robots.sitemaps() if self._robots else []
            found = await sitemap_urls(
                client,
                self.seeds,
                extra,
                self.crawl.max_pages,
                timeout=self.crawl.timeout,
                where=self._reach.where,
            )
            self._admit(found, 1)
        for page in self._restored:
            self._admit(page.follow, page.depth + 1, page.url)

    async def _work(self, direct: Direct, visit: Visit) -> None:
        while not self._stopped:
            if not self._queue:
                if self._busy == 0:
                    self._wakeup.set()  # nothing queued, nothing running: the crawl is done
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            await self._ahead.acquire()  # one a page, released once it is analysed
            if self._stopped or not self._queue:
                self._ahead.release()  # meanwhile the queue was taken, or the crawl stopped
                continue
            job = self._queue.popleft()
            self._busy += 1
            try:
                result = await self._fetch(direct, job)
            except BaseException:
                self._ahead.release()
                self._done()
                raise
            task = asyncio.create_task(self._visit(visit, job, result))
            self._visits.add(task)
            task.add_done_callback(self._visited)

    async def _visit(self, visit: Visit, job: _Job, result: SourceResult) -> None:
        try:
            self._admit(await visit(result), job.depth + 1, job.url)
        finally:
            self._ahead.release()
            self._done()

    def _visited(self, task: asyncio.Task[None]) -> None:
        self._visits.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None and self._failure is None:
            self._failure = error  # raised by run(), as a worker's own error was
            self.stop()

    def _done(self) -> None:
        self._busy -= 1
        self._wakeup.set()

    # -- one fetch -----------------------------------------------------------------------
    async def _fetch(self, direct: Direct, job: _Job) -> SourceResult:
        """One page, retried on 429/503 (Retry-After, else exponential backoff with jitter),
        and once at once when the server closed a kept-alive connection as the request went
        out on it (it answered nothing: a GET is safe to send again, as browsers do)."""
        stale_retried = False
        attempt = 0
        while attempt <= self.crawl.retries:
            try:
                async with asyncio.timeout(self.crawl.timeout):
                    return await self._follow(direct, job)
            except httpx.RemoteProtocolError as exc:
                if stale_retried or not closed_before_answering(exc):
                    return job.failed(describe(exc))
                stale_retried = True
                continue
            except RetryLater as later:
                if attempt == self.crawl.retries:
                    return job.failed(
                        f"HTTP {later.status} after {attempt + 1} attempts", later.status
                    )
                await asyncio.sleep(backoff(attempt, later.retry_after, self._random))
                attempt += 1
            except TimeoutError:
                return job.failed(f"timed out after {self.crawl.timeout:g} s")
            except httpx.HTTPError as exc:
                return job.failed(describe(exc))
            except (httpx.InvalidURL, UnicodeError) as exc:  # a Location httpx refuses (IDNA)
                return job.failed(f"redirect to a URL that is not http(s) or not valid: {exc}")
        raise AssertionError("unreachable")  # pragma: no cover

    async def _follow(self, direct: Direct, job: _Job) -> SourceResult:
        hops: list[tuple[str, str, int]] = []
        current = job.url
        visited = {current}
        while True:
            await self._pace(current)
            async with self._slot(current), direct.get(current) as response:
                if not response.is_redirect:
                    return await self._page(job, current, response, tuple(hops))
                location = response.headers.get("location", "")
                resolved = urls.resolve(location, current)
                if resolved is None:
                    return job.failed(
                        f"redirect to an invalid URL: {location!r}",
                        response.status_code,
                        tuple(hops),
                    )
                requested = self._reach.where(resolved)  # None: not followed
                target = requested or resolved
                hops.append((current, target, response.status_code))
            if len(hops) > MAX_REDIRECTS:
                return job.failed(f"more than {MAX_REDIRECTS} redirects", hops[-1][2], tuple(hops))
            if target in visited:
                return job.failed(f"redirect loop at {target}", hops[-1][2], tuple(hops))
            key = urls.normalize(target, self._ignored)
            if requested is None or (key in self._seen and key != job.url):
                # Recorded, not followed: the analysis turns an off-site hop into a
                # ``redirect`` reference; an on-site one lands on a page crawled anyway
                # (or, from a copy, on another first-party host the copy does not serve).
                return FetchedPage(
                    url=job.url,
                    final_url=target,
                    status=hops[-1][2],
                    depth=job.depth,
                    body=b"",
                    content_type="",
                    redirects=tuple(hops),
                )
            self._seen.add(key)
            visited.add(target)
            current = target

    async def _page(
        self, job: _Job, url: str, response: httpx.Response, hops: tuple[tuple[str, str, int], ...]
    ) -> SourceResult:
        status = response.status_code
        if status in RETRY_STATUSES:
            raise RetryLater(status, retry_after(response.headers.get("retry-after", "")))
        if status >= 400:
            return job.failed(f"HTTP {status}", status, hops)
        media_type, charset = content_type(response.headers.get("content-type", ""))
        if media_type and media_type not in HTML_TYPES:
            return SkippedPage(url=job.url, depth=job.depth, status=status, content_type=media_type)
        body, truncated = await capped_body(response, self.crawl.max_bytes)
        return FetchedPage(
            url=job.url,
            final_url=url,
            status=status,
            depth=job.depth,
            body=body,
            content_type=media_type or "text/html",
            charset=charset,
            redirects=hops,
            truncated=truncated,
        )

    def _slot(self, url: str) -> asyncio.Semaphore:
        """At most ``crawl.per_host`` requests in flight to one host (0: the overall bound)."""
        host = urls.host_of(url)
        slot = self._host_slots.get(host)
        if slot is None:
            slot = asyncio.Semaphore(self.crawl.per_host or self.crawl.concurrency)
            self._host_slots[host] = slot
        return slot

    async def _pace(self, url: str) -> None:
        """Wait out the per-host delay (``crawl.delay`` or robots.txt Crawl-delay)."""
        delay = max(self.crawl.delay, self._robots.crawl_delay(url) if self._robots else 0.0)
        if delay <= 0:
            return
        host = urls.host_of(url)
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        async with lock:
            loop = asyncio.get_running_loop()
            wait = self._last_request.get(host, 0.0) + delay - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last_request[host] = loop.time()
