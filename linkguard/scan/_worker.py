"""What runs in an analysis worker (``pool.py`` starts them): its initializer, its first
no-op task and its task, and the modules the pool's forkserver imports once for all of them.

Kept apart from ``pool.py``, which drives the pool from the event loop: a worker imports
this module and the analysis code, not asyncio (nor ssl, which asyncio imports), so the
forkserver that every worker is forked from does not pay for them.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING

from linkguard._gc import settle
from linkguard.classify.scope import Scope, registrable_domain
from linkguard.model import SourceResult
from linkguard.policy import Policy

if TYPE_CHECKING:
    from linkguard.scan.analysis import PageAnalysis

_worker_state: tuple[Policy, Scope] | None = None
_LOADED_BY = os.getpid()  # the process that imported this module


def init_worker(policy: Policy, scope: Scope) -> None:
    """Runs once in each worker: Ctrl-C is the parent's to handle, not the workers'."""
    global _worker_state
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_state = (policy, scope)
    registrable_domain("example.com")  # the suffix list's table, built on first use: now
    settle()  # the analysis code, policy, scope and table stay for the worker's life (_gc.py)


def ready() -> bool:
    """A first task: answered once the worker has started and imported what it needs.
    True when the worker started with linkguard loaded: imported by the forkserver it was
    forked from (``preloaded_modules``), not by the worker itself."""
    import linkguard.scan.analysis  # noqa: F401 (the import is the warm-up)

    return os.getpid() != _LOADED_BY


def analyze_in_worker(results: list[SourceResult]) -> list[PageAnalysis]:
    from linkguard.scan.analysis import analyze_page

    assert _worker_state is not None, "worker started without its initializer"
    policy, scope = _worker_state
    return [analyze_page(result, policy, scope) for result in results]


def preloaded_modules() -> list[str]:
    """What the forkserver imports once, so that every worker it forks starts with it.

    Without it each worker imports the analysis code itself (~0.25 CPU-s, the price of
    a hundred pages), and, on Python before 3.13, the forkserver does not even import the
    main module it is asked to: every worker re-runs the main script, which for the
    ``linkguard`` command imports ``linkguard.cli``. That package loads no command until
    one runs; preloading it when it is loaded makes the re-run a lookup in ``sys.modules``."""
    # The executor's worker loop (each worker runs it) and what it imports come first.
    modules = ["__main__", "concurrent.futures.process", __name__, "linkguard.scan.analysis"]
    if "linkguard.cli" in sys.modules:
        modules.append("linkguard.cli")
    return modules
