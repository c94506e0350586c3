"""Where pages come from, behind one small interface: a live site over HTTP (``http.py``),
a folder of built HTML (``folder.py``), template sources judged in place
(``templates.py``), and a copy of a site read as the site itself (``mirror.py``, a wrapper
around any of them).

A source calls ``visit`` with each result (a FetchedPage, FailedPage, SkippedPage or
UnreadFile) and receives the absolute URLs that page links to; what it does with them (crawl
them, or ignore them because every file is read anyway) is its own business.

Every module that imports httpx is in this package, so this is where httpx is kept from
importing its own command line: ``httpx/__init__.py`` imports ``httpx._main`` (click,
pygments and half of rich: ~60 ms of CPU, 203 M instructions) whenever those are installed,
as Typer installs them, and falls back to a stub ``httpx.main`` when that import fails. A
None in ``sys.modules`` makes it fail. A crawl never runs httpx's command line; a process
that imported httpx before linkguard keeps its own.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from linkguard.model import SourceResult

# before any module here imports httpx (typeshed types sys.modules without the None that
# the import system documents as "refuse this import")
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

Visit = Callable[[SourceResult], Awaitable[Sequence[str]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Restored:
    """A page an earlier, interrupted run of the same crawl finished (``--resume``)."""

    url: str  # the page's URL as the crawl keys it (normalised)
    depth: int
    hops: tuple[str, ...]  # redirect targets followed while fetching it
    follow: tuple[str, ...]  # the links it offered, in the order it offered them


class Source(Protocol):
    """Yields pages to ``visit`` until done or ``stop()`` is called."""

    async def run(self, visit: Visit) -> None: ...

    def stop(self) -> None: ...

    def queued(self) -> int:
        """Pages known and not yet handed to ``visit`` (for a progress display)."""
        ...

    def not_crawled(self) -> dict[str, int]:
        """Pages a limit kept out of the scan, by limit (``max_pages``, ``max_depth`` ...)."""
        ...

    def depth_of(self, url: str) -> int | None:
        """A page's link depth as the whole run knows it (None: the source has no links)."""
        ...

    def restore(self, done: Callable[[], Sequence[Restored]]) -> None:
        """Continue an interrupted run: ``done()`` gives the pages it finished. A source
        that cannot resume raises ConfigError saying so, without calling ``done``."""
        ...
