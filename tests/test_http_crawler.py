"""The HTTP crawler under precise faults (respx as the transport): each is recorded, the
crawl goes on, and nothing outside the site is ever requested."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
import respx

from linkguard.config import CrawlConfig, Policy
from linkguard.model import FetchedPage, ScanResult, SourceResult
from linkguard.scan import ScanRequest, make_scope, run_scan
from linkguard.sources.http import READY, HttpCrawler

SITE = "https://www.example.com"


def _page(*links: str) -> httpx.Response:
    body = "".join(f'<a href="{href}">{href}</a>' for href in links)
    return httpx.Response(200, html=f"<html><body>{body}</body></html>")


def _crawl(router: respx.MockRouter, **crawl: object) -> ScanResult:
    policy = Policy(crawl=CrawlConfig(**{"respect_robots": False, "sitemaps": False, **crawl}))
    request = ScanRequest(
        SITE + "/",
        policy,
        make_scope(SITE + "/", policy),
        policy.crawl,
        transport=httpx.MockTransport(router.async_handler),
    )
    return run_scan(request)


def _pages(result: ScanResult) -> dict[str, tuple[int | None, str | None]]:
    return {p.url.removeprefix(SITE): (p.status, p.error) for p in result.pages}


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(assert_all_called=False, assert_all_mocked=True)


def test_faults_are_recorded_and_the_crawl_goes_on(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(
        return_value=_page("/500", "/timeout", "/refused", "/ok", "/pdf", "https://third.example/")
    )
    router.get(SITE + "/500").mock(return_value=httpx.Response(500))
    router.get(SITE + "/timeout").mock(side_effect=httpx.ReadTimeout("slow"))
    router.get(SITE + "/refused").mock(side_effect=httpx.ConnectError("refused"))
    router.get(SITE + "/pdf").mock(
        return_value=httpx.Response(
            200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"}
        )
    )
    router.get(SITE + "/ok").mock(return_value=_page("/"))
    result = _crawl(router)
    pages = _pages(result)
    assert pages["/500"] == (500, "HTTP 500")
    assert pages["/timeout"][1] is not None and "read timed out" in pages["/timeout"][1]
    assert pages["/refused"][1] is not None and "connection failed" in pages["/refused"][1]
    assert pages["/ok"] == (200, None)
    assert pages["/pdf"] == (200, None)
    assert result.summary.pages == 2  # / and /ok; the PDF is listed, not parsed
    errors = sorted(f.page.removeprefix(SITE) for f in result.findings if f.rule == "crawl-error")
    assert errors == ["/500", "/refused", "/timeout"]
    assert not any("third.example" in str(call.request.url) for call in router.calls)


def test_redirect_loop_is_an_error_not_a_hang(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/a"))
    router.get(SITE + "/a").mock(return_value=httpx.Response(302, headers={"location": "/b"}))
    router.get(SITE + "/b").mock(return_value=httpx.Response(302, headers={"location": "/a"}))
    pages = _pages(_crawl(router))
    assert pages["/a"][0] == 302 and "redirect loop" in (pages["/a"][1] or "")


def test_long_redirect_chain_is_capped(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/r0"))
    for i in range(30):
        router.get(f"{SITE}/r{i}").mock(
            return_value=httpx.Response(301, headers={"location": f"/r{i + 1}"})
        )
    pages = _pages(_crawl(router))
    assert "more than 10 redirects" in (pages["/r0"][1] or "")


def test_first_party_redirect_off_site_is_recorded_not_followed(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/go/partner"))
    router.get(SITE + "/go/partner").mock(
        return_value=httpx.Response(
            302, headers={"location": "https://partner.example.net/landing"}
        )
    )
    result = _crawl(router)
    pages = _pages(result)
    assert pages["/go/partner"] == (302, None)
    assert not any("partner.example.net" in str(c.request.url) for c in router.calls)
    hosts = {t.host: t for t in result.third_parties}
    assert "redirect" in hosts["partner.example.net"].kinds


def test_body_over_the_cap_is_cut_off(router: respx.MockRouter) -> None:
    """Read up to the cap, scanned, and reported as cut (tests/test_byte_cap.py: the same
    on a real server, a folder and templates)."""
    router.get(SITE + "/").mock(return_value=_page("/big"))
    router.get(SITE + "/big").mock(
        return_value=httpx.Response(
            200,
            content=b'<a href="/top">top</a><p>' + b"x" * 5000 + b'<a href="/bottom">b</a>',
            headers={"content-type": "text/html"},
        )
    )
    router.get(SITE + "/top").mock(return_value=_page())
    result = _crawl(router, max_bytes=1000)
    assert sorted(_pages(result)) == ["/", "/big", "/top"]
    assert [p.url.removeprefix(SITE) for p in result.pages if p.truncated] == ["/big"]
    assert [f.rule for f in result.findings] == ["page-truncated"]


def test_limits_on_pages_and_depth(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/d1"))
    router.get(SITE + "/d1").mock(return_value=_page("/d2"))
    router.get(SITE + "/d2").mock(return_value=_page("/d3"))
    assert sorted(_pages(_crawl(router, max_depth=1))) == ["/", "/d1"]
    router.get(SITE + "/").mock(return_value=_page(*[f"/p{i}" for i in range(20)]))
    router.route(method="GET", url__regex=r"/p\d+$").mock(return_value=_page())
    assert len(_crawl(router, max_pages=5).pages) == 5


def test_urls_a_limit_keeps_out_are_counted_once_each(router: respx.MockRouter) -> None:
    """A crawl cut by a limit says so: every distinct linked URL left out, by limit."""
    router.get(SITE + "/").mock(return_value=_page(*[f"/p{i}" for i in range(20)], "/deep"))
    router.route(method="GET", url__regex=r"/p\d+$").mock(return_value=_page("/p19", "/deep"))
    router.get(SITE + "/deep").mock(return_value=_page("/deeper"))
    router.get(SITE + "/deeper").mock(return_value=_page())
    result = _crawl(router, max_pages=6, max_depth=1)
    assert len(result.pages) == 6
    # / links 21 URLs: / and /p0-/p4 make the six pages; /p5-/p19 and /deep are left out,
    # each counted once although every page links /p19 and /deep again.
    assert result.summary.not_crawled == {"max_pages": 16}
    complete = _crawl(router, max_depth=1)
    assert complete.summary.not_crawled == {"max_depth": 1}  # /deeper, linked from /deep
    assert _crawl(router).summary.not_crawled == {}


def test_a_url_refused_for_depth_but_reached_later_is_not_counted(
    router: respx.MockRouter,
) -> None:
    router.get(SITE + "/").mock(return_value=_page("/a", "/b"))
    router.get(SITE + "/a").mock(return_value=_page("/a/deep"))
    router.get(SITE + "/b").mock(return_value=_page())
    router.get(SITE + "/a/deep").mock(return_value=_page("/b"))
    result = _crawl(router, max_depth=1)
    assert result.summary.not_crawled == {"max_depth": 1}  # /a/deep; /b was reached at depth 1


def test_include_exclude_and_dedupe_on_normalised_urls(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(
        return_value=_page(
            "/a?b=2&a=1", "/a?a=1&b=2#top", "/a?a=1&b=2&utm_source=x", "/private/x", "/a"
        )
    )
    router.route(method="GET", url__startswith=SITE + "/a").mock(return_value=_page())
    pages = _pages(_crawl(router, exclude=(r"/private/",)))
    assert sorted(pages) == ["/", "/a", "/a?a=1&b=2"]


def test_robots_txt_is_honoured_unless_ignored(router: respx.MockRouter) -> None:
    router.get(SITE + "/robots.txt").mock(
        return_value=httpx.Response(200, text="User-agent: *\nDisallow: /secret\n")
    )
    router.get(SITE + "/").mock(return_value=_page("/secret/a", "/open"))
    router.get(SITE + "/open").mock(return_value=_page())
    router.get(SITE + "/secret/a").mock(return_value=_page())
    assert sorted(_pages(_crawl(router, respect_robots=True))) == ["/", "/open"]
    assert "/secret/a" in _pages(_crawl(router, respect_robots=False))


def test_sitemap_seeds_pages_nothing_links_to(router: respx.MockRouter) -> None:
    router.get(SITE + "/robots.txt").mock(return_value=httpx.Response(404))
    router.get(SITE + "/sitemap.xml").mock(
        return_value=httpx.Response(
            200,
            text=(
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{SITE}/orphan</loc></url></urlset>"
            ),
        )
    )
    router.get(SITE + "/").mock(return_value=_page())
    router.get(SITE + "/orphan").mock(return_value=_page())
    assert "/orphan" in _pages(_crawl(router, respect_robots=True, sitemaps=True))


def _two_ways_to_x(router: respx.MockRouter, *beyond_x: str) -> dict[str, int]:
    """/x is two links from / through the slow /slow and three through /a and /b, so the
    fast way reaches it first; /x links to ``beyond_x``, each page to the next, the last
    back to /x. The depth of each page of the crawl, by last path segment."""

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.3)
        return _page("/x")

    chain = ["/x", *beyond_x]
    router.get(SITE + "/").mock(return_value=_page("/slow", "/a"))
    router.get(SITE + "/slow").mock(side_effect=slow)
    router.get(SITE + "/a").mock(return_value=_page("/b"))
    router.get(SITE + "/b").mock(return_value=_page("/x"))
    for page, following in zip(chain, [*beyond_x, "/x"], strict=True):
        router.get(SITE + page).mock(return_value=_page(following) if beyond_x else _page())
    return {p.url.rsplit("/", 1)[1]: p.depth for p in _crawl(router).pages}


def test_page_depth_is_the_fewest_links_whatever_answers_first(router: respx.MockRouter) -> None:
    """The fast route reaches /x first, yet its depth is 2: a slow server cannot change
    the results."""
    assert _two_ways_to_x(router) == {"": 0, "slow": 1, "a": 1, "b": 2, "x": 2}


def test_a_shorter_way_found_late_shortens_the_pages_beyond_it_too(
    router: respx.MockRouter,
) -> None:
    """/x is first reached at depth 3 and its links queued at 4; when the slow way shows /x
    is 2 links from /, what /x links to is 3 and what that links to is 4."""
    depths = _two_ways_to_x(router, "/y", "/z")
    assert depths == {"": 0, "slow": 1, "a": 1, "b": 2, "x": 2, "y": 3, "z": 4}


def test_a_cookie_the_site_sets_is_sent_back(router: respx.MockRouter) -> None:
    """Cookies are kept for the crawl, as httpx keeps them (only responses that set none
    skip the cookie jar)."""

    def members(request: httpx.Request) -> httpx.Response:
        if request.headers.get("cookie") != "session=abc":
            return httpx.Response(403)
        return _page()

    home = httpx.Response(
        200,
        html='<a href="/members">members</a>',
        headers={"set-cookie": "session=abc; Path=/"},
    )
    router.get(SITE + "/").mock(return_value=home)
    router.get(SITE + "/members").mock(side_effect=members)
    assert _pages(_crawl(router))["/members"] == (200, None)


def _crawler(router: respx.MockRouter, concurrency: int) -> HttpCrawler:
    crawl = CrawlConfig(respect_robots=False, sitemaps=False, concurrency=concurrency)
    scope = make_scope(SITE + "/", Policy(crawl=crawl))
    return HttpCrawler(
        [SITE + "/"], scope, crawl, transport=httpx.MockTransport(router.async_handler)
    )


def test_fetching_goes_on_while_pages_wait_for_analysis(router: respx.MockRouter) -> None:
    """The network does not wait on the analysis: with 2 fetches at a time, up to 2 x 2 +
    READY pages are fetched and waiting, and every page is still visited and its links
    followed."""
    router.get(SITE + "/").mock(return_value=_page(*(f"/{i}" for i in range(40))))
    router.get(url__regex=SITE + r"/\d+$").mock(return_value=_page("/end"))
    router.get(SITE + "/end").mock(return_value=_page())
    waiting, most = 0, 0

    async def visit(result: SourceResult) -> list[str]:
        nonlocal waiting, most
        waiting += 1
        most = max(most, waiting)
        await asyncio.sleep(0.05)  # a slow analysis
        waiting -= 1
        assert isinstance(result, FetchedPage)
        return [SITE + a for a in re.findall(r'href="([^"]+)"', result.body.decode())]

    crawler = _crawler(router, concurrency=2)
    asyncio.run(crawler.run(visit))
    assert most == 2 * 2 + READY  # twice the fetches in flight and READY more, never more
    assert {c.request.url.path for c in router.calls} == {
        "/",
        "/end",
        *(f"/{i}" for i in range(40)),
    }


def test_an_error_in_a_visit_ends_the_crawl_with_that_error(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/a", "/b"))
    router.get(url__regex=SITE + r"/[ab]$").mock(return_value=_page())

    async def visit(result: SourceResult) -> list[str]:
        if result.url.endswith("/a"):
            raise RuntimeError("analysis bug")
        return [SITE + "/a", SITE + "/b"] if result.url == SITE + "/" else []

    with pytest.raises(RuntimeError, match="analysis bug"):
        asyncio.run(_crawler(router, concurrency=2).run(visit))


def test_robots_txt_crawl_delay_is_read_once_per_origin(router: respx.MockRouter) -> None:
    """Each request asks for its origin's Crawl-delay: read when robots.txt is, and 0 for
    an origin without one, or before its robots.txt has come."""
    from linkguard.sources.robots import RobotsCache

    router.get(SITE + "/robots.txt").mock(
        return_value=httpx.Response(200, text="User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n")
    )
    router.get("https://other.example.com/robots.txt").mock(return_value=httpx.Response(404))

    async def delays() -> list[float]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler)) as c:
            robots = RobotsCache(c, "linkguard", 5.0)
            before = robots.crawl_delay(SITE + "/a")
            await robots.load(SITE + "/a/b?c=1")
            await robots.load("https://other.example.com/")
            return [before] + [
                robots.crawl_delay(url)
                for url in (SITE + "/p?q=1#f", SITE, "https://other.example.com/a", "mailto:x")
            ]

    assert asyncio.run(delays()) == [0.0, 2.5, 2.5, 0.0, 0.0]
