"""The crawl's GET requests on HTTP/1.1 connections of its own, parsed by llhttp.

A crawl is mostly GETs to one site over a few keep-alive connections. Through httpx's
transport each costs ~0.5 ms of CPU on the event loop (httpcore's pool and connection
state machines, h11's pure-Python parser, anyio's locks), ten times what the bytes cost;
on a 1,000-page crawl that was a second of CPU and the event loop's speed limit.
``FastTransport`` answers those GETs itself: a request head written as httpx built it
(cookies, User-Agent, Accept-Encoding), the response parsed by ``httptools`` (llhttp, the
parser of Node.js: framing by Content-Length, chunked or end of connection, all in C),
connections kept alive (``keepalive_expiry``, as httpcore) and reused. httpx's Client stays
on top (cookies, decoding, timeouts, exceptions, the tests' transports), and the streams
are netio's (the backend that vets addresses for ``--check-external``, its error mapping).

Everything else goes to the standard transport it wraps (``fallback``): other methods, a
request with a body, a header h11 would refuse to send, and a response whose head llhttp
refuses where h11 may not (llhttp is stricter: bare LF line ends, obs-fold, a repeated
Content-Length). That request is sent once more through httpx's own stack, whose verdict
(an answer, or the error the crawl records) is the one that stands, and every later GET to
that origin goes there directly: a site llhttp dislikes costs one extra request, not one
per page. A body llhttp refuses once its head was accepted is a ``RemoteProtocolError``,
as h11's would be. What a hostile server sends is bounded: a response head, and what comes
between two pieces of body (trailers, chunk extensions), at ``MAX_HEAD`` bytes, as
httpcore bounds them. ``tests/test_h1.py`` runs both paths against the same servers.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress

import httpcore
import httptools
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

MAX_HEAD = 100 * 1024  # bytes of status line and headers (and of trailers), as httpcore allows
READ_SIZE = 64 * 1024
# What h11 sends: a header name is an RFC 9110 token, a value visible characters, spaces
# and tabs (obs-text included).
_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")
_NOT_FOR_THIS_PATH = frozenset({b"content-length", b"transfer-encoding", b"upgrade", b"expect"})
DEFAULT_PORT = {"http": 80, "https": 443}

Origin = tuple[bytes, bytes, int]  # scheme, host, port


class _Refused(Exception):
    """llhttp refused the response head: the standard transport is asked instead."""


class _Message:
    """llhttp's callbacks for one response: status, headers, body parts, completion.

    A 1xx interim answer is a message of its own before the response: the next message
    starts afresh. Trailers after the body are not kept (httpx does not read them), and
    anything after the final response only marks the connection as not reusable."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_done = False
        self.body: list[bytes] = []
        self.done = False
        self.final = False  # the final (non-1xx) response is complete
        self.extra = False  # bytes came after it
        self.keep_alive = False  # as llhttp judged the final response (it forgets after)

    def status(self) -> int:
        return int(self.parser.get_status_code())

    def on_message_begin(self) -> None:
        if self.final:
            self.extra = True
            return
        self.reason, self.headers, self.head_done, self.done = b"", [], False, False

    def on_status(self, status: bytes) -> None:
        if not self.final:
            self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.head_done:  # after the head: a trailer
            self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if not self.final:
            self.head_done = True

    def on_body(self, body: bytes) -> None:
        if not self.final:
            self.body.append(body)

    def on_message_complete(self) -> None:
        if not self.final:
            self.done = True
            self.final = self.status() >= 200
            self.keep_alive = bool(self.parser.should_keep_alive())


class _Exchange:
    """One response read from one connection."""

    def __init__(self, stream: AsyncNetworkStream, read_timeout: float | None) -> None:
        self.stream = stream
        self.timeout = read_timeout
        self.message = _Message()
        self.received = 0  # bytes read, head included
        self.eof = False
        self.answered = False  # the final head was accepted: errors are the body's now

    async def _feed(self) -> int:
        """Read once and parse what came; the bytes read (0 at the end of the stream)."""
        data = await self.stream.read(READ_SIZE, self.timeout)
        if not data:
            self.eof = True
            return 0
        self.received += len(data)
        message = self.message
        try:
            message.parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            reason = str(exc) or type(exc).__name__
            if message.final:
                message.extra = True  # garbage after a complete response
            elif self.answered:
                raise httpcore.RemoteProtocolError(f"malformed response body: {reason}") from exc
            else:
                raise _Refused(reason) from exc
        return len(data)

    async def head(self) -> int:
        """Read up to the end of the final response's head (after any 1xx); its status."""
        message = self.message
        while not (message.head_done and message.status() >= 200):
            if message.head_done and message.status() == 101:
                raise _Refused("101 Switching Protocols to a request that asked for none")
            if self.received > MAX_HEAD:
                raise httpcore.RemoteProtocolError("response head too long")
            await self._feed()
            if self.eof:
                if self.received == 0:
                    raise httpcore.RemoteProtocolError(
                        "Server disconnected without sending a response."
                    )
                raise httpcore.RemoteProtocolError("Server disconnected inside the response head.")
        self.answered = True
        return message.status()

    async def body(self) -> AsyncIterator[bytes]:
        """The body as llhttp decodes its framing (chunked, Content-Length, or to EOF)."""
        message = self.message
        between = 0  # bytes read since the last piece of body: trailers, chunk extensions
        while True:
            if message.body:
                between = 0
                parts, message.body = message.body, []
                for part in parts:
                    yield part
            if message.done:
                return
            if self.eof:
                if _until_close(message.headers):
                    message.done = True  # framed by the end of the connection
                    return
                raise httpcore.RemoteProtocolError(
                    "peer closed connection without sending complete message body"
                )
            if between > MAX_HEAD:
                raise httpcore.RemoteProtocolError("too much between two pieces of the body")
            between += await self._feed()

    def reusable(self) -> bool:
        message = self.message
        return message.final and not self.eof and not message.extra and message.keep_alive


def _until_close(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether the body ends with the connection: neither chunked nor a Content-Length."""
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-length" or (
            lowered == b"transfer-encoding" and b"chunked" in value.lower()
        ):
            return False
    return True


class _Body(httpx.AsyncByteStream):
    """A response body read from its connection; closing it frees (or reuses) the connection."""

    def __init__(self, transport: FastTransport, origin: Origin, exchange: _Exchange) -> None:
        self._transport = transport
        self._origin = origin
        self._exchange = exchange
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._exchange.body():
                yield part
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            await self.aclose()
            raise _httpx_error(exc) from exc

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        exchange = self._exchange
        await self._transport._release(self._origin, exchange.stream, exchange.reusable())


class FastTransport(httpx.AsyncBaseTransport):
    """GETs on pooled HTTP/1.1 connections parsed by llhttp; all else to ``fallback``."""

    def __init__(
        self,
        fallback: httpx.AsyncBaseTransport,
        backend: AsyncNetworkBackend,
        ssl_context: ssl.SSLContext,
        limits: httpx.Limits,
    ) -> None:
        self.fallback = fallback
        self._backend = backend
        self._ssl = ssl_context
        self._ssl.set_alpn_protocols(["http/1.1"])  # as httpcore sets it: never h2
        # None means no limit, as in httpx.
        self._max_connections = limits.max_connections or sys.maxsize
        keep = limits.max_keepalive_connections
        self._max_idle = sys.maxsize if keep is None else keep
        self._expiry = limits.keepalive_expiry  # seconds an idle connection is kept
        self._slots = asyncio.Semaphore(self._max_connections)  # binds to a loop on first use
        self._idle: dict[Origin, list[tuple[AsyncNetworkStream, float]]] = {}
        self._idle_count = 0
        self._refused: set[Origin] = set()  # origins whose answers llhttp refused
        self._closed = False
        self.answered = 0  # requests this path answered (the rest went to ``fallback``)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        head = _request_head(request)
        url = request.url
        origin: Origin = (
            url.raw_scheme,
            url.raw_host,
            url.port or DEFAULT_PORT.get(url.scheme, 0),
        )
        if head is None:
            return await self.fallback.handle_async_request(request)
        timeouts = request.extensions.get("timeout", {})
        return await self.send(origin, head, timeouts, lambda: request)

    async def send(
        self,
        origin: Origin,
        head: bytes,
        timeouts: dict[str, float | None],
        request_of: Callable[[], httpx.Request],
    ) -> httpx.Response:
        """A GET whose head (``_request_head``'s) and origin are ready; ``request_of()`` is
        the httpx Request it stands for, made only if the standard transport is asked or
        an error needs it (``_get.Direct`` builds the head of a plain URL itself)."""
        if origin in self._refused:
            return await self.fallback.handle_async_request(request_of())
        if self._slots.locked():
            try:
                async with asyncio.timeout(timeouts.get("pool")):
                    await self._slots.acquire()
            except TimeoutError as exc:
                waited = "timed out waiting for a connection"
                raise httpx.PoolTimeout(waited, request=request_of()) from exc
        else:  # a slot is free: taken at once, with no wait to time (nor a timer to set)
            await self._slots.acquire()
        try:
            exchange = await self._exchange(origin, head, timeouts)
        except _Refused:
            self._slots.release()
            self._refused.add(origin)
            return await self.fallback.handle_async_request(request_of())
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            self._slots.release()
            raise _httpx_error(exc, request_of()) from exc
        except BaseException:
            self._slots.release()
            raise
        self.answered += 1
        message = exchange.message
        version = message.parser.get_http_version()
        return httpx.Response(
            message.status(),
            headers=message.headers,
            stream=_Body(self, origin, exchange),
            extensions={
                "http_version": f"HTTP/{version}".encode(),
                "reason_phrase": message.reason,
            },
        )

    async def _exchange(
        self, origin: Origin, head: bytes, timeouts: dict[str, float | None]
    ) -> _Exchange:
        """Send the request and read the response head, on an idle connection if one is
        alive (once more on a new one if the server had closed it meanwhile)."""
        while True:
            stream, reused = await self._connection(origin, timeouts.get("connect"))
            exchange = _Exchange(stream, timeouts.get("read"))
            try:
                await stream.write(head, timeouts.get("write"))
                await exchange.head()
                return exchange
            except (httpcore.NetworkError, httpcore.RemoteProtocolError):
                await stream.aclose()
                if reused and exchange.received == 0:
                    continue  # a keep-alive connection the server closed: a GET may be retried
                raise
            except BaseException:
                await stream.aclose()
                raise

    async def _connection(
        self, origin: Origin, connect_timeout: float | None
    ) -> tuple[AsyncNetworkStream, bool]:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            stream, since = idle.pop()
            self._idle_count -= 1
            if not idle:
                del self._idle[origin]
            fresh = self._expiry is None or now - since < self._expiry
            if fresh and not stream.get_extra_info("is_readable"):
                return stream, True
            await stream.aclose()  # expired, closed by the server, or sent what nobody asked
        scheme, host, port = origin
        name = host.decode("ascii")
        stream = await self._backend.connect_tcp(name, port, timeout=connect_timeout)
        if scheme == b"https":
            stream = await stream.start_tls(self._ssl, name, timeout=connect_timeout)
        return stream, False

    async def _release(self, origin: Origin, stream: AsyncNetworkStream, reusable: bool) -> None:
        try:
            if reusable and not self._closed and self._idle_count < self._max_idle:
                self._idle.setdefault(origin, []).append((stream, time.monotonic()))
                self._idle_count += 1
            else:
                await stream.aclose()
        finally:
            self._slots.release()

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle, self._idle_count = self._idle, {}, 0
        for streams in idle.values():
            for stream, _ in streams:
                with suppress(Exception):
                    await stream.aclose()
        await self.fallback.aclose()


def _request_head(request: httpx.Request) -> bytes | None:
    """The request head to send, or None when the request is not one for this path."""
    url = request.url
    if request.method != "GET" or url.scheme not in DEFAULT_PORT or not url.raw_host:
        return None
    lines = header_lines(request.headers.raw)
    return None if lines is None else b"GET " + url.raw_path + b" HTTP/1.1\r\n" + lines + b"\r\n"


def header_lines(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    """Each header as a line of the request head, or None when one is not for this path."""
    lines = []
    for name, value in headers:
        if name.lower() in _NOT_FOR_THIS_PATH:
            return None
        if not _NAME.fullmatch(name) or not _VALUE.fullmatch(value):
            return None  # the standard transport refuses it, with its own error
        lines.append(name + b": " + value + b"\r\n")
    return b"".join(lines)


def _httpx_error(exc: Exception, request: httpx.Request | None = None) -> httpx.TransportError:
    """httpcore's exception as httpx's of the same name, as httpx's transport maps them."""
    kind = getattr(httpx, type(exc).__name__, None)
    if not (isinstance(kind, type) and issubclass(kind, httpx.TransportError)):
        kind = httpx.TransportError
    return kind(str(exc)) if request is None else kind(str(exc), request=request)
