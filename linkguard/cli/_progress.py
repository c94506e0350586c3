"""Progress on stderr while a scan runs, through the one callback the loop reports to
(``scan/pipeline.py``'s ``CrawlStats``; the browser phase reports through it too, with
``phase="browser"``).

- On a terminal: a Rich progress bar per phase, with pages done of pages known, the rate,
  the errors, the time spent and an estimate of the time left; it vanishes when the run
  ends, before the summary.
- Elsewhere (a CI log, a file): a plain line, no ANSI, each time a phase passes another
  ``every_pages`` pages, or ``every_seconds`` after the last line; a short scan writes none.
- With ``-q``: nothing. With ``-v``: a line per page read or failed; ``-vv``: also the pages
  skipped and why. Page URLs come from the site: they are shown escaped (linkguard.display).

Rich is imported only when a bar is drawn: a CI log or a quiet run never loads it (~20 ms
of CPU in every command).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TextIO

from linkguard.cli._voice import DEBUG, VERBOSE, Voice
from linkguard.display import log_line, shown
from linkguard.scan import CrawlStats

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

LABELS = {"crawl": "crawling", "browser": "browser visits"}


def wants_bar(stream_is_tty: bool, environ: Mapping[str, str]) -> bool:
    """A live bar only on a terminal that can move its cursor: not in a CI log, even one
    that renders colours (FORCE_COLOR), and not on ``TERM=dumb``."""
    return stream_is_tty and environ.get("TERM") != "dumb"


def describe(stats: CrawlStats) -> str:
    """``crawl: 120 pages, 35 queued, 2 errors, 14.3 pages/s, 8s``."""
    errors = "1 error" if stats.errors == 1 else f"{stats.errors:,} errors"
    pages = "1 page" if stats.pages_done == 1 else f"{stats.pages_done:,} pages"
    return (
        f"{stats.phase}: {pages}, {stats.queued:,} queued, {errors}, "
        f"{stats.rate:.1f} pages/s, {int(stats.elapsed)}s"
    )


class ProgressDisplay:
    """What a scan shows of its progress on ``stream`` (stderr), as the module says."""

    def __init__(
        self,
        voice: Voice,
        stream: TextIO | None = None,
        *,
        console: Console | None = None,
        every_pages: int = 100,
        every_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._voice = voice
        self._stream = stream if stream is not None else sys.stderr
        self._every_pages = every_pages
        self._every_seconds = every_seconds
        self._clock = clock
        self._last_line: float | None = None
        self._bucket: dict[str, int] = {}  # phase -> pages_done // every_pages at its last line
        if console is None and not voice.quiet and wants_bar(_isatty(self._stream), os.environ):
            from rich.console import Console

            console = Console(file=self._stream, force_terminal=True)
        self._bar = None if console is None or voice.quiet else _bar(console)
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ProgressDisplay:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()  # transient: the bar is wiped, the summary starts clean

    def update(self, stats: CrawlStats) -> None:
        """Show ``stats``: the page just done (-v) and the phase's progress."""
        if self._voice.quiet:
            return
        self._page_line(stats)
        if self._bar is not None:
            self._advance(self._bar, stats)
        elif self._due(stats):
            self._write(describe(stats))

    def _page_line(self, stats: CrawlStats) -> None:
        level = DEBUG if stats.note.startswith("skipped") else VERBOSE
        if not stats.url or self._voice.level < level:
            return
        self._write(f"{stats.phase}: {stats.url}" + (f": {stats.note}" if stats.note else ""))

    def _advance(self, bar: Progress, stats: CrawlStats) -> None:
        task = self._tasks.get(stats.phase)
        total = stats.pages_done + stats.queued
        if task is None:
            label = LABELS.get(stats.phase, stats.phase)
            task = bar.add_task(label, total=total, rate=0.0, errors=0)
            self._tasks[stats.phase] = task
        bar.update(
            task, completed=stats.pages_done, total=total, rate=stats.rate, errors=stats.errors
        )

    def _due(self, stats: CrawlStats) -> bool:
        """Whether a plain line is due: another ``every_pages`` pages in this phase, or
        ``every_seconds`` since the last line (the first after that long from the start)."""
        now = self._clock()
        if self._last_line is None:
            self._last_line = now
        bucket = stats.pages_done // self._every_pages
        passed = bucket > self._bucket.get(stats.phase, 0)
        if not passed and now - self._last_line < self._every_seconds:
            return False
        self._bucket[stats.phase] = bucket
        self._last_line = now
        return True

    def _write(self, text: str) -> None:
        line = log_line(shown(text))
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            self._stream.write(line + "\n")
            self._stream.flush()


def _bar(console: Console) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        TextColumn("{task.fields[rate]:.1f} pages/s"),
        TextColumn("{task.fields[errors]} errors"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        refresh_per_second=4,
    )


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-like stream without a terminal
        return False
