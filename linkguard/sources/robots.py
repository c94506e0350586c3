"""robots.txt (parsed by Protego, as Google reads it) and sitemap seeding.

Each file is one fetch with a total deadline (the crawl's ``timeout``), as a page is: a
server that trickles robots.txt or a sitemap a byte a second cannot hold the crawl, whose
read timeout alone never fires while bytes keep coming. A file not read in time is a file
not there: robots.txt then allows everything, and the sitemap names no page.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import zlib
from collections.abc import Callable

import httpx
from protego import Protego

from linkguard.classify import urls

_MAX_ROBOTS_BYTES = 512 * 1024
_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed
_MAX_SITEMAP_FILES = 50
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class RobotsCache:
    """robots.txt per origin; a missing or unreadable file allows everything."""

    def __init__(self, client: httpx.AsyncClient, user_agent: str, timeout: float) -> None:
        self._client = client
        self._agent = user_agent
        self._timeout = timeout
        self._rules: dict[str, Protego | None] = {}
        self._open: set[str] = set()  # origins whose robots.txt can disallow nothing
        self._delays: dict[str, float] = {}  # Crawl-delay by origin, read once per file

    async def load(self, url: str) -> None:
        origin = urls.origin_of(url)
        if origin in self._rules:
            return
        self._rules[origin] = None
        text = await _get_text(
            self._client, f"{origin}/robots.txt", _MAX_ROBOTS_BYTES, self._timeout
        )
        if text is not None:
            rules = self._rules[origin] = Protego.parse(text)
            if not may_disallow(text):
                self._open.add(origin)
            delay = rules.crawl_delay(self._agent)
            self._delays[origin] = float(delay) if delay else 0.0

    def allowed(self, url: str) -> bool:
        origin = urls.origin_of(url)
        if origin in self._open:
            return True
        rules = self._rules.get(origin)
        return True if rules is None else bool(rules.can_fetch(url, self._agent))

    def crawl_delay(self, url: str) -> float:
        return self._delays.get(urls.origin_of(url), 0.0)

    def sitemaps(self) -> list[str]:
        found: list[str] = []
        for rules in self._rules.values():
            if rules is not None:
                found.extend(rules.sitemaps)
        return found


def may_disallow(text: str) -> bool:
    """Whether a robots.txt may disallow anything: whether it has a line Protego could read
    as a disallow rule, each of whose spellings it accepts ("disallow", "dissalow",
    "diasllow"...) has "di" in it. Many sites allow everything ("Disallow:" alone, or only
    Allow and Sitemap lines), and asking Protego of each URL (it quotes and matches the
    URL in Python: 17 us for an exit link's interstitial URL) then only says yes."""
    for line in text.lower().splitlines():
        if "di" in line:
            _, colon, value = line.partition(":")
            if not colon or value.partition("#")[0].strip():
                return True  # a disallow with a value, or one Protego may read without ":"
    return False


async def sitemap_urls(
    client: httpx.AsyncClient,
    seeds: list[str],
    extra: list[str],
    limit: int,
    *,
    timeout: float,
    where: Callable[[str], str | None] = lambda url: url,
) -> list[str]:
    """Page URLs listed by the seeds' /sitemap.xml and robots.txt's Sitemap lines.

    Sitemap indexes are followed (at most 50 files), gzipped sitemaps are read with a
    decompressed-size cap, and XML entities are never resolved; each file has ``timeout``
    seconds in all. Every sitemap file named by
    robots.txt or an index is requested where ``where`` says (None: not at all), so a copy
    of a site reads its own sitemaps where they name the live site's.
    """
    pending = [f"{urls.origin_of(s)}/sitemap.xml" for s in seeds] + list(extra)
    done: set[str] = set()
    pages: list[str] = []
    while pending and len(done) < _MAX_SITEMAP_FILES and len(pages) < limit:
        named = urls.normalize(pending.pop(0))
        sitemap = where(named) if urls.scheme_of(named) in urls.WEB_SCHEMES else None
        if sitemap is None or sitemap in done:
            continue
        done.add(sitemap)
        body = await _get_bytes(client, sitemap, _MAX_SITEMAP_BYTES, timeout)
        if body is None:
            continue
        locs, is_index = _parse_sitemap(body)
        (pending if is_index else pages).extend(locs)
    return pages[:limit]


def _parse_sitemap(body: bytes) -> tuple[list[str], bool]:
    from lxml import etree  # here: a site without a sitemap never loads lxml (~25 ms)

    if body[:2] == b"\x1f\x8b":
        try:
            body = _gunzip(body, _MAX_SITEMAP_BYTES)
        except (OSError, EOFError, zlib.error):
            return [], False
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return [], False
    if root is None:
        return [], False
    locs = [(el.text or "").strip() for el in root.iter(f"{_SITEMAP_NS}loc", "loc")]
    return [loc for loc in locs if loc], etree.QName(root).localname == "sitemapindex"


def _gunzip(data: bytes, cap: int) -> bytes:
    """Decompress at most ``cap`` bytes: a gzip bomb is cut off, not expanded."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
        return handle.read(cap)


async def _get_bytes(client: httpx.AsyncClient, url: str, cap: int, timeout: float) -> bytes | None:
    """The body at ``url`` (None: not 200, over ``cap``, failed, or not whole within
    ``timeout`` seconds)."""
    try:
        async with asyncio.timeout(timeout), client.stream("GET", url) as response:
            if response.status_code != 200:
                return None
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > cap:
                    return None
            return bytes(body)
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError):
        return None


async def _get_text(client: httpx.AsyncClient, url: str, cap: int, timeout: float) -> str | None:
    body = await _get_bytes(client, url, cap, timeout)
    return None if body is None else body.decode("utf-8", errors="replace")
