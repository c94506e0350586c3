"""A crawl GET straight to the crawl's own transport (linkguard/sources/_get.py) against
httpx's client on the same transport, on raw sockets on 127.0.0.1: the same request bytes,
the same answers and errors, the cookies filed and sent back, and every case the client
must handle itself (a cookie to send, a proxy, a test's transport) left to the client."""

from __future__ import annotations

import asyncio
import gzip

import httpx
import pytest
from rawsocket import http_answer, scripted_server

from linkguard.classify import urls
from linkguard.config import CrawlConfig, Policy
from linkguard.scan import ScanRequest, make_scope, run_scan
from linkguard.sources import netio
from linkguard.sources._answers import bounded_cookies, capped_body
from linkguard.sources._get import Direct, direct_for
from linkguard.sources._h1 import FastTransport
from linkguard.sources.proxy import proxy_mounts

PAGE = b"<html><body><a href='/next'>next</a></body></html>"
Answer = tuple[int, bytes, str, str] | str  # status, body, content type, location; or error


async def _fetch(direct: Direct, url: str) -> Answer:
    try:
        async with direct.get(url) as response:
            body, _ = await capped_body(response, 1_000_000)
            headers = response.headers
            return (
                response.status_code,
                body,
                headers.get("content-type", ""),
                headers.get("location", ""),
            )
    except httpx.HTTPError as error:
        return type(error).__name__


def _gets(*urls: str, direct: bool = True, timeout: float = 5) -> tuple[list[Answer], int]:
    """Each URL fetched in turn as the crawl fetches pages, and how many went straight to
    the transport (``direct=False``: every one through the client)."""

    async def run() -> tuple[list[Answer], int]:
        transport = netio.crawl_transport(httpx.Limits())
        async with httpx.AsyncClient(
            transport=transport, timeout=timeout, headers={"User-Agent": "lg-test"}
        ) as client:
            bounded_cookies(client)
            getter = direct_for(client, transport) if direct else Direct(client, None)
            return [await _fetch(getter, url) for url in urls], getter.sent

    return asyncio.run(run())


def test_the_direct_get_sends_the_client_s_request_and_reads_the_same_answer() -> None:
    reply = http_answer(PAGE, b"Content-Type: text/html", b"Content-Length: %d" % len(PAGE))
    with scripted_server(lambda path: reply) as server:
        direct, sent = _gets(server.url + "/a?b=c%20d")
        through_client, none = _gets(server.url + "/a?b=c%20d", direct=False)
    assert direct == through_client == [(200, PAGE, "text/html", "")]
    assert (sent, none) == (1, 0)
    straight, client_built = server.requests
    assert straight == client_built
    assert straight.startswith(b"GET /a?b=c%20d HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nUser-Agent: lg-test" in straight


def test_a_redirect_and_a_compressed_body_read_as_through_the_client() -> None:
    packed = gzip.compress(PAGE)

    def script(path: bytes) -> bytes:
        if path == b"/old":
            return http_answer(b"", b"Location: /new", b"Content-Length: 0", status=b"301 Moved")
        return http_answer(packed, b"Content-Encoding: gzip", b"Content-Length: %d" % len(packed))

    with scripted_server(script) as server:
        direct, sent = _gets(server.url + "/old", server.url + "/new")
        through_client, _ = _gets(server.url + "/old", server.url + "/new", direct=False)
    assert direct == through_client == [(301, b"", "", "/new"), (200, PAGE, "", "")]
    assert sent == 2


def test_errors_and_timeouts_are_the_client_s() -> None:
    with scripted_server(lambda path: b"", close=True) as closing:
        assert _gets(closing.url + "/")[0] == _gets(closing.url + "/", direct=False)[0]
        assert _gets(closing.url + "/")[0] == ["RemoteProtocolError"]
    with scripted_server(lambda path: [b"HTTP/1.1 200 OK\r\n"] + [b""] * 10) as slow:
        assert _gets(slow.url + "/", timeout=0.2)[0] == ["ReadTimeout"]


def test_a_cookie_set_on_a_direct_answer_is_sent_back_through_the_client() -> None:
    def script(path: bytes) -> bytes:
        if path == b"/login":
            return http_answer(b"", b"Set-Cookie: session=abc; Path=/", b"Content-Length: 0")
        return http_answer(PAGE, b"Content-Length: %d" % len(PAGE))

    with scripted_server(script) as server:
        answers, sent = _gets(server.url + "/", server.url + "/login", server.url + "/next")
    assert [a[0] for a in answers if not isinstance(a, str)] == [200, 200, 200]
    assert sent == 2  # / and /login straight; /next has a cookie to send: the client's
    first, login, after = server.requests
    assert b"cookie" not in first.lower() and b"cookie" not in login.lower()
    assert b"\r\nCookie: session=abc" in after


def test_only_the_crawl_s_own_transport_without_a_proxy_is_used_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)

    async def transports() -> list[object]:
        fast = netio.crawl_transport(httpx.Limits())
        mounts = proxy_mounts("http://127.0.0.1:9", limits=httpx.Limits(), verify=True)
        mock = httpx.MockTransport(lambda request: httpx.Response(200))
        found: list[object] = []
        for transport, mounted in ((fast, None), (fast, mounts), (mock, None), (fast, None)):
            async with httpx.AsyncClient(transport=transport, mounts=mounted) as client:
                bounded_cookies(client)  # the Cookie header's cap: a hook the path honours
                if len(found) == 3:
                    client.event_hooks["response"].append(lambda response: None)
                found.append(direct_for(client, transport).transport)
        return found

    straight, proxied, injected, hooked = asyncio.run(transports())
    assert isinstance(straight, FastTransport)
    assert proxied is None and injected is None and hooked is None


def test_credentials_in_the_url_go_through_the_client_which_sends_them() -> None:
    # httpx's client turns user:password@ into a Basic Authorization header; a GET sent
    # straight to the transport would drop it, so such a URL is the client's.
    with scripted_server(
        lambda path: http_answer(PAGE, b"Content-Length: %d" % len(PAGE))
    ) as server:
        with_credentials = server.url.replace("http://", "http://ann:secret@") + "/private"
        answers, sent = _gets(with_credentials, server.url + "/open")
    assert [a[0] for a in answers if not isinstance(a, str)] == [200, 200]
    assert sent == 1  # /open only
    private, public = server.requests
    assert b"\r\nAuthorization: Basic YW5uOnNlY3JldA==" in private
    assert b"authorization" not in public.lower()


def test_a_location_httpx_refuses_is_refused_on_both_paths() -> None:
    # The client builds the next request of every redirect it does not follow, and refuses
    # a Location its URL parser rejects: the direct path does the same, so a page's verdict
    # never depends on whether the site had set a cookie.
    def script(path: bytes) -> bytes:
        return http_answer(b"", b"Location: /a\tb", b"Content-Length: 0", status=b"301 Moved")

    with scripted_server(script) as server:
        direct, sent = _gets(server.url + "/r")
        through_client, _ = _gets(server.url + "/r", direct=False)
    assert direct == through_client == ["RemoteProtocolError"]
    assert sent == 1


def test_a_redirect_to_a_host_idna_refuses_is_a_failed_page_not_a_crashed_scan() -> None:
    links = b'<a href="/r">r</a><a href="/ok">ok</a>'

    def script(path: bytes) -> bytes:
        if path == b"/r":
            return http_answer(
                b"", b"Location: https://xn--a.com/", b"Content-Length: 0", status=b"301 Moved"
            )
        body = links if path == b"/" else PAGE
        return http_answer(body, b"Content-Type: text/html", b"Content-Length: %d" % len(body))

    with scripted_server(script) as server:
        target = server.url + "/"
        policy = Policy(crawl=CrawlConfig(respect_robots=False, sitemaps=False))
        result = run_scan(ScanRequest(target, policy, make_scope(target, policy), policy.crawl))
    pages = {page.url.rsplit("/", 1)[1]: page for page in result.pages}
    assert pages["ok"].error is None and pages["ok"].status == 200
    assert "redirect to a URL that is not http(s) or not valid" in (pages["r"].error or "")


HEAD_URLS = [
    "http://127.0.0.1:8000/p/1.html", "https://www.example.com", "http://a.com?x",
    "http://a.com/p?", "http://a.com/p?#f", "http://a.com:8080/a?b=1&c#top", "https://a.com./x",
    "https://www.example.com/leaving/?url=https%3A%2F%2Fw.example.net%2Fa", "http://1.2.3.4/",
    "https://a.com/~x/(y)/a,b;c=d@e!f$g*h+i", "http://a.com:65535/", "https://a.com:443/",
    "http://A.com/", "http://a.com/a b", "http://a.com/é", "http://a.com/./a", "http://[::1]:81/",
    "http://a.com:0080/", "http://xn--bcher-kva.de/",
]  # fmt: skip
# Those the parser would write otherwise (a default or padded port, case, a dot segment,
# characters it encodes, punycode it checks, IPv6): their Request is made and read.
NOT_PLAIN = {"https://a.com:443/", "http://A.com/", "http://a.com/a b", "http://a.com/é",
             "http://a.com/./a", "http://[::1]:81/", "http://a.com:0080/",
             "http://xn--bcher-kva.de/"}  # fmt: skip


@pytest.mark.parametrize("url", HEAD_URLS)
def test_a_plain_urls_request_head_is_the_one_httpx_s_request_gives(url: str) -> None:
    """``Direct._head`` writes a plain URL's request head itself; it is byte for byte the
    head of the httpx Request the client would build (``_h1._request_head``), to the same
    origin. Any other URL gets no head of its own: the Request is made."""
    from linkguard.sources._h1 import DEFAULT_PORT, _request_head

    client = httpx.AsyncClient(headers={"User-Agent": "lg-test"})
    direct = Direct(client, None)
    request = httpx.Request("GET", url, headers=client.headers)
    ours = direct._head(url)
    if ours is None:
        assert urls.plain_parts(url) is None
        assert url in NOT_PLAIN
        return
    port = request.url.port or DEFAULT_PORT[request.url.scheme]
    assert ours == ((request.url.raw_scheme, request.url.raw_host, port), _request_head(request))


def test_plain_urls_get_their_head_without_an_httpx_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page answered 200 with no cookie makes no httpx Request (60 us each on the event
    loop); a redirect and a Set-Cookie answer do, for the client's work on them."""
    made: list[str] = []

    class Counted(httpx.Request):
        def __init__(self, method: str, url: object, **kwargs: object) -> None:
            made.append(str(url))
            super().__init__(method, url, **kwargs)  # type: ignore[arg-type]

    def script(path: bytes) -> bytes:
        if path == b"/old":
            return http_answer(b"", b"Location: /new", b"Content-Length: 0", status=b"301 Moved")
        if path == b"/login":
            return http_answer(b"", b"Set-Cookie: s=1; Path=/", b"Content-Length: 0")
        return http_answer(PAGE, b"Content-Length: %d" % len(PAGE))

    monkeypatch.setattr(httpx, "Request", Counted)
    with scripted_server(script) as server:
        answers, sent = _gets(*(server.url + path for path in ("/a", "/old", "/b", "/login")))
    assert [a[0] for a in answers if not isinstance(a, str)] == [200, 301, 200, 200]
    assert sent == 4
    assert [url.rsplit("/", 1)[1] for url in made] == ["old", "login"]


def test_a_url_longer_than_httpx_takes_is_refused_on_both_paths_and_never_sent() -> None:
    """httpx refuses a URL over 65,536 characters before sending anything; the direct path
    writes no head of its own for one, so a page linking to such a URL fails alike."""
    with scripted_server(lambda path: http_answer(PAGE, b"Content-Length: %d" % len(PAGE))) as s:
        long_url = s.url + "/" + "x" * 70_000
        for direct in (True, False):
            with pytest.raises(httpx.InvalidURL):  # the crawler records it as a failed page
                _gets(long_url, direct=direct)
        assert _gets(s.url + "/" + "x" * 60_000)[0] == [(200, PAGE, "", "")]
        assert len(s.requests) == 1  # only the 60,000-character URL reached the server
        assert s.requests[0].startswith(b"GET /" + b"x" * 60_000 + b" HTTP/1.1\r\n")


def test_an_error_reading_a_direct_answers_body_carries_its_request() -> None:
    """A body cut short (or a bad gzip) raises while the block reads it; the error carries
    the request it answered, as the client's would, though the answer itself made none."""
    short = http_answer(b"0123456789", b"Content-Length: 100")

    async def run(url: str) -> httpx.Request:
        transport = netio.crawl_transport(httpx.Limits())
        async with httpx.AsyncClient(transport=transport, timeout=5) as client:
            bounded_cookies(client)
            direct = direct_for(client, transport)
            try:
                async with direct.get(url) as response:
                    await capped_body(response, 1_000_000)
            except httpx.RemoteProtocolError as error:
                assert direct.sent == 1
                return error.request
        raise AssertionError("the short body was read whole")

    with scripted_server(lambda path: short, close=True) as server:
        request = asyncio.run(run(server.url + "/short"))
    assert str(request.url) == server.url + "/short"
