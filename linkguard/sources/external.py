"""``--check-external``: whether outbound links still lead somewhere.

Each distinct outbound URL is requested once (HEAD, then GET where a server refuses HEAD),
with bounded concurrency overall and per host and a total deadline per URL. Third-party
pages are never parsed or crawled: only their status matters. Only public addresses are
requested unless ``allow_private`` (``--allow-private-addresses``), redirects included
(``_addresses.py``): a link to ``127.0.0.1`` is reported as leading nowhere a visitor goes.
With a ``LinkCache`` (the history store's, ``--history``), answers a recent run got are
reused, and only those that say something lasting are kept (:func:`cacheable`).
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import httpx

from linkguard.classify import urls
from linkguard.sources._addresses import PrivateAddress, PublicOnlyBackend, PublicOnlyTransport
from linkguard.sources.netio import AsyncioBackend, crawl_transport
from linkguard.sources.proxy import proxy_mounts, tls_context

_REFUSE_HEAD = frozenset({405, 501})
PER_HOST = 2
_STATUS = re.compile(r"HTTP (\d{3})")


class LinkCache(Protocol):
    """Answers kept from earlier runs: ``known`` gives those still fresh, ``remember``
    keeps new ones."""

    def known(self, links: Sequence[str]) -> dict[str, str | None]: ...

    def remember(self, answers: Mapping[str, str | None]) -> None: ...


def cacheable(problem: str | None) -> bool:
    """Whether an answer may stand for a later run: a success, or a client error the
    server gave (404, 410); never a 429 (too many requests now), a server error or a
    network failure, which say nothing about next week."""
    if problem is None:
        return True
    status = _STATUS.fullmatch(problem)
    return status is not None and 400 <= int(status[1]) < 500 and status[1] != "429"


async def check_links(
    links: Iterable[str],
    *,
    user_agent: str,
    timeout: float = 10.0,
    concurrency: int = 8,
    transport: httpx.AsyncBaseTransport | None = None,
    proxy: str | None = None,
    system_certs: bool = False,
    allow_private: bool = False,
    cache: LinkCache | None = None,
) -> dict[str, str | None]:
    """Each URL -> why it is broken (``HTTP 404``, ``connection failed``, a private address
    not requested ...), or None if fine. Requests go out as the crawl's do: through ``proxy``
    (``--proxy``) or the machine's proxy settings, trusting the system's certificates with
    ``system_certs``; to public addresses only, unless ``allow_private``. URLs ``cache``
    knows are not requested."""
    targets = sorted(set(links))
    known = cache.known(targets) if cache is not None else {}
    if known:
        targets = [url for url in targets if url not in known]
    overall = asyncio.Semaphore(concurrency)
    per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(PER_HOST))
    verify = tls_context(system_certs)
    limits = httpx.Limits(max_connections=concurrency)
    mounts = None
    if transport is None:  # a transport a test injects is the only way out
        backend = AsyncioBackend() if allow_private else PublicOnlyBackend(AsyncioBackend())
        transport = crawl_transport(limits, verify, backend)
        mounts = proxy_mounts(proxy, limits=limits, verify=verify)
        if not allow_private:
            mounts = {k: v and PublicOnlyTransport(v) for k, v in mounts.items()}
    async with httpx.AsyncClient(
        transport=transport,
        mounts=mounts,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": user_agent},
        follow_redirects=True,
        max_redirects=10,
    ) as client:

        async def one(url: str) -> tuple[str, str | None]:
            async with overall, per_host[urls.host_of(url)]:
                return url, await _problem(client, url, timeout)

        answers = dict(await asyncio.gather(*(one(url) for url in targets)))
    if cache is not None:
        cache.remember({url: p for url, p in answers.items() if cacheable(p)})
    return known | answers


async def _problem(client: httpx.AsyncClient, url: str, timeout: float) -> str | None:
    try:
        async with asyncio.timeout(timeout):
            response = await client.head(url)
            if response.status_code in _REFUSE_HEAD:
                async with client.stream("GET", url) as streamed:
                    response = streamed
    except TimeoutError:
        return f"timed out after {timeout:g} s"
    except PrivateAddress as refused:
        return str(refused)
    except httpx.TooManyRedirects:
        return "too many redirects"
    except httpx.ConnectError as exc:
        return f"connection failed: {exc}" if str(exc) else "connection failed"
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if response.status_code >= 400:
        return f"HTTP {response.status_code}"
    return None
