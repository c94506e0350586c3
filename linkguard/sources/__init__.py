"""Where pages come from: a live site over HTTP (``http.py``) or a folder of built HTML
(``folder.py``), behind one small interface.

A source calls ``visit`` with each result (a FetchedPage, FailedPage or SkippedPage) and
receives the absolute URLs that page links to; what it does with them (crawl them, or
ignore them because every file is read anyway) is its own business.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from linkguard.model import SourceResult

Visit = Callable[[SourceResult], Awaitable[Sequence[str]]]


class Source(Protocol):
    """Yields pages to ``visit`` until done or ``stop()`` is called."""

    async def run(self, visit: Visit) -> None: ...

    def stop(self) -> None: ...

    def queued(self) -> int: ...

    def not_crawled(self) -> dict[str, int]:
        """Pages a limit kept out of the scan, by limit (``max_pages``, ``max_depth`` ...)."""
        ...
