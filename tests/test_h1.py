"""The crawl's own HTTP/1.1 path (linkguard/sources/_h1.py) side by side with httpx's own
transport, against raw sockets on 127.0.0.1 that answer byte for byte what each test
scripts: every framing a server may use, interim answers, a malformed or endless head,
bytes after a response, a body cut short. Where the fast path answers, it answers as the
standard one does; where llhttp refuses a response, the standard path's verdict stands."""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import Iterator

import httpx
import pytest
from rawsocket import RawServer, http_answer, scripted_server

from linkguard.sources import netio
from linkguard.sources._h1 import MAX_HEAD, FastTransport


def _transport(connections: int = 4) -> FastTransport:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return netio.crawl_transport(limits)


Outcome = tuple[int, bytes, str] | str  # (status, body, content type) or the error's class


async def _get(client: httpx.AsyncClient, url: str) -> Outcome:
    try:
        async with client.stream("GET", url) as response:
            body = await response.aread()
            return response.status_code, body, response.headers.get("content-type", "")
    except httpx.HTTPError as error:
        return type(error).__name__


def _both(url: str, times: int = 1) -> tuple[list[Outcome], list[Outcome], FastTransport]:
    """What the fast path and the standard path each answer to ``times`` GETs of ``url``."""

    async def run(transport: httpx.AsyncBaseTransport) -> list[Outcome]:
        async with httpx.AsyncClient(transport=transport, timeout=5) as client:
            return [await _get(client, url) for _ in range(times)]

    fast = _transport()
    return asyncio.run(run(fast)), asyncio.run(run(_transport().fallback)), fast


PAGE = b"<html><body><a href='/next'>next</a></body></html>"


@pytest.fixture
def keep_alive() -> Iterator[RawServer]:
    with scripted_server(
        lambda path: http_answer(PAGE, b"Content-Length: %d" % len(PAGE))
    ) as server:
        yield server


def test_content_length_answers_on_one_kept_alive_connection(keep_alive: RawServer) -> None:
    fast, standard, transport = _both(keep_alive.url + "/", times=3)
    assert fast == standard == [(200, PAGE, "")] * 3
    assert transport.answered == 3
    assert keep_alive.connections == 2  # one for the fast path's three, one for the standard's


def test_the_request_head_is_httpx_s(keep_alive: RawServer) -> None:
    _both(keep_alive.url + "/a?b=c%20d")
    fast, standard = keep_alive.requests
    assert fast == standard
    assert fast.startswith(b"GET /a?b=c%20d HTTP/1.1\r\n")
    assert b"\r\nHost: 127.0.0.1:" in fast


def _chunked(path: bytes) -> bytes:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (PAGE[:10], PAGE[10:]))
    return http_answer(
        chunks + b"0\r\nX-Trailer: yes\r\n\r\n",
        b"Content-Type: text/html",
        b"Transfer-Encoding: chunked",
    )


def test_a_chunked_body_with_trailers_is_decoded_and_the_connection_reused() -> None:
    with scripted_server(_chunked) as server:
        fast, standard, transport = _both(server.url + "/", times=2)
        assert fast == standard == [(200, PAGE, "text/html")] * 2
        assert transport.answered == 2
        assert server.connections == 2


def test_a_body_that_ends_with_the_connection() -> None:
    answer = http_answer(PAGE, b"Content-Type: text/html", b"Connection: close")
    with scripted_server(lambda path: answer, close=True) as server:
        fast, standard, transport = _both(server.url + "/", times=2)
        assert fast == standard == [(200, PAGE, "text/html")] * 2
        assert transport.answered == 2
        assert server.connections == 4  # never reused: each answer closed its connection


def test_interim_answers_come_before_the_response() -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
    answer += http_answer(PAGE, b"Content-Length: %d" % len(PAGE), b"Content-Type: text/html")
    with scripted_server(lambda path: answer) as server:
        fast, standard, transport = _both(server.url + "/", times=2)
        assert fast == standard == [(200, PAGE, "text/html")] * 2
        assert transport.answered == 2


def test_no_content_and_not_modified_have_no_body() -> None:
    answers = {b"/204": http_answer(b"", status=b"204 No Content"),
               b"/304": http_answer(b"", b"ETag: x", status=b"304 Not Modified")}  # fmt: skip
    with scripted_server(lambda path: answers[path]) as server:
        for path, status in ((b"/204", 204), (b"/304", 304)):
            fast, standard, _ = _both(server.url + path.decode(), times=2)
            assert fast == standard == [(status, b"", "")] * 2
        assert server.connections == 4  # one per path and per transport: bodiless, reused


def test_a_gzip_body_is_decoded_by_httpx_above_the_transport() -> None:
    packed = gzip.compress(PAGE)
    answer = http_answer(packed, b"Content-Encoding: gzip", b"Content-Length: %d" % len(packed))
    with scripted_server(lambda path: answer) as server:
        fast, standard, _ = _both(server.url + "/")
        assert fast == standard == [(200, PAGE, "")]


def test_bytes_after_a_response_end_that_connection() -> None:
    answer = http_answer(PAGE, b"Content-Length: %d" % len(PAGE)) + b"GARBAGE\r\n\r\n"
    with scripted_server(lambda path: answer) as server:
        transport = _transport()

        async def run(url: str) -> list[Outcome]:
            async with httpx.AsyncClient(transport=transport) as client:
                return [await _get(client, url) for _ in range(2)]

        assert asyncio.run(run(server.url + "/")) == [(200, PAGE, "")] * 2
        assert transport.answered == 2
        # Never reused: httpx's own stack (h11) may send the next request on it, and then
        # reads the garbage as its answer.
        assert server.connections == 2


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",  # a status of four digits
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        b"SMTP ready\r\n\r\n",
        # h11 takes these, llhttp does not: bare LF line ends, one length said twice.
        b"HTTP/1.1 200 OK\nConnection: close\nContent-Length: 2\n\nhi",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi",
    ],
    ids=["status", "two-lengths", "header", "not-http", "bare-lf", "same-length-twice"],
)
def test_a_head_llhttp_refuses_gets_the_standard_path_s_verdict_and_so_does_its_origin(
    answer: bytes,
) -> None:
    with scripted_server(lambda path: answer, close=True) as server:
        fast, standard, transport = _both(server.url + "/", times=2)
        assert fast == standard
        assert transport.answered == 0  # llhttp refused it; httpx's own stack judged it
        # The first GET was sent twice (refused, then asked of the standard path); the
        # second went to the standard path directly. Then the standard path's own two.
        assert len(server.requests) == 5


def test_a_head_cut_short_is_an_error_as_on_the_standard_path() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"  # the head never ends: closed
    with scripted_server(lambda path: answer, close=True) as server:
        fast, standard, _ = _both(server.url + "/")
        assert fast == standard == ["RemoteProtocolError"]
        assert len(server.requests) == 2  # one each: not sent again


def test_a_body_llhttp_refuses_after_its_head_is_an_error_not_a_crash() -> None:
    """The head is answered; the bad chunk arrives later: a RemoteProtocolError the crawl
    records, as on the standard path, never an exception of the transport's own."""
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
    with scripted_server(lambda path: [head, b"zz\r\n"], close=True) as server:
        fast, standard, transport = _both(server.url + "/")
        assert fast == standard == ["RemoteProtocolError"]
        assert transport.answered == 1


def test_endless_trailers_are_refused_after_a_bound() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
    trailers = b"".join(b"X-T%d: v\r\n" % i for i in range(40_000))  # ~400 KB, no end
    with scripted_server(lambda path: [head, trailers], close=True) as server:
        fast, standard, _ = _both(server.url + "/")
        assert fast == standard == ["RemoteProtocolError"]


def test_a_head_that_never_ends_is_refused_after_a_bound() -> None:
    endless = b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"a" * 1000 + b"\r\n"
    answer = endless * (2 * MAX_HEAD // 1000)
    with scripted_server(lambda path: answer, close=True) as server:
        fast, standard, transport = _both(server.url + "/")
        assert fast == standard == ["RemoteProtocolError"]
        assert transport.answered == 0


def test_a_body_cut_short_is_an_error_as_on_the_standard_path() -> None:
    answer = http_answer(PAGE[:10], b"Content-Length: %d" % len(PAGE))
    with scripted_server(lambda path: answer, close=True) as server:
        fast, standard, _ = _both(server.url + "/")
        assert fast == standard == ["RemoteProtocolError"]


def test_other_methods_and_unsendable_headers_go_to_the_standard_path(
    keep_alive: RawServer,
) -> None:
    async def run() -> FastTransport:
        transport = _transport()
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.post(keep_alive.url + "/", content=b"x")).status_code == 200
            assert (await client.head(keep_alive.url + "/")).status_code == 200
            with pytest.raises(httpx.LocalProtocolError):  # h11 refuses to send it
                await client.get(keep_alive.url + "/", headers={"X-Bad": "a\x00b"})
            assert (await client.get(keep_alive.url + "/")).status_code == 200
        return transport

    assert asyncio.run(run()).answered == 1


def test_requests_wait_for_a_connection_within_the_limit(keep_alive: RawServer) -> None:
    async def run() -> list[Outcome]:
        transport = _transport(connections=1)
        async with httpx.AsyncClient(transport=transport) as client:
            pages = [_get(client, keep_alive.url + "/") for _ in range(5)]
            return list(await asyncio.gather(*pages))

    assert asyncio.run(run()) == [(200, PAGE, "")] * 5
    assert keep_alive.connections == 1


def test_waiting_longer_than_the_pool_timeout_is_a_pool_timeout(keep_alive: RawServer) -> None:
    async def run() -> str:
        transport = _transport(connections=1)
        timeout = httpx.Timeout(5, pool=0.05)
        async with (
            httpx.AsyncClient(transport=transport, timeout=timeout) as client,
            client.stream("GET", keep_alive.url + "/"),  # holds the one connection
        ):
            return await _get(client, keep_alive.url + "/")  # type: ignore[return-value]

    assert asyncio.run(run()) == "PoolTimeout"


def test_a_server_that_never_answers_is_a_read_timeout() -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"

    async def run(transport: httpx.AsyncBaseTransport) -> Outcome:
        timeout = httpx.Timeout(0.2)
        async with httpx.AsyncClient(transport=transport, timeout=timeout) as client:
            return await _get(client, url)

    try:
        assert asyncio.run(run(_transport())) == asyncio.run(run(_transport().fallback))
        assert asyncio.run(run(_transport())) == "ReadTimeout"
    finally:
        listener.close()


def test_an_idle_connection_is_not_kept_past_the_keep_alive_expiry(keep_alive: RawServer) -> None:
    async def run() -> None:
        limits = httpx.Limits(max_connections=2, keepalive_expiry=0.05)
        async with httpx.AsyncClient(transport=netio.crawl_transport(limits)) as client:
            assert await _get(client, keep_alive.url + "/") == (200, PAGE, "")
            assert await _get(client, keep_alive.url + "/") == (200, PAGE, "")  # reused
            await asyncio.sleep(0.1)
            assert await _get(client, keep_alive.url + "/") == (200, PAGE, "")  # a new one

    asyncio.run(run())
    assert keep_alive.connections == 2


def test_limits_of_none_mean_no_limit_as_in_httpx(keep_alive: RawServer) -> None:
    async def run() -> list[Outcome]:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        async with httpx.AsyncClient(transport=netio.crawl_transport(limits)) as client:
            return [await _get(client, keep_alive.url + "/") for _ in range(3)]

    assert asyncio.run(run()) == [(200, PAGE, "")] * 3
    assert keep_alive.connections == 1  # kept alive: None is not "keep none"


def test_an_http_1_0_answer_says_so_and_its_connection_is_not_kept() -> None:
    answer = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(PAGE), PAGE)

    async def run(url: str) -> list[str]:
        async with httpx.AsyncClient(transport=_transport()) as client:
            versions = []
            for _ in range(2):
                response = await client.get(url)
                versions.append(response.http_version)
            return versions

    with scripted_server(lambda path: answer) as server:
        assert asyncio.run(run(server.url + "/")) == ["HTTP/1.0", "HTTP/1.0"]
        assert server.connections == 2


def test_a_response_closed_after_the_transport_closes_its_connection(
    keep_alive: RawServer,
) -> None:
    async def run() -> int:
        transport = _transport()
        client = httpx.AsyncClient(transport=transport)
        response = await client.send(client.build_request("GET", keep_alive.url + "/"), stream=True)
        await transport.aclose()
        await response.aread()
        await response.aclose()  # the connection is closed, not pooled in a closed transport
        return transport._idle_count

    assert asyncio.run(run()) == 0
