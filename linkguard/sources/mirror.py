"""A copy of a site (a staging server, or a build served on 127.0.0.1) read as the site itself.

When the policy's ``site.origin`` differs from the crawled target's origin, every page a
source delivers is rewritten onto the site's origin before anything reads it (so references
resolve, and findings are fingerprinted, as on the live site, exactly like a folder scan),
and the links to follow are rewritten back onto the copy. A copy serves only the site
origin's pages: links to other first-party hosts (a portal on another domain) are not on
it, and are never requested from a crawl of a copy.

The mapping has two sides, one per direction:

- ``MirroredSource`` wraps any source, so every command that reads pages (scan, links,
  init) sees pages, depths and resumed pages on the site's origin, from one place;
- the crawler is handed the ``Mirror`` itself (``HttpCrawler(mirror=)``), because it learns
  URLs no page hands back: sitemap ``<loc>``s and index entries, robots.txt ``Sitemap:``
  lines, redirect ``Location`` headers. A copy's build names the live origin in all of
  them, and each is requested where ``Mirror.local`` says, so a crawl of a copy never
  requests, or looks up, the live site.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from linkguard._memo import Memo
from linkguard.model import FailedPage, FetchedPage, SkippedPage, SourceResult, UnreadFile
from linkguard.sources import Restored, Source, Visit


@dataclass(frozen=True, slots=True)
class Mirror:
    """The copy's origin and the site's, and the URL mapping between them."""

    served: str  # the crawled copy's origin: http://127.0.0.1:8123
    origin: str  # the site's origin: https://www.example.com

    def to_site(self, url: str) -> str:
        return _rebase(url, self.served, self.origin)

    def to_served(self, url: str) -> str:
        return _rebase(url, self.origin, self.served)

    def serves(self, url: str) -> bool:
        """Whether ``url`` (on the site's origin) is a page of the copy."""
        return url == self.origin or url.startswith(self.origin + "/")

    def local(self, url: str) -> str | None:
        """Where the copy serves ``url`` (a WHATWG-serialised URL): a URL on the site's
        origin as the copy's, one on the copy as it is; None for any other origin, another
        first-party host included, which the copy does not serve and a crawl of it must
        never request."""
        served = self.to_served(url)
        if served == self.served or served.startswith(self.served + "/"):
            return served
        return None

    def page(self, result: SourceResult) -> SourceResult:
        """``result`` as the site would have answered it: every URL on the site's origin."""
        if isinstance(result, UnreadFile | SkippedPage):
            return replace(result, url=self.to_site(result.url))
        hops = tuple((self.to_site(a), self.to_site(b), s) for a, b, s in result.redirects)
        if isinstance(result, FetchedPage):
            return replace(
                result,
                url=self.to_site(result.url),
                final_url=self.to_site(result.final_url),
                redirects=hops,
            )
        assert isinstance(result, FailedPage)
        return replace(result, url=self.to_site(result.url), redirects=hops)

    def copy_url(self, link: str) -> str | None:
        """A link (a site URL) as the copy's URL, or None when the copy does not serve it."""
        return self.to_served(link) if self.serves(link) else None


def _rebase(url: str, old: str, new: str) -> str:
    if url == old or url.startswith(old + "/"):
        return new + url[len(old) :]
    return url


class MirroredSource:
    """Any source, read as the site: pages and depths on the site's origin, links followed
    on the copy."""

    def __init__(self, inner: Source, mirror: Mirror) -> None:
        self.inner = inner
        self.mirror = mirror
        # Links as the copy's URLs, by site URL: a site's navigation is on every page.
        self._served: Memo[str, str | None] = Memo(mirror.copy_url, 4_000_000)

    def _follow(self, links: Sequence[str]) -> list[str]:
        """The links of a page (site URLs) that the copy serves, as the copy's URLs."""
        served = self._served
        return [url for link in links if (url := served[link]) is not None]

    async def run(self, visit: Visit) -> None:
        mirror = self.mirror

        async def on_copy(result: SourceResult) -> list[str]:
            return self._follow(await visit(mirror.page(result)))

        await self.inner.run(on_copy)

    def stop(self) -> None:
        self.inner.stop()

    def queued(self) -> int:
        return self.inner.queued()

    def not_crawled(self) -> dict[str, int]:
        return self.inner.not_crawled()

    def depth_of(self, url: str) -> int | None:
        return self.inner.depth_of(self.mirror.to_served(url))

    def restore(self, done: Callable[[], Sequence[Restored]]) -> None:
        to_served = self.mirror.to_served

        def on_copy() -> list[Restored]:
            return [
                Restored(
                    url=to_served(page.url),
                    depth=page.depth,
                    hops=tuple(to_served(hop) for hop in page.hops),
                    follow=tuple(self._follow(page.follow)),
                )
                for page in done()
            ]

        self.inner.restore(on_copy)
