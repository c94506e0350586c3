"""The walk's event loop (linkguard/scan/loop.py): uvloop's where it is installed, asyncio's
in browser mode or without uvloop; the same coroutine runs to the same answer on either."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from linkguard.config import Policy
from linkguard.draft.survey import survey_site
from linkguard.scan import ScanRequest, loop, make_scope, run_scan
from linkguard.scan.loop import run_loop
from linkguard.sources._addresses import public_addresses


async def _which_loop() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


def test_a_walk_runs_on_uvloop_where_it_is_installed() -> None:
    pytest.importorskip("uvloop")
    assert run_loop(_which_loop(), browser=False).startswith("uvloop")


def test_browser_mode_keeps_asyncios_loop() -> None:
    assert run_loop(_which_loop(), browser=True).startswith("asyncio")


def test_without_uvloop_a_walk_runs_on_asyncios_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop raises ImportError
    assert run_loop(_which_loop(), browser=False).startswith("asyncio")


def test_a_crawl_gives_the_same_results_on_either_loop(
    sample_sites: Path, serve: Callable[[Path], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("uvloop")  # else both runs are on asyncio's loop
    target = serve(sample_sites / "leaky-shop")  # over HTTP, on 127.0.0.1
    policy = Policy()
    request = ScanRequest(target, policy, make_scope(target, policy), policy.crawl)
    chosen: list[object] = []  # the loop factory of each run: None is asyncio's loop
    real_fast_loop = loop.fast_loop

    def watched() -> object:
        chosen.append(real_fast_loop())
        return chosen[-1]

    monkeypatch.setattr(loop, "fast_loop", watched)
    fast = run_scan(request)
    monkeypatch.setitem(sys.modules, "uvloop", None)
    plain = run_scan(request)
    assert chosen[0] is not None and chosen[1] is None
    assert fast.findings and fast.findings == plain.findings
    assert fast.pages == plain.pages and len(fast.pages) > 1


@pytest.mark.parametrize("command", ["scan", "init"])
def test_a_walk_that_goes_on_to_a_browser_runs_on_asyncios_loop(
    command: str,
    sample_sites: Path,
    serve: Callable[[Path], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``scan --browser`` and ``init --browser``: the walk and the browser's visits run on
    one loop, asyncio's (the visits are replaced here by a probe of the loop they get)."""
    visited_on: list[str] = []

    async def browse(*args: object) -> bool:
        visited_on.append(await _which_loop())
        return False  # not interrupted

    def no_uvloop() -> None:
        raise AssertionError("a walk in browser mode asked for uvloop")

    monkeypatch.setattr(loop, "fast_loop", no_uvloop)
    monkeypatch.setattr("linkguard.scan.run.browse", browse)
    monkeypatch.setattr("linkguard.draft.survey.browse", browse)
    target = serve(sample_sites / "leaky-shop")
    policy = Policy()
    request = ScanRequest(
        target, policy, make_scope(target, policy), policy.crawl, chromium="/usr/bin/chromium"
    )
    result = run_scan(request) if command == "scan" else survey_site(request)[0]
    assert len(result.pages) > 1
    assert len(visited_on) == 1 and visited_on[0].startswith("asyncio")


def test_check_external_resolves_names_through_the_system_resolver_on_either_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--check-external`` looks a host up on the loop's default executor, as asyncio's own
    loop does: on uvloop too, not in libuv's narrower pool, and where a test can watch it."""
    asked: list[str] = []

    def resolver(host: str, port: int, *args: object, **kwargs: object) -> list[object]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    for browser in (False, True):
        found = run_loop(public_addresses("outbound.example", 443), browser=browser)
        assert found == ["93.184.216.34"]
    assert asked == ["outbound.example", "outbound.example"]
