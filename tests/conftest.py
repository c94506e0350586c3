"""Shared fixtures: the sample sites, a real HTTP server on 127.0.0.1, the installed CLI."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from linkguard.bundled.serve import serve_folder

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SITES = ROOT / "sample_sites"


@pytest.fixture(scope="session")
def sample_sites() -> Path:
    return SAMPLE_SITES


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """Serve folders on 127.0.0.1 for the test; returns the base URL of each."""
    with ExitStack() as stack:
        yield lambda root: stack.enter_context(serve_folder(root))


@pytest.fixture(scope="session")
def linkguard_cmd() -> list[str]:
    """The installed console script, as a user runs it (or ``python -m linkguard``)."""
    exe = shutil.which("linkguard", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "linkguard"]


@pytest.fixture
def watched_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Walks on asyncio's own event loop, which resolves host names through
    ``socket.getaddrinfo``, where a test can watch or refuse them; uvloop (the walk's loop
    where it is installed, ``linkguard/scan/loop.py``) resolves them inside libuv."""
    monkeypatch.setattr("linkguard.scan.loop.fast_loop", lambda: None)
