"""The event loop a walk runs on: uvloop's, where it is installed, else asyncio's own.

A crawl's process spends its CPU on the event loop's bookkeeping (handles, futures, socket
transports: about a millisecond of Python per request) as much as on the pages; uvloop
does that bookkeeping in C (libuv): a 1,000-page crawl of the bench site (``bench/``) took
~6% less wall time and CPU on it. It is a dependency wherever it builds (not on Windows,
nor PyPy); without it the walk runs on asyncio's loop, the same code either way.

Browser mode keeps asyncio's loop: Playwright drives Chromium through asyncio's subprocess
support, tested with that loop only. Every caller says whether its walk may go on to a
browser (``scan --browser``, ``init --browser``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_loop(main: Coroutine[Any, Any, T], *, browser: bool) -> T:
    """``asyncio.run(main)``, on uvloop's loop unless ``browser`` (or it is missing)."""
    with asyncio.Runner(loop_factory=None if browser else fast_loop()) as runner:
        return runner.run(main)


def fast_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop factory, or None (asyncio's loop) where uvloop is not installed."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
