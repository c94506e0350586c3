"""Run one command and measure it: wall time, CPU time and peak memory of its process tree.

CPU time comes from the kernel's rusage. ``os.wait4`` on the child covers every descendant
the child waited for, but not one it left behind: a multiprocessing forkserver outlives the
main process that started it, and its workers' CPU time would vanish with it. So the
harness makes itself the tree's subreaper (Linux's ``PR_SET_CHILD_SUBREAPER``): orphans of
the tool are reparented to the harness, which reaps them, and the CPU time is the growth of
the harness's ``RUSAGE_CHILDREN`` over the run.

Memory is sampled from /proc ten times a second over the whole tree (a tool may run several
processes: worker pools, npx): the largest single resident set, the summed resident sets,
and the summed proportional set size (PSS, /proc/PID/smaps_rollup), where a page shared by
N processes (a forked worker's copy of the interpreter and its modules) counts 1/N in each,
so the tree's PSS is the memory it really holds, where summed RSS counts shared pages once
per process. The kernel's ru_maxrss is not used: a child forked from the harness starts
with the harness's resident size as its peak. The open file descriptors are sampled too.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.servers import cpu_seconds

SAMPLE_SECONDS = 0.1
BUSY_CPU_SHARE = 0.25  # a tool using this much of a core is working, requests or not
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class Measurement:
    """What one run of one command cost."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the process and all its descendants
    maxrss_mb: float  # the largest single process's resident set (sampled)
    tree_rss_mb: float  # the peak of the summed resident sets of the process tree (sampled)
    tree_pss_mb: float  # the peak of the summed proportional set sizes of the tree (sampled)
    peak_fds: int  # the most file descriptors (sockets, mostly) the tree held at once (sampled)
    exit_code: int  # negative: killed by that signal
    killed: str | None  # "timed out" or "stalled" when the harness ended the run


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Have orphaned descendants reparented to this process (Linux), so their CPU is seen."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _stat_fields(pid: str) -> list[bytes]:
    with open(f"/proc/{pid}/stat", "rb") as handle:
        return handle.read().rsplit(b")", 1)[1].split()


def _processes() -> Iterator[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every live process."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(entry.name)
            yield int(entry.name), int(fields[1]), int(fields[2])
        except (OSError, IndexError, ValueError):
            continue


def _reap_orphans(group: int, patience: float = 10.0) -> None:
    """Wait for every process of the tool's process group (already killed) that was
    reparented to us; the kernel then adds its CPU time to our RUSAGE_CHILDREN."""
    me = os.getpid()
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        left = False
        for pid, ppid, pgrp in _processes():
            if pgrp != group:
                continue
            left = True
            if ppid == me:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        if not left:
            return
        time.sleep(0.05)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree(root: int) -> set[int]:
    """``root`` and all its live descendants."""
    parents = {pid: ppid for pid, ppid, _ in _processes()}
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def _pss_kb(pid: int) -> int:
    """The proportional set size of one process in KB (0 if it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _sample(tree: set[int]) -> tuple[int, int, int, int]:
    """(summed resident set in KB, summed PSS in KB, open file descriptors, the largest
    single resident set in KB) of these processes."""
    total = pss = fds = largest = 0
    for pid in tree:
        with contextlib.suppress(OSError):
            # Since Linux 6.2 the size of /proc/PID/fd is the number of open descriptors:
            # listing 18,000 sockets ten times a second would cost the machine a third of a core.
            fds += os.stat(f"/proc/{pid}/fd").st_size
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                rss = int(handle.read().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            continue
        total += rss
        largest = max(largest, rss)
        pss += _pss_kb(pid)
    return total, pss, fds, largest


def is_busy(cpu_used: float, seconds: float) -> bool:
    """Whether a tool that made no request in ``seconds`` is working, not stalled: it used at
    least a quarter of a core meanwhile."""
    return cpu_used >= BUSY_CPU_SHARE * seconds


def run_measured(
    argv: list[str],
    *,
    cwd: Path,
    stdout: Path,
    stderr: Path,
    timeout: float,
    progress: Callable[[], int] | None = None,
    stall: float = 0.0,
) -> Measurement:
    """Run ``argv`` to completion; kill its process group after ``timeout`` seconds, or when
    it has stalled: ``progress()`` (say, the server's log size) has not moved for ``stall``
    seconds *and* the tool sat idle meanwhile. A tool that computes without requesting is
    still working (linkinator 7.6.1 at 10,000 pages spends many minutes CPU-bound, with no
    request, in a linear search of its results for every repeated link): it runs to the
    timeout and is reported as timed out, so its time is a lower bound, not a "stall". With
    no ``progress`` (a folder scan makes no requests) there is nothing to stall on."""
    peak_kb = peak_pss_kb = peak_fds = largest_kb = 0
    done = threading.Event()
    killed: list[str] = []
    become_subreaper()
    cpu_before = _children_cpu()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started, started_at = time.perf_counter(), time.monotonic()
        process = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            start_new_session=True,
        )  # fmt: skip

        def watch() -> None:
            nonlocal peak_kb, peak_pss_kb, peak_fds, largest_kb
            tree = {process.pid}
            last, moved = -1, time.monotonic()
            cpu_last = 0.0
            ticks = 0
            while not done.wait(SAMPLE_SECONDS):
                ticks += 1
                # The tree changes mostly as a tool starts (worker pools); later, rescanning
                # /proc ten times a second would cost more than it finds.
                if ticks <= 20 or ticks % 10 == 1:
                    tree = _tree(process.pid)
                rss, pss, fds, largest = _sample(tree)
                peak_kb, peak_fds = max(peak_kb, rss), max(peak_fds, fds)
                peak_pss_kb, largest_kb = max(peak_pss_kb, pss), max(largest_kb, largest)
                now = time.monotonic()
                if progress is not None and ticks % 10 == 0:
                    current, cpu = progress(), cpu_seconds(list(tree))
                    # about once a second: busy if it used a quarter of a core meanwhile
                    if current != last or is_busy(cpu - cpu_last, 10 * SAMPLE_SECONDS):
                        last, moved = current, now
                    cpu_last = cpu
                if now - started_at > timeout:
                    killed.append("timed out")
                elif stall and progress is not None and now - moved > stall:
                    killed.append("stalled")
                if killed:
                    _kill_group(process.pid, signal.SIGTERM)
                    if not done.wait(10):
                        _kill_group(process.pid, signal.SIGKILL)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: leave nothing of ours running
            done.set()
            _kill_group(process.pid, signal.SIGKILL)
            raise
        wall = time.perf_counter() - started
        done.set()
        watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    _kill_group(process.pid, signal.SIGKILL)  # no orphaned grandchildren left running
    _reap_orphans(process.pid)
    cpu = max(_children_cpu() - cpu_before, usage.ru_utime + usage.ru_stime)
    return Measurement(
        wall=wall,
        cpu=cpu,
        # Sampled, not the kernel's ru_maxrss: a child forked from this harness starts with
        # the harness's resident size as its peak (after reading a 600 MB results file, every
        # later tool "peaked" at 529 MB), so ru_maxrss says more about us than about them.
        maxrss_mb=largest_kb / 1024,
        tree_rss_mb=peak_kb / 1024,
        tree_pss_mb=peak_pss_kb / 1024,
        peak_fds=peak_fds,
        exit_code=process.returncode,
        killed=killed[0] if killed else None,
    )


def _kill_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
