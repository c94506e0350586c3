"""``linkguard links``: the pipeline observed into reference rows, nothing judged.

Every reference of every page the walk reaches, with where it lands (host, party): lychee's
``--dump``, to see what a scan would judge.
"""

from __future__ import annotations

from collections.abc import Callable

from linkguard.model import FailedPage, FetchedPage, SourceResult, loaded
from linkguard.results.verdict import Coverage
from linkguard.scan.analysis import read_page
from linkguard.scan.loop import run_loop
from linkguard.scan.pipeline import Observed, ProgressCallback, start_url, walk
from linkguard.scan.request import ScanRequest

Row = dict[str, object]


class _Rows:
    """Emits one row per reference of each page, counting the pages read and failed."""

    def __init__(self, request: ScanRequest, emit: Callable[[Row], None]) -> None:
        self.request = request
        self.emit = emit
        self.start = start_url(request)
        self.found = self.scanned = self.failed = 0
        self.start_error: str | None = None

    async def page(self, page: SourceResult) -> Observed:
        page = loaded(page)
        self.found += 1
        if isinstance(page, FailedPage):
            self.failed += 1
            if page.url == self.start:
                self.start_error = page.error
            return Observed((), failed=True)
        if not isinstance(page, FetchedPage):
            return Observed(())  # not HTML: nothing to list
        self.scanned += 1
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


def run_links(
    request: ScanRequest, emit: Callable[[Row], None], progress: ProgressCallback | None = None
) -> Coverage:
    """Walk the target like a scan, emitting every reference instead of judging it; what
    the walk covered (``Coverage.unchecked`` says when it read no page)."""
    rows = _Rows(request, emit)

    async def listing() -> Coverage:
        walked = await walk(request, rows, progress=progress)
        return Coverage(
            target=request.target,
            scanned=rows.scanned,
            found=rows.found,
            failed=rows.failed,
            start_error=rows.start_error,
            cut_short=walked.interrupted,
        )

    return run_loop(listing(), browser=False)
