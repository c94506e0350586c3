"""Reading an HTTP answer: when to retry (``Retry-After``, a kept-alive connection closed under a
request), its media type and charset, the cookies it sets, and a failed request's reason in
words a person can act on."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from linkguard.classify.scope import registrable_domain

MAX_RETRY_WAIT = 60.0  # seconds: a longer Retry-After is cut to this
BACKOFF_BASE = 0.5


class RetryLater(Exception):
    """A 429 or 503 answer: try again after ``retry_after`` seconds (None: back off)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


def retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def content_type(header: str) -> tuple[str, str | None]:
    """(``text/html``, ``shift_jis``) from a Content-Type header."""
    mime, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return mime.strip().lower(), charset


def describe(exc: httpx.HTTPError) -> str:
    """A one-line reason a person can act on."""
    kinds = {
        httpx.ConnectTimeout: "connect timed out",
        httpx.ReadTimeout: "read timed out",
        httpx.ConnectError: "connection failed",
        httpx.RemoteProtocolError: "server broke the HTTP protocol",
        httpx.ReadError: "connection broken while reading",
        httpx.TooManyRedirects: "too many redirects",
        httpx.DecodingError: "response could not be decoded",
    }
    for kind, label in kinds.items():
        if isinstance(exc, kind):
            return f"{label}: {exc}" if str(exc) else label
    return f"{type(exc).__name__}: {exc}"


async def capped_body(response: httpx.Response, cap: int) -> tuple[bytes, bool]:
    """The body, decompressed (a gzip bomb stops at the cap), up to ``cap`` bytes, and
    whether there was more. The rest is never read (the connection is closed, not reused):
    what was read is scanned, and the page is reported as cut."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > cap:
            del body[cap:]
            return bytes(body), True
    return bytes(body), False


# The cookie jar's bounds, as browsers set theirs (Chromium's CookieMonster: 180 cookies per
# site, 3,000 in all; every browser: 4,096 bytes of name and value per cookie). A site that
# sets 1,000 new cookies a page grew the jar, and the Cookie header sent with every request,
# without bound (7.5 MB headers, then the process was killed). The header itself is cut at
# 8,190 bytes, the longest header line Apache accepts by default (nginx's buffer is 8 KB):
# a longer one is refused by such servers anyway, and the page with it.
MAX_COOKIES_PER_SITE = 180
MAX_COOKIES = 3000
MAX_COOKIE_BYTES = 4096
MAX_COOKIE_HEADER = 8190

_CookieKey = tuple[str, str, str]  # domain, path, name: how the jar files a cookie


class QuietCookies(httpx.Cookies):
    """httpx's cookie jar, kept as it is (a site's session cookie is sent back), within the
    bounds above: past them, the cookies set longest ago go first, as in a browser. A
    response which sets no cookie is not handed to the standard library's jar: building the
    request and response wrappers it wants cost ~0.25 ms a response on the event loop."""

    def __init__(self) -> None:
        super().__init__()
        self._order: dict[_CookieKey, None] = {}  # every cookie in the jar, oldest first

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)
            self._bound()

    def _bound(self) -> None:
        """Drop oversized cookies, then the oldest past the per-site and total bounds."""
        present: dict[_CookieKey, int] = {}
        for cookie in self.jar:
            key = (cookie.domain, cookie.path, cookie.name)
            present[key] = len(cookie.name) + len(cookie.value or "")
        order = {key: None for key in self._order if key in present}
        order.update(dict.fromkeys(present))  # new cookies are the youngest
        drop = [key for key in order if present[key] > MAX_COOKIE_BYTES]
        per_site: dict[str, list[_CookieKey]] = {}
        for key in order:
            if present[key] <= MAX_COOKIE_BYTES:
                per_site.setdefault(registrable_domain(key[0].lstrip(".")), []).append(key)
        for keys in per_site.values():
            drop += keys[: max(0, len(keys) - MAX_COOKIES_PER_SITE)]
        for key in drop:
            del order[key]
        excess = max(0, len(order) - MAX_COOKIES)
        drop += list(order)[:excess]
        for key in drop:
            self.jar.clear(*key)
            order.pop(key, None)
        self._order = order


async def cap_cookie_header(request: httpx.Request) -> None:
    """An httpx request hook: the Cookie header cut to ``MAX_COOKIE_HEADER`` bytes, whole
    cookies only (the jar lists the most specific paths first)."""
    header = request.headers.get("cookie", "")
    if len(header) <= MAX_COOKIE_HEADER:
        return
    kept: list[str] = []
    size = 0
    for pair in header.split("; "):
        size += len(pair) + (2 if kept else 0)
        if size > MAX_COOKIE_HEADER:
            break
        kept.append(pair)
    request.headers["Cookie"] = "; ".join(kept)


def bounded_cookies(client: httpx.AsyncClient) -> None:
    """Give ``client`` the bounded jar and the Cookie header cap."""
    client._cookies = QuietCookies()  # the setter would copy it into a plain Cookies
    client.event_hooks["request"].append(cap_cookie_header)


def closed_before_answering(exc: httpx.RemoteProtocolError) -> bool:
    """The server closed the connection without a byte of answer (h11's wording): a kept-alive
    connection it dropped while the request was on its way."""
    return "without sending" in str(exc) or "Server disconnected" in str(exc)


def backoff(attempt: int, retry_after: float | None, jitter: random.Random) -> float:
    """Seconds to wait before retry ``attempt`` + 1: the server's Retry-After (capped), else
    exponential backoff with jitter."""
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_WAIT)
    base = BACKOFF_BASE * 2**attempt
    return float(min(base * (1 + jitter.random() / 2), MAX_RETRY_WAIT))
