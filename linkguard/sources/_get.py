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
Location httpx refuses is refused on both paths). Anything else goes through the client:
a jar that holds a cookie (the Cookie header and its cap are the client's work), a URL with
credentials (Basic auth), a proxy (its mounts), a test's injected transport.
``tests/test_direct_get.py`` holds the two paths to the same requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from linkguard.sources._answers import cap_cookie_header
from linkguard.sources._h1 import FastTransport

# What the client does with a redirect it does not follow (httpx 0.27 to 0.29 name it so; an
# httpx without it leaves the Location to the crawler's own resolution).
_REDIRECT = getattr(httpx.AsyncClient, "_build_redirect_request", None)


class Direct:
    """GETs for one crawl's client: straight to ``transport`` while the jar is empty and
    the URL holds no credentials."""

    def __init__(self, client: httpx.AsyncClient, transport: FastTransport | None) -> None:
        self.client = client
        self.transport = transport  # None: every GET goes through the client
        self._timeouts = client.timeout.as_dict()
        self.sent = 0  # requests that went straight to the transport

    @asynccontextmanager
    async def get(self, url: str) -> AsyncIterator[httpx.Response]:
        """What ``client.stream("GET", url)`` gives: a response whose body is read in the
        block and whose connection is released when it ends."""
        client = self.client
        # A cookie to send, or credentials in the URL (httpx's client sends them as Basic
        # auth; an "@" anywhere is taken as that, to be safe): the client's work.
        if self.transport is None or "@" in url or len(client.cookies.jar):
            async with client.stream("GET", url) as response:
                yield response
            return
        request = httpx.Request(
            "GET", url, headers=client.headers, extensions={"timeout": self._timeouts}
        )
        try:
            response = await self.transport.handle_async_request(request)
        except httpx.RequestError as exc:
            exc.request = request  # as the client attaches it
            raise
        self.sent += 1
        try:
            response.request = request
            client.cookies.extract_cookies(response)
            if response.has_redirect_location and _REDIRECT is not None:
                response.next_request = _REDIRECT(client, request, response)
            yield response
        finally:
            await response.aclose()


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
