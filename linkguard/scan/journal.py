"""The crawl state behind ``--resume``: an interrupted weekly crawl continues where it stopped.

The state file is a journal, one JSON object per line (``linkguard/crawl-state/v2``):

    {"schema": ..., "target": ..., "origin": ..., "first_party": [...], ...}   the header
    {"url": ..., "depth": 2, "hops": [...], "follow": [...], "page": {...}}    a page done

Each page done is appended as one complete line by a single ``write`` the moment its
analysis is folded in, and the file is fsynced at most every ``SYNC_EVERY`` seconds: a
Ctrl-C, a SIGTERM or a crash of linkguard loses nothing, a power cut at most those seconds.
A torn last line (the machine stopped mid-write) is dropped when the file is read, and cut
off before the journal grows again: every line that is read is whole. Appending keeps the
cost of a save in proportion to one page, where rewriting a snapshot would grow with the
crawl.

On resume the journal is replayed: each page's analysis is folded into the results again
(nothing is fetched twice), and the links each page offered are offered to the frontier
again, in the order they were first offered. The frontier is therefore rebuilt exactly,
seen set, depths and limits included, without ever being written down; pages that were in
flight when the crawl stopped are simply fetched again.

A state file belongs to one crawl: the target, the site's origin and first-party set, the
policy file's sha256 and the linkguard version must match, or the run stops with exit
code 2 rather than mix two crawls. A crawl that finishes removes its state file, so the
next week's run with the same ``--resume`` path starts afresh.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkguard._version import __version__
from linkguard.errors import ConfigError
from linkguard.results.codec import (
    dynamic_from_dict,
    dynamic_to_dict,
    finding_from_dict,
    finding_to_dict,
    page_from_dict,
    page_to_dict,
)
from linkguard.results.shape import typed_value
from linkguard.scan.analysis import (
    InterstitialLink,
    OutboundLink,
    PageAnalysis,
    SeenThirdParty,
)

SCHEMA = "linkguard/crawl-state/v2"  # v2: page URLs on the site's origin, not the copy's
_FAMILY = "linkguard/crawl-state/"
SYNC_EVERY = 2.0  # seconds between fsyncs of the journal


@dataclass(frozen=True, slots=True, kw_only=True)
class DonePage:
    """One page the crawl finished, as the journal keeps it."""

    url: str  # the frontier's key (the crawled URL, normalised), on the site's origin
    depth: int
    hops: tuple[str, ...]  # redirect targets followed while fetching it
    follow: tuple[str, ...]  # the links it offered the frontier, in order
    analysis: PageAnalysis


def identity(
    target: str, origin: str, first_party: tuple[str, ...], config_sha256: str | None
) -> dict[str, Any]:
    """What makes two runs the same crawl."""
    return {
        "schema": SCHEMA,
        "target": target,
        "origin": origin,
        "first_party": list(first_party),
        "config_sha256": config_sha256,
        "linkguard": __version__,
    }


class CrawlState:
    """The journal of one crawl: read once when opened, appended to as pages finish."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.header = header
        self.done: list[DonePage] = []
        self._fd = -1
        self._synced = 0.0

    @classmethod
    def open(cls, path: Path, header: dict[str, Any]) -> CrawlState:
        """Read the journal at ``path`` (if any) and get it ready to be appended to."""
        state = cls(path, header)
        good = state._read() if path.exists() else 0
        try:
            state._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            if good:
                os.truncate(path, good)  # a torn last line goes before anything is added
            else:
                os.truncate(path, 0)
                state._write(header)
        except OSError as exc:
            raise ConfigError(
                f"{path}: cannot write the crawl state ({exc.strerror or exc})",
                tip="pass --resume a path in a writable folder",
            ) from exc
        return state

    def _read(self) -> int:
        """Load the pages done; the byte length of the whole lines read (0: start afresh)."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"{self.path}: cannot read the crawl state ({exc.strerror or exc})",
                tip="check the file's permissions, or pass --resume a new path",
            ) from exc
        if not data.strip():
            return 0
        lines = data.split(b"\n")
        whole = lines[:-1]  # the last piece has no newline: empty, or torn mid-write
        try:
            header = json.loads(whole[0]) if whole else None
        except (ValueError, RecursionError):
            header = None
        schema = str(header.get("schema", "")) if isinstance(header, dict) else ""
        if schema.startswith(_FAMILY) and schema != SCHEMA:
            raise ConfigError(
                f"{self.path}: a crawl state written by another linkguard "
                f"({schema}, this one reads {SCHEMA})",
                tip="delete the file (or pass --resume a new path) to start the crawl afresh",
            )
        if not isinstance(header, dict) or header.get("schema") != SCHEMA:
            raise ConfigError(
                f"{self.path}: not a linkguard crawl state file",
                tip="pass --resume a new path (linkguard creates it), or delete this file",
            )
        self._check(header)
        size = len(whole[0]) + 1
        for number, line in enumerate(whole[1:], start=2):
            try:
                self.done.append(_done_from(json.loads(line)))
            except (ValueError, KeyError, TypeError, RecursionError) as exc:
                raise ConfigError(
                    f"{self.path}: line {number} is damaged ({type(exc).__name__}: {exc})",
                    tip="delete the file to start the crawl afresh",
                ) from exc
            size += len(line) + 1
        return size

    def _check(self, header: dict[str, Any]) -> None:
        for key, expected in self.header.items():
            if header.get(key) != expected:
                raise ConfigError(
                    f"{self.path}: the saved crawl has {key} {header.get(key)!r}, "
                    f"this run has {expected!r}",
                    tip="run with the same target and policy to resume it, or delete the "
                    "file (or pass --resume a new path) to start afresh",
                )

    def record(self, page: DonePage) -> None:
        """Append one finished page: one line, one write."""
        self._write(_done_to(page))
        now = time.monotonic()
        if now - self._synced >= SYNC_EVERY:
            os.fsync(self._fd)
            self._synced = now

    def _write(self, item: dict[str, Any]) -> None:
        line = json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"
        data = line.encode("utf-8")
        while data:
            written = os.write(self._fd, data)
            data = data[written:]

    def close(self, *, finished: bool) -> None:
        """Sync and close; a finished crawl removes its state, so the next one starts afresh."""
        if self._fd < 0:
            return
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = -1
        if finished:
            self.path.unlink(missing_ok=True)


# -- one page done, as JSON -----------------------------------------------------------------
def _done_to(page: DonePage) -> dict[str, Any]:
    return {
        "url": page.url,
        "depth": page.depth,
        "hops": list(page.hops),
        "follow": list(page.follow),
        "page": analysis_to_dict(page.analysis),
    }


def analysis_to_dict(a: PageAnalysis) -> dict[str, Any]:
    """One page's analysis as JSON (without the links to follow, which the journal keeps
    beside it); a portfolio run sends a walk's analyses from worker to worker this way."""
    return {
        "record": page_to_dict(a.record),
        "findings": [finding_to_dict(f) for f in a.findings],
        "third_party": [list(t) for t in a.third_party],
        "references": a.references,
        "exempt": a.exempt,
        "mechanisms": [list(m) for m in a.mechanisms],
        "dynamic": [dynamic_to_dict(d) for d in a.dynamic],
        "via_interstitial": [[url, finding_to_dict(f)] for url, f in a.via_interstitial],
        "outbound_links": [list(o) for o in a.outbound_links],
    }


def _done_from(data: Any) -> DonePage:
    """The page :func:`_done_to` wrote; ValueError, KeyError or TypeError (naming what is
    wrong) for a line of another shape."""
    return DonePage(
        url=typed_value(data["url"], str, "url"),
        depth=typed_value(data["depth"], int, "depth"),
        hops=_strings(data["hops"], "hops"),
        follow=_strings(data["follow"], "follow"),
        analysis=analysis_from_dict(data["page"]),
    )


def analysis_from_dict(p: Any) -> PageAnalysis:
    """The analysis :func:`analysis_to_dict` wrote (its ``follow`` empty); ValueError,
    KeyError or TypeError (naming what is wrong) for an object of another shape."""
    return PageAnalysis(
        record=page_from_dict(p["record"], "page.record"),
        findings=tuple(finding_from_dict(f, "page.findings[]") for f in p["findings"]),
        third_party=tuple(
            SeenThirdParty(*_strings(t, "page.third_party[]")) for t in p["third_party"]
        ),
        follow=(),  # the frontier is fed from the DonePage's own follow list
        references=typed_value(p["references"], int, "page.references"),
        exempt=typed_value(p["exempt"], int, "page.exempt"),
        mechanisms=tuple(
            (typed_value(n, str, "page.mechanisms[]"), typed_value(c, int, "page.mechanisms[]"))
            for n, c in p["mechanisms"]
        ),
        dynamic=tuple(dynamic_from_dict(d, "page.dynamic[]") for d in p["dynamic"]),
        via_interstitial=tuple(
            InterstitialLink(
                typed_value(u, str, "page.via_interstitial[]"),
                finding_from_dict(f, "page.via_interstitial[]"),
            )
            for u, f in p["via_interstitial"]
        ),
        outbound_links=tuple(
            OutboundLink(
                typed_value(u, str, "page.outbound_links[]"),
                typed_value(n, int, "page.outbound_links[]"),
                typed_value(e, str, "page.outbound_links[]"),
            )
            for u, n, e in p["outbound_links"]
        ),
    )


def _strings(value: object, where: str) -> tuple[str, ...]:
    strings: tuple[str, ...] = typed_value(value, tuple[str, ...], where)
    return strings
