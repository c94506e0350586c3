"""Reading an HTTP answer: when to retry (``Retry-After``, a kept-alive connection closed under a
request), its media type and charset, the cookies it sets, and a failed request's reason in
words a person can act on."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

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


class QuietCookies(httpx.Cookies):
    """httpx's cookie jar, kept as it is (a site's session cookie is sent back), except that
    a response which sets no cookie is not handed to the standard library's jar: building
    the request and response wrappers it wants cost ~0.25 ms a response on the event loop."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


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
