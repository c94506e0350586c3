"""``linkguard links``: the pipeline observed into reference rows, nothing judged.

Every reference of every page the walk reaches, with where it lands (host, party): lychee's
``--dump``, to see what a scan would judge.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from linkguard.model import FetchedPage, SourceResult, loaded
from linkguard.scan.analysis import read_page
from linkguard.scan.pipeline import Observed, walk
from linkguard.scan.request import ScanRequest

Row = dict[str, object]


class _Rows:
    """Emits one row per reference of each page."""

    def __init__(self, request: ScanRequest, emit: Callable[[Row], None]) -> None:
        self.request = request
        self.emit = emit

    async def page(self, page: SourceResult) -> Observed:
        page = loaded(page)
        if not isinstance(page, FetchedPage):
            return Observed((), failed=True)
        read = read_page(page, self.request.policy, self.request.scope, every_text=True)
        for cref in read.refs:
            ref, boundary = cref.ref, cref.boundary
            self.emit(
                {
                    "page": page.url,
                    "line": ref.line,
                    "kind": str(ref.kind),
                    "tag": ref.tag,
                    "attr": ref.attr,
                    "href": ref.raw,
                    "url": ref.url,
                    "host": boundary.host,
                    "party": str(boundary.party),
                }
            )
        return Observed(read.follow)


def run_links(request: ScanRequest, emit: Callable[[Row], None]) -> None:
    """Walk the target like a scan, emitting every reference instead of judging it."""

    async def listing() -> None:
        await walk(request, _Rows(request, emit))

    asyncio.run(listing())
