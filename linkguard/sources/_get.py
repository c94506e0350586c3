"""The crawl's page GETs, straight to its own transport when the client has nothing to add.

``client.stream("GET", url)`` runs each request through httpx's client layers: the URL
merged with the base, headers and cookies merged, the auth and redirect flows, the event
hooks, the response wrapped, the cookie jar consulted. For a crawl GET with an empty jar
(no Cookie header to send), no proxy and the crawl's own ``FastTransport`` (``_h1.py``),
all of that makes the request a client would have built anyway: counted with callgrind,
1,000 GETs to the bench site on nginx cost 911 K instructions each through the client,
729 K straight to the transport.

``Direct`` builds that same request (the client's headers and timeouts, the ``Host`` httpx
adds) and sends it to the transport, then does what the client does with the answer: its
cookies filed in the client's jar, and for a redirect the next request built (so a
Location httpx refuses is refused on both paths). For a plain URL (``urls.plain_parts``)
it writes the request's head itself, byte for byte the head of httpx's Request, and makes
that Request only when something needs it: a cookie to file, a redirect, an error, the
standard transport. Anything else goes through the client:
a jar that holds a cookie (the Cookie header and its cap are the client's work), a URL with
credentials (Basic auth), a proxy (its mounts), a test's injected transport.
``tests/test_direct_get.py`` holds the two paths to the same requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from linkguard.classify import urls
from linkguard.sources._answers import QuietCookies, cap_cookie_header
from linkguard.sources._h1 import DEFAULT_PORT, FastTransport, Origin, header_lines

# What the client does with a redirect it does not follow (httpx 0.27 to 0.29 name it so; an
# httpx without it leaves the Location to the crawler's own resolution).
_REDIRECT = getattr(httpx.AsyncClient, "_build_redirect_request", None)
# The longest URL httpx's parser takes (httpx 0.27 to 0.29): a longer one is refused with
# InvalidURL before anything is sent, so it never gets a request head of ours.
MAX_URL_LENGTH = 65_536


class Direct:
    """GETs for one crawl's client: straight to ``transport`` while the jar is empty and
    the URL holds no credentials."""

    def __init__(self, client: httpx.AsyncClient, transport: FastTransport | None) -> None:
        self.client = client
        self.transport = transport  # None: every GET goes through the client
        self._timeouts = client.timeout.as_dict()
        self.sent = 0  # requests that went straight to the transport
        # The client's headers as lines of a request head (None: one is not for the fast
        # path, or names the Host itself), read once: a crawl's client never changes its
        # headers, and a Direct made for a client whose headers change would send the old.
        raw = client.headers.raw
        lines = header_lines(raw)
        self._lines = None if any(name.lower() == b"host" for name, _ in raw) else lines

    @asynccontextmanager
    async def get(self, url: str) -> AsyncIterator[httpx.Response]:
        """What ``client.stream("GET", url)`` gives: a response whose body is read in the
        block and whose connection is released when it ends. On the direct path an
        answer that set no cookie and is no redirect carries no ``request`` (nor ``url``):
        the crawler knows what it asked for. An error carries its request, as ever."""
        client = self.client
        # A cookie to send, or credentials in the URL (httpx's client sends them as Basic
        # auth; an "@" anywhere is taken as that, to be safe): the client's work.
        if self.transport is None or "@" in url or len(client.cookies.jar):
            async with client.stream("GET", url) as response:
                yield response
            return
        made: list[httpx.Request] = []

        def request_of() -> httpx.Request:
            if not made:
                made.append(
                    httpx.Request(
                        "GET", url, headers=client.headers, extensions={"timeout": self._timeouts}
                    )
                )
            return made[0]

        head = self._head(url)
        try:
            if head is None:
                response = await self.transport.handle_async_request(request_of())
            else:
                response = await self.transport.send(*head, self._timeouts, request_of)
        except httpx.RequestError as exc:
            exc.request = request_of()  # as the client attaches it
            raise
        self.sent += 1
        try:
            # The Request is made for what needs it: a cookie to file, a redirect to build.
            jar = client.cookies
            if (
                made
                or response.has_redirect_location
                or not isinstance(jar, QuietCookies)
                or "set-cookie" in response.headers
            ):
                request = response.request = request_of()
                jar.extract_cookies(response)
                if response.has_redirect_location and _REDIRECT is not None:
                    response.next_request = _REDIRECT(client, request, response)
            yield response
        except httpx.RequestError as exc:  # reading the body: a short body, a bad gzip
            try:
                exc.request  # noqa: B018 (httpx raises when the error carries no request)
            except RuntimeError:
                exc.request = request_of()
            raise
        finally:
            await response.aclose()

    def _head(self, url: str) -> tuple[Origin, bytes] | None:
        """The origin and request head httpx's Request would give for a GET of a plain URL
        (``urls.plain_parts``): ``Host`` first, then the client's headers. Making that
        Request, its URL checked character by character in Python, was 60 us a GET on
        the event loop. None for any other URL, and for one longer than httpx takes (it
        refuses it, sending nothing): the Request is made and read."""
        lines = self._lines
        if lines is None or len(url) > MAX_URL_LENGTH:
            return None
        parts = urls.plain_parts(url)
        if parts is None:
            return None
        scheme, host, port, target = parts
        origin = (scheme.encode(), host.encode(), int(port[1:]) if port else DEFAULT_PORT[scheme])
        start = b"GET " + target.encode() + b" HTTP/1.1\r\nHost: " + host.encode() + port.encode()
        return origin, start + b"\r\n" + lines + b"\r\n"


def direct_for(client: httpx.AsyncClient, transport: httpx.AsyncBaseTransport) -> Direct:
    """The crawl's GETs on ``client``: straight to ``transport`` when it is the crawl's own
    ``FastTransport``, the client mounts no proxy (nor anything else: an httpx without
    ``_mounts`` is taken to have some) and it has no event hook but the Cookie header's cap
    (a no-op on a request without cookies)."""
    mounted = getattr(client, "_mounts", True)
    hooks = client.event_hooks
    ours = all(hook is cap_cookie_header for hook in hooks["request"]) and not hooks["response"]
    fast = transport if isinstance(transport, FastTransport) and ours and not mounted else None
    return Direct(client, fast)
