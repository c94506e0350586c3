"""The walk's event loop (linkguard/scan/loop.py): uvloop's where it is installed, asyncio's
in browser mode or without uvloop; the same coroutine runs to the same answer on either."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from linkguard.config import Policy
from linkguard.scan import ScanRequest, make_scope, run_scan
from linkguard.scan.loop import run_loop


async def _which_loop() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


def test_a_walk_runs_on_uvloop_where_it_is_installed() -> None:
    pytest.importorskip("uvloop")
    assert run_loop(_which_loop()).startswith("uvloop")


def test_browser_mode_keeps_asyncios_loop() -> None:
    assert run_loop(_which_loop(), browser=True).startswith("asyncio")


def test_without_uvloop_a_walk_runs_on_asyncios_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop raises ImportError
    assert run_loop(_which_loop()).startswith("asyncio")


def test_a_crawl_gives_the_same_results_on_either_loop(
    sample_sites: Path, serve: Callable[[Path], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = serve(sample_sites / "leaky-shop")  # over HTTP, on 127.0.0.1
    policy = Policy()
    request = ScanRequest(target, policy, make_scope(target, policy), policy.crawl)
    fast = run_scan(request)
    monkeypatch.setitem(sys.modules, "uvloop", None)
    plain = run_scan(request)
    assert fast.findings and fast.findings == plain.findings
    assert fast.pages == plain.pages and len(fast.pages) > 1
