"""``--check-external`` requests the public internet only: a page cannot aim it inward.

An outbound link is whatever a page says: ``http://127.0.0.1:6379/``, a router's admin page
on ``192.168.1.1``, the cloud metadata service on ``169.254.169.254``, or a public name that
resolves (or redirects) to one of them. Requesting them would let a page make linkguard
probe the network it runs in. Unless ``--allow-private-addresses`` (an intranet's own
links), a request goes out only when every address its host resolves to is a public one:

- straight to the site, the connection is made by :class:`PublicOnlyBackend`, which
  resolves the host, refuses it when any of its addresses is not public, and connects to
  the very address it checked, so a name that answers a public address to the check and a
  private one to the connection (DNS rebinding) gains nothing. Every connection goes through
  it, a redirect's included;
- through a proxy, the proxy resolves names (this machine may not know them, and is not
  asked: ``tests/test_proxy.py``), so :class:`PublicOnlyTransport` refuses only hosts
  written as addresses (and ``localhost``); loopback never goes through a proxy, and where a
  proxied name leads is the proxy's to police.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from linkguard.sources.netio import SocketOption

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class PrivateAddress(Exception):
    """A request not made: its host is, or resolves to, an address off the public internet.
    The message says which and why, for the finding."""


def refusal(address: IPAddress) -> PrivateAddress | None:
    """Why ``address`` is not requested, or None when it is public."""
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    ip = mapped or address
    if ip.is_global and not ip.is_multicast:
        return None
    kinds = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
    )
    return _refused(str(ip), next((name for test, name in kinds if test), "not a public address"))


def _refused(where: str, kind: str) -> PrivateAddress:
    return PrivateAddress(
        f"it leads to {where}, {kind}, which no visitor's browser reaches on this site's "
        "behalf; not requested (--allow-private-addresses requests it)"
    )


async def public_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, when all of them are public; raises
    :class:`PrivateAddress` otherwise (``socket.gaierror`` when it does not resolve)."""
    try:
        addresses = [str(ipaddress.ip_address(host))]  # written as an address: no lookup
    except ValueError:
        # On the loop's default executor, as asyncio's own getaddrinfo does: uvloop's would
        # resolve in libuv's four-thread pool, narrower for many outbound hosts at once.
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(
            None, functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        )
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    for text in addresses:
        refused = refusal(ipaddress.ip_address(text.partition("%")[0]))
        if refused is not None:
            raise refused
    return addresses


class PublicOnlyBackend(AsyncNetworkBackend):
    """An httpcore network backend that connects only to public addresses, to the one it
    checked (see the module docstring)."""

    def __init__(self, inner: AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        try:
            addresses = await public_addresses(host.strip("[]"), port)
        except OSError as exc:  # the name does not resolve
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:  # as a browser does: the next address when one fails
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # getaddrinfo never answers with no address
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """A proxy's route that refuses hosts written as addresses off the public internet."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host == "localhost" or host.endswith(".localhost"):  # loopback by name, always
            raise _refused(host, "a loopback address")
        try:
            refused = refusal(ipaddress.ip_address(host))
        except ValueError:
            refused = None  # a name: the proxy resolves it
        if refused is not None:
            raise refused
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
