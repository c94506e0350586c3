"""The terminal: a short summary after a scan, and a progress line during one.

Plain text with optional ANSI colour (the CLI decides: a TTY and no ``NO_COLOR``). Neither
prints by itself: :func:`render_summary` returns a string, and :class:`ProgressLine` writes
only to the stream it is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from linkguard._version import __version__
from linkguard.display import log_line, shown
from linkguard.model import CrawlStats, ScanResult
from linkguard.reporters._digest import (
    SEVERITIES,
    active,
    coverage,
    needing_notice,
    percent,
    severity_counts,
    suppressed,
    vendor_counts,
    vendors,
)
from linkguard.results.verdict import verdict_of

_RESET = "\x1b[0m"
_STYLES = {
    "error": "\x1b[31m",
    "warning": "\x1b[33m",
    "info": "\x1b[36m",
    "FAIL": "\x1b[1;31m",
    "PASS": "\x1b[1;32m",
    "INCOMPLETE": "\x1b[1;33m",
    "dim": "\x1b[2m",
    "bold": "\x1b[1m",
}


def render_summary(result: ScanResult, *, color: bool = False) -> str:
    """A few aligned lines: what was scanned, what was found, and the verdict."""

    def paint(text: str, style: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color and style in _STYLES else text

    summary = result.summary
    verdict = verdict_of(result)
    findings = active(result)
    counts = severity_counts(findings)
    known = sum(1 for f in findings if f.known)
    listed = vendors(result.third_parties)
    kinds = vendor_counts(listed)
    undeclared = kinds["undeclared"]
    state = "complete"
    if verdict.unchecked:
        state = paint("NOTHING CHECKED", "FAIL")
    elif not result.run.complete:
        state = paint("INCOMPLETE: cut short", "INCOMPLETE")
    elif not verdict.complete:
        state = paint("INCOMPLETE: pages failed", "INCOMPLETE")
    by_severity = ", ".join(
        paint(f"{counts[str(s)]:,} {s}", str(s)) if counts[str(s)] else f"0 {s}" for s in SEVERITIES
    )
    extras = [f"{len(suppressed(result)):,} suppressed"]
    if summary.baseline is not None:
        extras.append(f"{known:,} known")
        extras.append(f"{summary.baseline.get('fixed', 0):,} fixed")
    rows = [
        ("pages scanned", f"{summary.pages:,}"),
        ("references", f"{summary.references:,}"),
        ("outbound links", _outbound(result)),
        (
            "third parties",
            f"{len(listed):,}: {kinds['declared']:,} declared, "
            + paint(f"{undeclared:,} undeclared", "error" if undeclared else "dim")
            + f", {kinds['linked']:,} only linked to ({summary.third_party_hosts:,} hosts)",
        ),
        ("findings", f"{by_severity} ({', '.join(extras)})"),
        *_browser(result),
        *_limits(summary.not_crawled, paint),
        ("verdict", f"{paint(verdict.status, verdict.status)} ({shown(verdict.reason)})"),
    ]
    head = paint(f"linkguard {result.run.tool_version or __version__}", "bold")
    lines = [f"{head}  {shown(result.run.origin)}  {state}"]
    width = max(len(label) for label, _ in rows)
    lines += [f"  {label.ljust(width)}  {value}" for label, value in rows]
    return "\n".join(map(log_line, lines))


def _outbound(result: ScanResult) -> str:
    """``13, 1 exempt; 0 of the other 12 with exit notice (0.0%)``: exempt links need no
    notice, so the share is of the others."""
    summary = result.summary
    share = percent(coverage(result))
    noticed = f"{summary.outbound_with_notice:,}"
    if not summary.outbound_exempt:
        return f"{summary.outbound_links:,}, {noticed} with exit notice ({share})"
    return (
        f"{summary.outbound_links:,}, {summary.outbound_exempt:,} exempt; {noticed} of the "
        f"other {needing_notice(result):,} with exit notice ({share})"
    )


def _browser(result: ScanResult) -> list[tuple[str, str]]:
    """A "browser" row when pages were visited in Chromium (``scan --browser``)."""
    summary = result.summary
    if not summary.browser_pages:
        return []
    counted = ((summary.browser_pages, "page"), (summary.browser_requests, "request"),
               (len(result.cookies), "cookie"), (len(result.storage), "storage key"))  # fmt: skip
    pages, requests, cookies, storage = (
        f"{n:,} {noun}{'' if n == 1 else 's'}" for n, noun in counted
    )
    return [("browser", f"{pages} visited, {requests}, {cookies}, {storage}")]


def _limits(not_crawled: dict[str, int], paint: Callable[[str, str], str]) -> list[tuple[str, str]]:
    """A "not scanned" row when a crawl limit kept linked pages out of the scan."""
    if not not_crawled:
        return []
    total = sum(not_crawled.values())
    which = ", ".join(f"crawl.{name} {count:,}" for name, count in sorted(not_crawled.items()))
    return [("not scanned", paint(f"{total:,} pages found, kept out by {which}", "warning"))]


class ProgressLine:
    """One updating line of crawl progress.

    On a terminal it is rewritten in place with ``\\r`` at most ``interval`` seconds apart
    (~4 per second); elsewhere (a CI log) a plain line is written every
    ``plain_interval`` seconds instead, the first one after that interval, so the log stays
    readable and a short scan writes none. :meth:`close` wipes the
    terminal line, so the summary that follows starts clean.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        tty: bool | None = None,
        interval: float = 0.25,
        plain_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._tty = _isatty(stream) if tty is None else tty
        self._interval = interval if self._tty else plain_interval
        self._clock = clock
        self._last: float | None = None
        self._width = 0

    def update(self, stats: CrawlStats) -> None:
        """Show ``stats`` unless the last update was less than an interval ago."""
        now = self._clock()
        if self._last is None and not self._tty:
            self._last = now  # a log gets its first line after an interval: short scans stay quiet
            return
        if self._last is not None and now - self._last < self._interval:
            return
        self._last = now
        text = describe(stats)
        if self._tty:
            pad = " " * max(0, self._width - len(text))
            self._stream.write(f"\r{text}{pad}")
            self._width = len(text)
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Clear the line (terminal only); safe to call more than once."""
        if self._tty and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
        self._width = 0

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def describe(stats: CrawlStats) -> str:
    """``scanning: 120 pages, 35 queued, 2 errors, 14.3 pages/s, 8s``."""
    errors = "1 error" if stats.errors == 1 else f"{stats.errors:,} errors"
    pages = "1 page" if stats.pages_done == 1 else f"{stats.pages_done:,} pages"
    return (
        f"scanning: {pages}, {stats.queued:,} queued, {errors}, "
        f"{stats.rate:.1f} pages/s, {int(stats.elapsed)}s"
    )


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-like stream without a terminal
        return False
