"""The event loop a walk runs on: uvloop's, where it is installed, else asyncio's own.

A crawl's process spends its CPU on the event loop's bookkeeping (handles, futures, socket
transports: about a millisecond of Python per request) as much as on the pages; uvloop
does that bookkeeping in C (libuv), and cut a 1,000-page crawl's CPU by ~6% (the commit
that brought it says how it was measured). It is a dependency wherever it builds (not on
Windows); without it the walk runs on asyncio's loop, the same code either way.

Browser mode keeps asyncio's loop: Playwright drives Chromium through asyncio's subprocess
support, tested with that loop only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_loop(main: Coroutine[Any, Any, T], *, browser: bool = False) -> T:
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
