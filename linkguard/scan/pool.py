"""Page analysis off the event loop: worker processes, one per core, started only when a
scan turns out to be big enough to pay for them.

Parsing and judging a page is CPU work (about 2 ms for a 30 KB page); the event loop
should spend its time fetching. The first pages are analysed in-process (a small site or a
test never pays the workers' start-up). The workers are started as soon as the scan is
sure to pass ``POOL_AFTER`` pages (``expect``: the walk says how many pages its source has
queued; a folder's files are known at the first page, a crawl's links at the second), else
after ``POOL_AFTER`` pages, and pages go on being analysed in-process until every worker
has said it is ready: the crawl never stalls waiting for workers. They are forked by a
forkserver that imported the analysis code once (~0.3 s, on a thread); each holds the
policy and scope it was started with, so a batch carries only pages.

Each worker has a socket to the scan's process, and the event loop itself reads and writes
them: a batch of pages goes out as one pickled message (a 4-byte length, then the pickle),
their analyses come back as one. ``concurrent.futures.ProcessPoolExecutor`` did this
through two threads of the scan's process (a queue feeder and a result manager), and every
batch woke both and passed the GIL between them and the busy loop: ~0.35 ms of the scan's
CPU per batch, and up to a switch interval of delay before a worker got its next batch.

A batch goes at once to a worker with nothing to do; while every worker has a batch,
pages gather until ``BATCH`` are waiting (then they go to the least busy worker, queued
behind what it is doing) or a batch comes back. A crawl whose workers keep up sends each
page at once; a folder scan, which always has pages ready, sends them ten or more at a
time. A worker that dies (killed, out of memory) loses nothing: its pages, and every page
after them, are analysed in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

from linkguard._gc import settle
from linkguard.classify.scope import Scope, registrable_domain
from linkguard.model import SourceResult
from linkguard.policy import Policy

if TYPE_CHECKING:
    from linkguard.scan.analysis import PageAnalysis

POOL_AFTER = 32  # pages analysed in-process before workers are worth starting
BATCH = 8  # pages that wait for busy workers go once this many are waiting
STOP_WAIT = 5.0  # seconds a closing scan waits for a worker to finish its batch and exit

_HEADER = struct.Struct("!I")  # a message's length, before its pickle
_LOADED_BY = os.getpid()  # the process that imported this module

Chunk = list[tuple[SourceResult, "asyncio.Future[PageAnalysis]"]]


def _init_worker(policy: Policy, scope: Scope) -> None:
    """Runs once in each worker: Ctrl-C is the parent's to handle, not the workers'."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    registrable_domain("example.com")  # the suffix list's table, built on first use: now
    settle()  # the analysis code, policy, scope and table stay for the worker's life (_gc.py)


class _Failed:
    """A batch's analysis raised: the exception travels back in place of the analyses."""

    def __init__(self, error: BaseException) -> None:
        try:
            pickle.dumps(error)
        except Exception:  # an exception that cannot travel: its text does
            error = RuntimeError(f"{type(error).__name__}: {error}")
        self.error = error


def _serve(channel: socket.socket, policy: Policy, scope: Scope) -> None:
    """A worker's life: say whether it started with the analysis code loaded (imported by
    the forkserver it was forked from, ``preloaded_modules``, not by itself), then analyse
    each batch it is sent, until the scan closes its end of the socket."""
    _init_worker(policy, scope)
    from linkguard.scan.analysis import analyze_page

    with channel, channel.makefile("rb") as incoming:
        channel.sendall(_framed(os.getpid() != _LOADED_BY))
        while len(header := incoming.read(_HEADER.size)) == _HEADER.size:
            batch: list[SourceResult] = pickle.loads(incoming.read(_HEADER.unpack(header)[0]))
            try:
                answer: object = [analyze_page(result, policy, scope) for result in batch]
            except Exception as exc:  # a bug: raised in the scan, as an in-process one is
                answer = _Failed(exc)
            try:
                channel.sendall(_framed(answer))
            except OSError:  # the scan has ended (or was stopped) while this batch ran
                return


def _framed(message: object) -> bytes:
    blob = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(blob)) + blob


async def _received(reader: asyncio.StreamReader) -> object:
    size = _HEADER.unpack(await reader.readexactly(_HEADER.size))[0]
    return pickle.loads(await reader.readexactly(size))


def preloaded_modules() -> list[str]:
    """What the forkserver imports once, so that every worker it forks starts with it.

    Without it each worker imports the analysis code itself (~0.25 CPU-s, the price of
    a hundred pages), and, on Python before 3.13, the forkserver does not even import the
    main module it is asked to: every worker re-runs the main script, which for the
    ``linkguard`` command imports ``linkguard.cli``. That package loads no command until
    one runs; preloading it when it is loaded makes the re-run a lookup in ``sys.modules``."""
    modules = ["__main__", __name__, "linkguard.scan.analysis"]
    if "linkguard.cli" in sys.modules:
        modules.append("linkguard.cli")
    return modules


def _start_processes(
    channels: list[socket.socket], policy: Policy, scope: Scope
) -> list[BaseProcess]:
    """Start a worker on each of ``channels`` (blocks while the forkserver starts: on a
    thread)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preloaded_modules())
    processes: list[BaseProcess] = []
    for channel in channels:
        with channel:  # the worker's end: the forkserver passes it on, this process needs none
            process = context.Process(target=_serve, args=(channel, policy, scope), daemon=True)
            process.start()
        processes.append(process)
    return processes


def default_workers() -> int:
    """One worker per core this process may use (the event loop takes little CPU)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class _Worker:
    """A worker process and the scan's end of its socket."""

    def __init__(self, process: BaseProcess, writer: asyncio.StreamWriter) -> None:
        self.process = process
        self.writer = writer
        self.sent: deque[Chunk] = deque()  # batches sent and not answered, in order
        self.listening: asyncio.Task[None] | None = None


class Analyzer:
    """Analyses pages in-process at first, then in worker processes once the scan is big."""

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
        self._starting: asyncio.Task[None] | None = None
        self._channels: list[socket.socket] = []  # the scan's ends, until the workers run
        self._running: list[_Worker] = []  # once every worker has said it is ready
        self._waiting: Chunk = []
        self._send_due = False  # a _send is scheduled on the loop
        self.broken: BrokenProcessPool | None = None  # why the workers are no longer used
        self.pooled = 0  # pages analysed by the workers
        self.tasks = 0  # batches they came in
        self.preloaded = 0  # workers that started with the analysis code already loaded

    def _start_pool(self) -> None:
        # Starting the forkserver blocks until it has imported the analysis code (~0.3 s): on a
        # thread, so the loop goes on fetching and analysing meanwhile.
        self._starting = asyncio.ensure_future(self._start())

    async def _start(self) -> None:
        loop = asyncio.get_running_loop()
        pairs = [socket.socketpair() for _ in range(self._workers)]
        self._channels = [ours for ours, _ in pairs]
        theirs = [worker_end for _, worker_end in pairs]
        try:
            processes = await loop.run_in_executor(
                None, _start_processes, theirs, self.policy, self.scope
            )
        except Exception as exc:  # the forkserver could not start
            self._break(BrokenProcessPool(f"workers did not start: {exc}"))
            return
        workers = []
        try:
            for process, channel in zip(processes, self._channels, strict=True):
                reader, writer = await asyncio.open_connection(sock=channel)
                self.preloaded += bool(await _received(reader))  # ready
                worker = _Worker(process, writer)
                worker.listening = asyncio.ensure_future(self._listen(worker, reader))
                workers.append(worker)
        except (OSError, EOFError, asyncio.IncompleteReadError) as exc:
            self._running = workers
            self._break(BrokenProcessPool(f"a worker died as it started: {exc!r}"))
            return
        self._running = workers

    async def _listen(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        """Hand each analysed batch of ``worker`` to its pages, until it ends."""
        try:
            while True:
                answer = await _received(reader)
                chunk = worker.sent.popleft()
                if isinstance(answer, _Failed):
                    _fail(chunk, answer.error)
                else:
                    assert isinstance(answer, list)
                    for (_, future), analysis in zip(chunk, answer, strict=True):
                        if not future.done():
                            future.set_result(analysis)
                if self._waiting:
                    self._send_soon()  # after the pages just answered have asked for more
        except Exception as exc:  # died, or sent what is not an answer: not asked again
            self._break(BrokenProcessPool(f"a worker died: {exc!r}"))

    def _break(self, why: BrokenProcessPool) -> None:
        """The workers are not used again: every page sent or waiting is analysed in-process
        (``analyze`` catches the error), and every later page too."""
        if self.broken is None:
            self.broken = why
        for worker in self._running:
            while worker.sent:
                _fail(worker.sent.popleft(), why)
        waiting, self._waiting = self._waiting, []
        _fail(waiting, why)

    def _pool_ready(self) -> bool:
        if self.broken is not None:
            raise self.broken
        return bool(self._running)

    @property
    def started(self) -> bool:
        """Whether the workers have been started (they may still be starting)."""
        return self._starting is not None

    def expect(self, coming: int) -> None:
        """Called before a page is analysed: the source has ``coming`` more pages queued
        behind it. Once the scan is sure to pass ``POOL_AFTER`` pages (those done, this one
        and those queued), the workers start now rather than at page ``POOL_AFTER + 1``:
        the forkserver's start overlaps the first pages (a 1,000-page crawl, 4% less wall
        time), and a scan of ``POOL_AFTER`` pages or fewer still never starts one."""
        sure = self._done + 1 + coming
        if self._starting is None and self._workers >= 2 and sure > POOL_AFTER:
            self._start_pool()

    async def analyze(self, result: SourceResult) -> PageAnalysis:
        self._done += 1
        if self._workers < 2 or self._done <= POOL_AFTER:
            return self._analyze(result, self.policy, self.scope)
        try:
            if self._starting is None:
                self._start_pool()
            if not self._pool_ready():
                await asyncio.sleep(0)  # let the loop hear from a worker that has started
                if not self._pool_ready():
                    return self._analyze(result, self.policy, self.scope)
            answer: asyncio.Future[PageAnalysis] = asyncio.get_running_loop().create_future()
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
        """Send the waiting pages: a batch to each idle worker, or, when every worker has a
        batch, one batch once ``BATCH`` pages wait, to the least busy (a batch that comes
        back sends the rest). Pages that can travel together do: each message costs a
        pickle and a few system calls."""
        self._send_due = False
        if not self._waiting or self.broken is not None:
            return
        targets = [worker for worker in self._running if not worker.sent]
        if not targets:
            if len(self._waiting) < BATCH:
                return
            targets = [min(self._running, key=lambda worker: len(worker.sent))]
        waiting, self._waiting = self._waiting, []
        parts = min(len(waiting), len(targets))
        for i, worker in enumerate(targets[:parts]):
            chunk = waiting[i::parts]
            worker.writer.write(_framed([result for result, _ in chunk]))
            worker.sent.append(chunk)
            self.tasks += 1

    def close(self) -> None:
        """Stop the workers: each reads the end of its socket once its batch is done, and
        exits; one that does not within ``STOP_WAIT`` seconds is terminated."""
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
        for channel in self._channels:  # the end of the socket, now: the loop may not run again
            with contextlib.suppress(OSError):
                channel.shutdown(socket.SHUT_RDWR)
        for worker in self._running:
            if worker.listening is not None:
                worker.listening.cancel()
            worker.writer.close()
        for channel in self._channels:
            channel.close()
        for worker in self._running:
            worker.process.join(STOP_WAIT)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(1.0)
        self._running = []


def _fail(chunk: Chunk, error: BaseException) -> None:
    for _, answer in chunk:
        if not answer.done():
            answer.set_exception(error)
