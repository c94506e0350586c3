"""Run one command and measure it: wall time, CPU time and peak memory of its process tree.

CPU time and the largest single process's peak RSS come from ``os.wait4`` on the child (the
kernel's rusage, which includes every descendant the child waited for). Because a tool may
run several processes at once (worker pools, npx), the summed RSS of the whole tree is also
sampled from /proc ten times a second.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.1
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class Measurement:
    """What one run of one command cost."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its waited-for descendants
    maxrss_mb: float  # the largest single process's peak resident set
    tree_rss_mb: float  # the peak of the summed resident sets of the process tree (sampled)
    exit_code: int  # negative: killed by that signal
    timed_out: bool


def _tree_rss_kb(root: int) -> int:
    """Summed resident set of ``root`` and all its descendants, in KB."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents[int(entry.name)] = ppid
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(
    argv: list[str],
    *,
    cwd: Path,
    stdout: Path,
    stderr: Path,
    timeout: float,
    env: dict[str, str] | None = None,
) -> Measurement:
    """Run ``argv`` to completion (or kill its process group after ``timeout`` seconds)."""
    peak_kb = 0
    done = threading.Event()
    timed_out = threading.Event()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,
        )

        def sample() -> None:
            nonlocal peak_kb
            while not done.wait(SAMPLE_SECONDS):
                peak_kb = max(peak_kb, _tree_rss_kb(process.pid))

        def kill() -> None:
            timed_out.set()
            _kill_group(process.pid, signal.SIGTERM)
            if not done.wait(10):
                _kill_group(process.pid, signal.SIGKILL)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        timer.cancel()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    _kill_group(process.pid, signal.SIGKILL)  # no orphaned grandchildren left running
    return Measurement(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024,
        tree_rss_mb=max(peak_kb, usage.ru_maxrss) / 1024,
        exit_code=process.returncode,
        timed_out=timed_out.is_set(),
    )


def _kill_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
