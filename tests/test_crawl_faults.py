"""More faults a weekly crawl meets: rate limits, bombs, odd redirects, trickling servers, traps."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from linkguard.config import CrawlConfig, Policy
from linkguard.model import ScanResult
from linkguard.scan import ScanRequest, make_scope, run_scan
from linkguard.sources._answers import retry_after
from linkguard.sources._reach import path_pattern

SITE = "https://www.example.com"


def _page(*links: str) -> httpx.Response:
    body = "".join(f'<a href="{href}">{href}</a>' for href in links)
    return httpx.Response(200, html=f"<html><body>{body}</body></html>")


def _crawl(
    router: respx.MockRouter | None, target: str = SITE + "/", **crawl: object
) -> ScanResult:
    policy = Policy(crawl=CrawlConfig(**{"respect_robots": False, "sitemaps": False, **crawl}))
    transport = httpx.MockTransport(router.async_handler) if router is not None else None
    request = ScanRequest(
        target, policy, make_scope(target, policy), policy.crawl, transport=transport
    )
    return run_scan(request)


def _pages(result: ScanResult) -> dict[str, tuple[int | None, str | None]]:
    return {p.url.split("/", 3)[-1]: (p.status, p.error) for p in result.pages}


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(assert_all_called=False, assert_all_mocked=True)


def test_429_and_503_are_retried_after_retry_after(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/busy", "/down"))
    router.get(SITE + "/busy").mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "0"}),
            httpx.Response(503, headers={"retry-after": "0"}),
            _page(),
        ]
    )
    router.get(SITE + "/down").mock(return_value=httpx.Response(503, headers={"retry-after": "0"}))
    pages = _pages(_crawl(router, retries=2))
    assert pages["busy"] == (200, None)
    assert pages["down"] == (503, "HTTP 503 after 3 attempts")
    assert sum(1 for c in router.calls if c.request.url.path == "/down") == 3


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("120") == 120.0
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after(soon) or 0) <= 31
    assert retry_after("yesterday") is None and retry_after("") is None


def test_a_gzip_bomb_is_stopped_by_decompressed_size(router: respx.MockRouter) -> None:
    bomb = gzip.compress(b"<p>" + b"x" * 20_000_000)  # ~20 KB on the wire, 20 MB inflated
    assert len(bomb) < 100_000
    router.get(SITE + "/").mock(return_value=_page("/bomb"))
    router.get(SITE + "/bomb").mock(
        return_value=httpx.Response(
            200, content=bomb, headers={"content-type": "text/html", "content-encoding": "gzip"}
        )
    )
    result = _crawl(router, max_bytes=1_000_000)
    bomb = next(p for p in result.pages if p.url.endswith("/bomb"))
    assert (bomb.status, bomb.error, bomb.truncated) == (200, None, True)
    cut = [f.message for f in result.findings if f.rule == "page-truncated"]
    assert cut == ["Page cut at 1,000,000 bytes (crawl.max_bytes): only that much was checked."]


def test_redirect_to_a_non_http_scheme_is_recorded(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/mail", "/js"))
    router.get(SITE + "/mail").mock(
        return_value=httpx.Response(302, headers={"location": "mailto:dpo@example.com"})
    )
    router.get(SITE + "/js").mock(
        return_value=httpx.Response(302, headers={"location": "javascript:alert(1)"})
    )
    result = _crawl(router)
    pages = _pages(result)
    for name in ("mail", "js"):
        assert "not http(s)" in (pages[name][1] or ""), pages[name]
    assert len(router.calls) == 3  # nothing followed past them
    assert sum(f.rule == "crawl-error" for f in result.findings) == 2


def test_a_binary_file_served_as_html_is_not_a_crash(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/blob"))
    router.get(SITE + "/blob").mock(
        return_value=httpx.Response(
            200, content=bytes(range(256)) * 400, headers={"content-type": "text/html"}
        )
    )
    result = _crawl(router)
    assert _pages(result)["blob"] == (200, None)


def test_an_endless_calendar_is_capped_per_path_shape(router: respx.MockRouter) -> None:
    router.get(SITE + "/").mock(return_value=_page("/cal/2030/1"))
    router.route(method="GET", url__regex=r"/cal/(\d+)/(\d+)$").mock(
        side_effect=lambda request: _page(_next_month(request.url.path))
    )
    result = _crawl(router, max_per_pattern=12, max_depth=1000, max_pages=10_000)
    assert sum(1 for p in result.pages if "/cal/" in p.url) == 12
    assert result.summary.not_crawled == {"max_per_pattern": 1}  # the 13th month, refused
    assert path_pattern(SITE + "/cal/2031/05?x=1") == "/cal/0/0"


def _next_month(path: str) -> str:
    year, month = (int(x) for x in path.rsplit("/", 2)[1:])
    return f"/cal/{year + month // 12}/{month % 12 + 1}"


@pytest.fixture
def trickle_server() -> Iterator[str]:
    """Answers headers at once, then one byte a second, forever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # the listener was closed: the test is over
                return
            threading.Thread(target=_trickle, args=(conn, stop), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    stop.set()
    listener.close()


def _trickle(conn: socket.socket, stop: threading.Event) -> None:
    try:
        conn.recv(65536)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
        )
        while not stop.is_set():
            conn.sendall(b"<")
            time.sleep(0.3)
    except OSError:
        pass
    finally:
        conn.close()


def test_a_server_that_trickles_forever_hits_the_page_deadline(trickle_server: str) -> None:
    result = _crawl(None, target=trickle_server, timeout=1.5)
    assert result.pages[0].error == "timed out after 1.5 s"
    assert any(f.rule == "crawl-error" for f in result.findings)


def test_connection_reset_mid_body_is_recorded(router: respx.MockRouter) -> None:
    class Broken(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            yield b"<html><body><a href='/x'>"
            await asyncio.sleep(0)
            raise httpx.ReadError("connection reset by peer")

    router.get(SITE + "/").mock(return_value=_page("/reset"))
    router.get(SITE + "/reset").mock(
        return_value=httpx.Response(200, headers={"content-type": "text/html"}, stream=Broken())
    )
    pages = _pages(_crawl(router))
    assert "connection broken while reading" in (pages["reset"][1] or "")


def test_requests_to_one_host_are_bounded(router: respx.MockRouter) -> None:
    in_flight = {"now": 0, "most": 0}

    async def slow(request: httpx.Request) -> httpx.Response:
        in_flight["now"] += 1
        in_flight["most"] = max(in_flight["most"], in_flight["now"])
        await asyncio.sleep(0.02)
        in_flight["now"] -= 1
        return _page()

    router.get(SITE + "/").mock(return_value=_page(*[f"/p{i}" for i in range(30)]))
    router.route(method="GET", url__regex=r"/p\d+$").mock(side_effect=slow)
    _crawl(router, concurrency=8, per_host=2)
    assert in_flight["most"] == 2
    in_flight["most"] = 0
    _crawl(router, concurrency=8)
    assert in_flight["most"] > 2
