"""Page analysis off the event loop: a process pool sized to the cores, started only when a
scan turns out to be big enough to pay for it.

Parsing and judging a page is CPU work (about 3 ms for a 30 KB page); the event loop
should spend its time fetching. The first pages are analysed in-process (a small site or a
test never pays the pool's start-up). The pool is started as soon as the scan is sure to
pass ``POOL_AFTER`` pages (``expect``: the walk says how many pages its source has queued;
a folder's files are known at the first page, a crawl's links at the second), else after
``POOL_AFTER`` pages, and pages go on being analysed in-process until every worker has
answered a first no-op task (the forkserver takes ~0.3 s to start and import the analysis
code, once; the workers it forks start with it loaded): the crawl never stalls waiting for
workers. Each worker holds the policy and scope from its initializer, so a task carries
only the page. What runs in a worker is ``_worker.py``'s, which imports no asyncio.

A pool task costs fixed work on both sides (pickling, pipes, futures: ~0.5 ms), so pages
travel in batches. A batch goes at once to a worker with nothing to do; while every
worker has a task, pages gather until ``BATCH`` are waiting or a task comes back. A crawl
whose workers keep up sends each page at once; a folder scan, which always has pages
ready, sends them ten or more at a time.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from linkguard.classify.scope import Scope
from linkguard.model import SourceResult
from linkguard.policy import Policy
from linkguard.scan._worker import analyze_in_worker, init_worker, preloaded_modules, ready

if TYPE_CHECKING:
    from linkguard.scan.analysis import PageAnalysis

POOL_AFTER = 32  # pages analysed in-process before a pool is worth starting
BATCH = 8  # pages that wait for a busy pool go once this many are waiting


def _warm_up(pool: Executor, workers: int) -> int | Exception:
    """Start the workers and wait until each has answered a first task (on a thread: starting
    the forkserver blocks). How many started with linkguard loaded, or why they could not
    start (returned, not raised: nobody may be left to hear it once the scan has ended)."""
    try:
        return sum(future.result() for future in [pool.submit(ready) for _ in range(workers)])
    except Exception as exc:  # a broken or shut-down pool, a cancelled task
        return exc


def default_workers() -> int:
    """One worker per core this process may use (the event loop takes little CPU)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _answer(
    done: asyncio.Future[list[PageAnalysis]],
    chunk: list[tuple[SourceResult, asyncio.Future[PageAnalysis]]],
) -> None:
    """Hand each page of a finished pool task its analysis (or the task's error)."""
    if done.cancelled():
        for _, answer in chunk:
            if not answer.done():
                answer.cancel()
    elif (error := done.exception()) is not None:
        _fail(chunk, error)
    else:
        for (_, answer), analysis in zip(chunk, done.result(), strict=True):
            if not answer.done():
                answer.set_result(analysis)


def _fail(
    chunk: list[tuple[SourceResult, asyncio.Future[PageAnalysis]]], error: BaseException
) -> None:
    for _, answer in chunk:
        if not answer.done():
            answer.set_exception(error)


class Analyzer:
    """Analyses pages in-process at first, then in a process pool once the scan is big."""

    def __init__(
        self,
        policy: Policy,
        scope: Scope,
        analyze: Callable[[SourceResult, Policy, Scope], PageAnalysis],
        *,
        workers: int | None = None,
    ) -> None:
        self.policy = policy
        self.scope = scope
        self._analyze = analyze
        self._workers = default_workers() if workers is None else workers
        self._done = 0
        self._pool: Executor | None = None
        self._warming: asyncio.Future[int | Exception] | None = None
        self._waiting: list[tuple[SourceResult, asyncio.Future[PageAnalysis]]] = []
        self._send_due = False  # a _send is scheduled on the loop
        self._in_flight = 0  # pool tasks sent and not yet answered
        self.pooled = 0  # pages analysed by the workers
        self.tasks = 0  # pool tasks they came in
        self.preloaded = 0  # workers that started with the analysis code already loaded

    def _start_pool(self) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(preloaded_modules())
        self._pool = ProcessPoolExecutor(
            self._workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(self.policy, self.scope),
        )
        # Starting the forkserver blocks until it has imported the analysis code (~0.3 s): on a
        # thread, so the loop goes on fetching and analysing meanwhile.
        loop = asyncio.get_running_loop()
        self._warming = loop.run_in_executor(None, _warm_up, self._pool, self._workers)

    def _pool_ready(self) -> bool:
        if self._pool is None:
            return False
        if self._warming is not None:
            if not self._warming.done():
                return False
            answer = self._warming.result()
            self._warming = None
            if isinstance(answer, Exception):  # a worker could not start
                raise BrokenProcessPool(str(answer))
            self.preloaded = answer
        return True

    @property
    def started(self) -> bool:
        """Whether the pool has been started (it may still be warming up)."""
        return self._pool is not None

    def expect(self, coming: int) -> None:
        """Called before a page is analysed: the source has ``coming`` more pages queued
        behind it. Once the scan is sure to pass ``POOL_AFTER`` pages (those done, this one
        and those queued), the pool starts now rather than at page ``POOL_AFTER + 1``: its
        forkserver's start overlaps the first pages (a 1,000-page crawl, 4% less wall time),
        and a scan of ``POOL_AFTER`` pages or fewer still never starts one."""
        sure = self._done + 1 + coming
        if self._pool is None and self._workers >= 2 and sure > POOL_AFTER:
            self._start_pool()

    async def analyze(self, result: SourceResult) -> PageAnalysis:
        self._done += 1
        if self._workers < 2 or self._done <= POOL_AFTER:
            return self._analyze(result, self.policy, self.scope)
        try:
            if self._pool is None:
                self._start_pool()
            if not self._pool_ready():
                await asyncio.sleep(0)  # let the loop hear from a worker that has started
                if not self._pool_ready():
                    return self._analyze(result, self.policy, self.scope)
            loop = asyncio.get_running_loop()
            answer: asyncio.Future[PageAnalysis] = loop.create_future()
            self._waiting.append((result, answer))
            if len(self._waiting) in (1, BATCH):
                self._send_soon()
            analysis = await answer
            self.pooled += 1
            return analysis
        except BrokenProcessPool:
            # A worker died (killed, out of memory, or a host program that re-runs itself
            # on import): nothing is lost, the rest of the scan is analysed in-process.
            self._workers = 1
            return self._analyze(result, self.policy, self.scope)

    def _send_soon(self) -> None:
        if not self._send_due:
            self._send_due = True
            asyncio.get_running_loop().call_soon(self._send)

    def _send(self) -> None:
        """Send the waiting pages: one task per idle worker, or, when every worker has a
        task, one task once ``BATCH`` pages wait (a task that comes back sends the rest).
        A pool task costs a handful of system calls and a pickle each way, about 0.5 ms
        here, a sixth of a page's analysis, so pages that can travel together do."""
        self._send_due = False
        idle = self._workers - self._in_flight
        if not self._waiting or (idle <= 0 and len(self._waiting) < BATCH):
            return
        waiting, self._waiting = self._waiting, []
        assert self._pool is not None
        parts = min(len(waiting), max(1, idle))
        for i in range(parts):
            chunk = waiting[i::parts]
            try:
                future = self._pool.submit(analyze_in_worker, [result for result, _ in chunk])
            except (BrokenProcessPool, RuntimeError) as exc:  # a worker died; shut down
                _fail(chunk, BrokenProcessPool(str(exc)))  # analyze() falls back in-process
                continue
            task = asyncio.wrap_future(future)
            task.add_done_callback(functools.partial(self._answered, chunk=chunk))
            self._in_flight += 1
            self.tasks += 1

    def _answered(
        self,
        done: asyncio.Future[list[PageAnalysis]],
        chunk: list[tuple[SourceResult, asyncio.Future[PageAnalysis]]],
    ) -> None:
        self._in_flight -= 1
        _answer(done, chunk)
        if self._waiting:
            self._send_soon()  # after the pages just answered have asked for more

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
