"""The crawler's sockets: an httpcore network backend on plain asyncio streams.

httpx talks to sockets through httpcore, which by default goes through anyio. On a crawl
that is most of the event loop's time: every read and write opens an anyio cancel scope,
and before each request every idle pooled connection is asked whether it is readable,
which anyio answers with a ``getpeername()`` and a ``poll()`` system call. The event loop
is what a crawl waits on (analysis runs in worker processes), so that overhead was the
crawl's speed limit. This backend keeps httpx and httpcore (their HTTP/1.1, pooling,
redirect and error semantics, and respx in the tests) and replaces only the bottom layer:
reads and writes go to asyncio's ``StreamReader``/``StreamWriter`` with ``asyncio.timeout``,
and "is this idle connection readable?" is answered from what the stream already knows
(end of file, an error, unexpected bytes buffered), else by one ``poll()`` on a poller
registered once per connection.

Errors are mapped to httpcore's exceptions exactly as its anyio backend maps them, so httpx
raises the same ``ConnectError``, ``ReadTimeout`` and so on, and the crawler records them
the same way.

The pool is httpcore's with one known defect fixed (encode/httpcore#1035, "bug 2"; fixed the
same way in pydantic/httpx2#1075): when a connection goes idle, httpcore 1.0 hands it to
*every* queued request in one pass, since an HTTP/1.1 connection stays idle until its
request starts. All but one then fail with ``ConnectionNotAvailable`` and go round again,
each round a full pass over the pool. Measured on the 1,000-page benchmark site with eight
connections: six attempts per request. :class:`CrawlPool` gives an idle connection to one
request per pass, never closes one that a waiting request was given (encode/httpcore#1110),
and asks only the connection it is about to reuse whether the server closed it.
The crawl speaks HTTP/1.1 only, so no connection is ever shared by two requests.
"""

from __future__ import annotations

import asyncio
import select
import ssl
from collections.abc import Coroutine, Iterable
from typing import Any

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream
from httpcore._async.interfaces import AsyncConnectionInterface

from linkguard.sources._h1 import FastTransport

# httpcore's own type for a socket option (level, name, value) or (level, name, None, length).
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class AsyncioStream(AsyncNetworkStream):
    """One TCP (or TLS) connection as an asyncio reader/writer pair."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._poller = select.poll()
        self._poller.register(writer.get_extra_info("socket").fileno(), select.POLLIN)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        reader = self._reader
        try:
            # Bytes already buffered (a body that came with its head) are read at once:
            # only a read that waits for the server needs a timer (set and cancelled on the
            # loop, each a few microseconds, for every read of every response).
            if timeout is None or getattr(reader, "_buffer", None):
                return await reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            if timeout is None or not self._writer.transport.get_write_buffer_size():
                await self._writer.drain()  # nothing left to send: it returns without waiting
            else:
                async with asyncio.timeout(timeout):
                    await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except (OSError, RuntimeError) as exc:  # RuntimeError: writing to a closed transport
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        # As anyio does: close (flushes if it can), let the loop run once, then abort, so a
        # peer that stopped reading cannot keep the close waiting.
        transport = self._writer.transport
        if not transport.is_closing():
            transport.close()
            await asyncio.sleep(0)
        transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:  # ssl.SSLError included
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Asked of an idle pooled connection before it is reused: readable means the
            # server closed it, it failed, or it sent bytes nobody asked for, and it must not
            # be reused. The stream may know already; if not, the socket is asked, since the
            # server's close can arrive after the event loop last looked.
            reader = self._reader
            return (
                reader.at_eof()
                or reader.exception() is not None
                or bool(getattr(reader, "_buffer", b""))
                or self._writer.transport.is_closing()
                or bool(self._poller.poll(0))
            )
        name = {
            "ssl_object": "ssl_object",
            "client_addr": "sockname",
            "server_addr": "peername",
            "socket": "socket",
        }.get(info)
        return self._writer.get_extra_info(name) if name else None


class AsyncioBackend(AsyncNetworkBackend):
    """Opens :class:`AsyncioStream` connections; see the module docstring for why."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        opening = asyncio.open_connection(host, port, local_addr=local)
        return await _connected(opening, timeout, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        return await _connected(asyncio.open_unix_connection(path), timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connected(
    opening: Coroutine[Any, Any, tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    timeout: float | None,
    socket_options: Iterable[SocketOption] | None,
) -> AsyncioStream:
    """A stream once ``opening`` connects, with httpcore's errors for a failure to."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await opening
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(str(exc)) from exc
    except OSError as exc:  # refused, unreachable, DNS (socket.gaierror)
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    sock = writer.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)
    return AsyncioStream(reader, writer)


class CrawlPool(httpcore.AsyncConnectionPool):
    """httpcore 1.0's HTTP/1.1 pool, assigning each idle connection to one waiting request."""

    def _assign_requests_to_connections(self) -> list[AsyncConnectionInterface]:
        closing: list[AsyncConnectionInterface] = []
        # A connection given to a request is spoken for until that response is closed, even
        # while it still looks idle because the request has not started on it yet.
        taken = {id(r.connection) for r in self._requests if r.connection is not None}
        idle = sum(1 for c in self._connections if c.is_idle())
        for existing in list(self._connections):
            if existing.is_closed():
                self._connections.remove(existing)
            elif id(existing) in taken:
                continue
            elif existing.is_idle() and idle > self._max_keepalive_connections:
                self._connections.remove(existing)
                closing.append(existing)
                idle -= 1

        queued = [r for r in self._requests if r.is_queued()]
        if not queued:
            return closing
        free = [c for c in self._connections if id(c) not in taken and c.is_available()]
        for request in queued:
            origin = request.request.url.origin
            connection: AsyncConnectionInterface | None = self._reusable(free, origin, closing)
            if connection is None:
                connection = self._fresh(origin, taken, free, closing)
            if connection is None:
                continue  # the pool is full: this request waits for a response to end
            taken.add(id(connection))
            request.assign_to_connection(connection)
        return closing

    def _reusable(
        self,
        free: list[AsyncConnectionInterface],
        origin: httpcore.Origin,
        closing: list[AsyncConnectionInterface],
    ) -> AsyncConnectionInterface | None:
        """An idle connection to ``origin`` that is still good, taken out of ``free``.

        Only the connection about to be reused is asked whether it expired (its keep-alive
        ran out, or the server closed it: a ``poll()``), where httpcore asks every
        connection on every pass; expired ones met on the way are closed.
        """
        for connection in [c for c in free if c.can_handle_request(origin)]:
            free.remove(connection)
            if not connection.has_expired():
                return connection
            self._connections.remove(connection)
            closing.append(connection)
        return None

    def _fresh(
        self,
        origin: httpcore.Origin,
        taken: set[int],
        free: list[AsyncConnectionInterface],
        closing: list[AsyncConnectionInterface],
    ) -> AsyncConnectionInterface | None:
        """A new connection to ``origin``, closing an idle one to another origin if the
        pool is full (None: every connection is busy)."""
        if len(self._connections) >= self._max_connections:
            spare = next((c for c in self._connections if id(c) not in taken and c.is_idle()), None)
            if spare is None:
                return None
            self._connections.remove(spare)
            closing.append(spare)
            if spare in free:
                free.remove(spare)
        connection = self.create_connection(origin)
        self._connections.append(connection)
        return connection


def _pool_is_known(version: str) -> bool:
    """CrawlPool overrides a private method; it is used only on the httpcore it was made for."""
    return version.split(".")[:2] == ["1", "0"]


def crawl_transport(
    limits: httpx.Limits,
    verify: ssl.SSLContext | bool = True,
    backend: AsyncNetworkBackend | None = None,
) -> FastTransport:
    """The crawl's transport, straight to the site (a proxy is mounted beside it,
    ``sources/proxy.py``): GETs on :class:`FastTransport` (``_h1.py``), the rest on httpx's
    own transport (TLS verification, HTTP/1.1, pooling) on :class:`AsyncioBackend` (or
    ``backend``), with :class:`CrawlPool` on httpcore 1.0. ``verify`` is what TLS trusts;
    both paths connect through the same backend and the same TLS context.

    httpx 0.28 does not take a network backend, so the transport's pool is rebuilt with the
    same settings and ours; ``tests/test_netio.py`` proves the swap took.
    """
    transport = httpx.AsyncHTTPTransport(limits=limits, verify=verify)
    old = transport._pool
    assert isinstance(old, httpcore.AsyncConnectionPool), "httpx built an unexpected pool"
    pool = CrawlPool if _pool_is_known(httpcore.__version__) else httpcore.AsyncConnectionPool
    backend = backend or AsyncioBackend()
    transport._pool = pool(
        ssl_context=old._ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=backend,
    )
    tls = old._ssl_context
    assert tls is not None, "httpx built a pool without a TLS context"
    return FastTransport(transport, backend, tls, limits)
