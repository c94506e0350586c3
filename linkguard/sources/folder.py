"""A folder of built HTML, read as if served under the site's origin.

``build/about/index.html`` becomes ``https://www.example.com/about/`` and
``build/news/2024.html`` becomes ``https://www.example.com/news/2024.html``: the URLs a crawl
of the live site would see, so findings have the same fingerprints either way. A name that
is not a plain URL path (``index.html?lang=ar%2Ffeed%2F.html``, saved by wget and HTTrack) is
percent-encoded, as a static server expects it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

from linkguard._localfile import shown_name
from linkguard.classify import urls
from linkguard.model import UnreadFile
from linkguard.sources import Visit
from linkguard.sources._files import FileSource, url_path

LANES = 32  # files in flight at once: unread, they cost nothing, and they reach the
# analysis pool together (linkguard/workers.py sends pages that arrive together as one task)
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
_SKIP_DIRS = frozenset({".git", "node_modules", ".svn", ".hg", "__pycache__"})


def page_url(path: Path, root: Path, origin: str) -> str:
    """The URL under ``origin`` that serves ``path`` (``dir/index.html`` is ``dir/``), its
    name percent-encoded as a static server expects it (``_files.url_path``)."""
    rel = path.relative_to(root).as_posix()
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return urls.with_origin(url_path(rel), origin)


def html_files(root: Path) -> Iterator[Path]:
    """Every HTML file under ``root`` in a stable order; VCS and vendor folders skipped."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            if os.path.splitext(name)[1].lower() in HTML_SUFFIXES:
                yield Path(dirpath, name)


class FolderSource(FileSource):
    """Reads every HTML file under a folder; links are not followed (every file is read)."""

    def __init__(self, root: Path, origin: str, *, max_pages: int, max_bytes: int) -> None:
        super().__init__()
        self.root = root
        self.origin = origin
        self.max_pages = max_pages
        self.max_bytes = max_bytes

    async def run(self, visit: Visit) -> None:
        found = html_files(self.root)
        files = list(itertools.islice(found, self.max_pages))
        self._over_limit = sum(1 for _ in found)
        self._remaining = len(files)
        pending = iter(files)

        async def lane() -> None:
            # Several lanes keep the analysis pool busy; one file at a time per lane.
            for path in pending:
                if self._stopped:
                    return
                self._remaining -= 1
                await visit(self._read(path))  # read where it is analysed
                await asyncio.sleep(0)  # let a signal handler run between files

        await asyncio.gather(*(lane() for _ in range(LANES)))

    def _read(self, path: Path) -> UnreadFile:
        url = page_url(path, self.root, self.origin)  # the name's own bytes, percent-encoded
        rel = shown_name(path.relative_to(self.root).as_posix())
        return UnreadFile(
            url=url, path=str(path), file=rel, max_bytes=self.max_bytes, root=str(self.root)
        )
