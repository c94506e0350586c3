"""The collector tuned for a scan (linkguard/_gc.py): what is loaded is set aside, the young
generation is collected less often, cycles are still collected; in the CLI's process and in
every analysis worker."""

from __future__ import annotations

import gc
import multiprocessing
import subprocess
import sys
import weakref
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from linkguard._gc import YOUNG, settle
from linkguard.config import Policy
from linkguard.scan import make_scope
from linkguard.scan._worker import init_worker, preloaded_modules


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector as the test found it, afterwards."""
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_settle_sets_aside_what_is_alive_and_still_collects_cycles(collector: None) -> None:
    gc.set_threshold(700, 10, 10)
    settle()
    assert gc.get_threshold() == (YOUNG, 10, 10)
    assert gc.get_freeze_count() > 1000  # the modules loaded so far, at least
    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle made after: the collector still frees it
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize(
    ("before", "after"), [((50_000, 5, 5), (50_000, 5, 5)), ((0, 10, 10), (0, 10, 10))]
)
def test_settle_never_collects_more_often_nor_turns_a_collector_back_on(
    collector: None, before: tuple[int, int, int], after: tuple[int, int, int]
) -> None:
    gc.set_threshold(*before)
    settle()
    assert gc.get_threshold() == after


def test_every_analysis_worker_is_settled() -> None:
    policy = Policy()
    scope = make_scope("https://www.example.com/", policy)
    context = multiprocessing.get_context("forkserver")
    # As the Analyzer starts its pool: the forkserver is one per process, and the other
    # tests' workers expect it to have loaded linkguard (tests/test_workers.py).
    context.set_forkserver_preload(preloaded_modules())
    with ProcessPoolExecutor(
        1, mp_context=context, initializer=init_worker, initargs=(policy, scope)
    ) as pool:
        threshold = pool.submit(gc.get_threshold).result(timeout=60)
        frozen = pool.submit(gc.get_freeze_count).result(timeout=60)
    assert threshold[0] >= YOUNG
    assert frozen > 0


def test_the_cli_process_is_settled_before_a_command_runs() -> None:
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_threshold()[0], gc.get_freeze_count() > 0))\n"
        "sys.argv = ['linkguard', '--version']\n"
        "from linkguard.cli import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    version, settled = done.stdout.splitlines()
    assert version.startswith("linkguard ")
    assert settled == f"{YOUNG} True"
