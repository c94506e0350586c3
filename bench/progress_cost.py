#!/usr/bin/env python3
"""What the progress display costs a scan per page: ``ProgressDisplay.update`` called once
per page, as the loop calls it, in each of its modes (nothing with -q, plain lines for a log,
a Rich bar on a terminal, a line per page with -v), output to memory.

    .venv/bin/python bench/progress_cost.py [--pages 10000]

CPU time of the display alone, best of three; a page's own analysis is milliseconds.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable

from rich.console import Console

from linkguard.cli._progress import ProgressDisplay
from linkguard.cli._voice import Voice
from linkguard.scan import CrawlStats


def _modes() -> dict[str, Callable[[], ProgressDisplay]]:
    def bar() -> ProgressDisplay:
        console = Console(file=io.StringIO(), force_terminal=True, width=120)
        return ProgressDisplay(Voice(), console=console)

    return {
        "-q": lambda: ProgressDisplay(Voice(-1), io.StringIO()),
        "log lines": lambda: ProgressDisplay(Voice(), io.StringIO()),
        "terminal bar": bar,
        "-v, log": lambda: ProgressDisplay(Voice(1), io.StringIO()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    pages = parser.parse_args().pages
    stats = [
        CrawlStats(i, 500, 0, 1.0 + i / 100, url=f"https://www.example.com/p{i}")
        for i in range(1, pages + 1)
    ]
    for label, make in _modes().items():
        best = float("inf")
        for _ in range(3):
            with make() as display:
                started = time.perf_counter()
                for each in stats:
                    display.update(each)
                best = min(best, time.perf_counter() - started)
        print(f"{label:13} {best / pages * 1e6:7.2f} us per page ({pages:,} pages)")


if __name__ == "__main__":
    main()
