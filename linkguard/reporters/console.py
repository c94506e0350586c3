"""The terminal: a short summary after a scan.

Plain text with optional ANSI colour (the CLI decides: a TTY and no ``NO_COLOR``). It does
not print by itself: :func:`render_summary` returns a string. The progress shown during a
scan is the CLI's (``linkguard/cli/_progress.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from linkguard._version import __version__
from linkguard.display import log_line, shown
from linkguard.model import ScanResult
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
from linkguard.reporters._history import since_last
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
        *([("history", shown(since_last(result.history)))] if result.history else []),
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
