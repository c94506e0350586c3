"""Recording one visit: every request, who made it, the cookies and the storage it left.

What is listened to, and why there:

- Requests at the **browser-context** level (Playwright's ``context.on("request")``): that is
  where runtime-injected scripts, cross-site frames in their own process (OOPIF), their
  requests, dedicated workers' fetches and ``sendBeacon`` pings (type ``ping``) all arrive.
  Websockets are taken from the page (``page.on("websocket")``).
- Initiators from Chromium's ``Network.requestWillBeSent`` on a DevTools session of the page:
  script <- tag manager <- page. That session sees the page's own frames only, so it also
  auto-attaches to the page's cross-site frames (OOPIF) and dedicated workers, each paused at
  start until its own network events are on (``Target.setAutoAttach``, messages through the
  page's session): a request a frame's script makes is chained to that script, the frame and
  the page; a worker's, to the worker's script and the page that started it. Playwright,
  attached too, may let a worker run before its session here listens: a request of the
  page's own frame that the page's session never saw is then the worker's, when the page
  has one worker. Frames nested in a cross-site frame are not attached: their requests'
  chains start from their frame.
- Cookies from the jar after the dwell; who set each from the ``Set-Cookie`` headers of the
  responses, or from an init script that wraps ``document.cookie`` in every frame and reports
  the writing script (the first URL on its stack). Values are never kept.
- Storage keys per frame origin, read in each frame (cross-site ones too) after the dwell.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from typing import Any

from playwright.async_api import (
    BrowserContext,
    CDPSession,
    Frame,
    Page,
    Request,
    Response,
    WebSocket,
)
from playwright.async_api import Error as PlaywrightError

from linkguard.browser._types import BrowserRequest, Visit
from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.model import Cookie, StorageItem

_BINDING = "__linkguardCookie"
# Wraps the document.cookie setter in every frame: each write reports the cookie's name and
# the stack (whose first URL is the script that wrote it), then writes as before.
_COOKIE_WRAPPER = """(() => {
  const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (!d || !d.set) return;
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true, enumerable: d.enumerable,
    get() { return d.get.call(this); },
    set(value) {
      try {
        const name = String(value).split(';')[0].split('=')[0].trim();
        const report = globalThis.BINDING;
        if (report) report({name, stack: String(new Error().stack || ''), frame: location.href});
      } catch (e) {}
      return d.set.call(this, value);
    },
  });
})();""".replace("BINDING", _BINDING)
_STORAGE = """() => {
  const out = {origin: location.origin, local: [], session: []};
  for (const area of ['local', 'session']) {
    try {
      const store = area === 'local' ? localStorage : sessionStorage;
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i);
        out[area].push([key, key.length + (store.getItem(key) || '').length]);
      }
    } catch (e) {}
  }
  return out;
}"""
_STACK_URL = re.compile(r"((?:https?|file)://[^\s()]+?):\d+:\d+")
_WEB = ("http:", "https:", "ws:", "wss:")
_MAX_CHAIN = 12
_SETTLE = 5.0  # seconds to wait for late answers (headers, frame reads) when collecting


class Router:
    """Where a browser context's ``document.cookie`` reports go: the binding and the init
    script are installed once per context (Playwright allows a binding once), and each
    visit's recorder takes the reports while it is attached."""

    def __init__(self) -> None:
        self.current: Recorder | None = None

    async def install(self, context: BrowserContext) -> None:
        await context.expose_binding(_BINDING, self._written)
        await context.add_init_script(_COOKIE_WRAPPER)

    def _written(self, source: dict[str, Any], data: dict[str, str]) -> None:
        if self.current is not None:
            self.current.cookie_written(data)


class Recorder:
    """Listens to one browser context and page, and tells what the visit observed."""

    def __init__(self, scope: Scope, phase: str = "before") -> None:
        self.scope = scope
        self.phase = phase
        # what was there when the consent banner was clicked: only what follows is the phase's
        self._mark = (0, 0)  # requests, websockets
        self._jar: set[tuple[str, str, str]] = set()
        self._kept: set[tuple[str, str, str]] = set()
        self.requests: list[Request] = []
        self.statuses: dict[int, int] = {}  # id(request) -> HTTP status
        self.sockets: list[str] = []
        self.initiators: dict[str, str] = {}  # URL -> the URL that caused it
        self.set_cookie: list[tuple[str, frozenset[str]]] = []  # (response URL, names)
        self.writes: list[tuple[str, str, str]] = []  # (name, frame URL, writing script)
        self._pending: set[asyncio.Task[None]] = set()
        self._router: Router | None = None
        # the network's activity, for a dwell that ends once it is quiet: requests still in
        # flight, and when the last one started or ended (the event loop's clock)
        self.in_flight: set[int] = set()
        self.last_activity = 0.0
        self.workers: set[str] = set()  # the page's dedicated workers' script URLs
        self.page_saw: set[str] = set()  # URLs the page's own DevTools session saw requested
        self.document = ""  # the page's URL, once loaded: who started its workers
        self._sent = 0  # messages sent to attached targets

    async def attach(self, context: BrowserContext, page: Page, router: Router) -> None:
        """Listen to ``context`` and ``page`` (whose context ``router`` was installed in);
        call before the page is navigated."""
        context.on("request", self._request)
        context.on("response", self._response)
        context.on("requestfinished", self._ended)
        context.on("requestfailed", self._ended)
        page.on("websocket", self._websocket)
        self.last_activity = asyncio.get_running_loop().time()
        router.current, self._router = self, router
        session = await context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._page_will_be_sent)
        session.on("Target.attachedToTarget", lambda event: self._attached(session, event))
        session.on("Target.receivedMessageFromTarget", self._from_target)
        await session.send("Network.enable")
        # the page's cross-site frames (each in its own process) and dedicated workers are
        # targets of their own: attached as they start, paused until their network events
        # are on, so their first requests' initiators are seen too
        await session.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False},
        )

    def detach(self, context: BrowserContext) -> None:
        """Stop listening to ``context``: the next visit in it has its own recorder."""
        context.remove_listener("request", self._request)
        context.remove_listener("response", self._response)
        context.remove_listener("requestfinished", self._ended)
        context.remove_listener("requestfailed", self._ended)
        if self._router is not None and self._router.current is self:
            self._router.current = None

    def origins(self, page: Page) -> set[str]:
        """Every origin the visit reached: what must be wiped before the next visit."""
        seen = {urls.origin_of(r.url) for r in self.requests} | set(
            map(urls.origin_of, self.sockets)
        )
        seen.update(urls.origin_of(frame.url) for frame in page.frames)
        return {origin for origin in seen if origin.startswith(("http:", "https:"))}

    def _request(self, request: Request) -> None:
        self.requests.append(request)
        self.in_flight.add(id(request))
        self.last_activity = asyncio.get_running_loop().time()

    def _ended(self, request: Request) -> None:
        self.in_flight.discard(id(request))
        self.last_activity = asyncio.get_running_loop().time()

    def quiet_for(self) -> float:
        """Seconds since the network was last active: 0 while a request is in flight."""
        if self.in_flight:
            return 0.0
        return asyncio.get_running_loop().time() - self.last_activity

    def _response(self, response: Response) -> None:
        self.statuses[id(response.request)] = response.status
        task = asyncio.ensure_future(self._cookies_of(response))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _cookies_of(self, response: Response) -> None:
        try:
            values = await response.header_values("set-cookie")
        except PlaywrightError:  # the context closed first
            return
        names = frozenset(
            line.split(";", 1)[0].split("=", 1)[0].strip()
            for value in values
            for line in value.split("\n")
        )
        if names:
            self.set_cookie.append((response.url, names))

    def _websocket(self, socket: WebSocket) -> None:
        self.sockets.append(socket.url)

    def cookie_written(self, data: dict[str, str]) -> None:
        """A ``document.cookie`` write the init script reported: its name, frame, stack."""
        stack = _STACK_URL.findall(str(data.get("stack", "")))
        frame = str(data.get("frame", ""))
        self.writes.append((str(data.get("name", "")), frame, stack[0] if stack else frame))

    def _attached(self, session: CDPSession, event: dict[str, Any]) -> None:
        """A frame or worker of the page started (paused): listen to its network, then let
        it run. A worker's script is loaded by the page that started it."""
        info = event.get("targetInfo", {})
        if info.get("type") == "worker" and info.get("url"):
            self.workers.add(str(info["url"]))
        task = asyncio.ensure_future(self._listen(session, str(event.get("sessionId", ""))))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _listen(self, session: CDPSession, target: str) -> None:
        for method in ("Network.enable", "Runtime.runIfWaitingForDebugger"):
            self._sent += 1
            message = json.dumps({"id": self._sent, "method": method})
            with contextlib.suppress(PlaywrightError):  # the target or the page went away
                await session.send(
                    "Target.sendMessageToTarget", {"sessionId": target, "message": message}
                )

    def _from_target(self, event: dict[str, Any]) -> None:
        """A message from an attached frame or worker: its requests' initiators."""
        try:
            message = json.loads(str(event.get("message", "")))
        except ValueError:
            return
        if isinstance(message, dict) and message.get("method") == "Network.requestWillBeSent":
            self._will_be_sent(message.get("params", {}))

    def _page_will_be_sent(self, event: dict[str, Any]) -> None:
        self.page_saw.add(event.get("request", {}).get("url", ""))
        self._will_be_sent(event)

    def _will_be_sent(self, event: dict[str, Any]) -> None:
        url = event.get("request", {}).get("url", "")
        cause = _initiator_url(event.get("initiator", {}))
        if url and cause and cause != url:
            self.initiators.setdefault(url, cause)

    def chain_of(self, url: str, frame: str = "") -> tuple[str, ...]:
        """Who loaded ``url``, nearest first; a request the page's session did not see (in a
        cross-site frame) starts from its ``frame``."""
        chain: list[str] = []
        current = url
        while len(chain) < _MAX_CHAIN:
            cause = self.initiators.get(current)
            if cause is None and current == url and frame and frame != url:
                cause = frame
            if cause is None and current in self.workers:
                cause = self.document
            if not cause or cause in (current, url) or cause in chain:
                break
            chain.append(cause)
            current = cause
        return tuple(chain)

    def initiators_of(self, url: str) -> tuple[str, ...]:
        """``url``'s chain from initiators alone (no fallback to its frame)."""
        return self.chain_of(url) if url in self.initiators else ()

    async def mark(self, context: BrowserContext, page: Page) -> None:
        """Remember what the visit holds now (before a click on the consent banner), so that
        ``collect`` tells only what came after it."""
        self._mark = (len(self.requests), len(self.sockets))
        with contextlib.suppress(PlaywrightError):
            self._jar = {(c["domain"], c["name"], c["path"]) for c in await context.cookies()}
        for frame in page.frames:
            self._kept.update((s.origin, s.area, s.key) for s in await self._storage_of(frame, ""))

    async def collect(
        self, context: BrowserContext, page: Page, url: str, error: str | None
    ) -> Visit:
        """What the visit observed (since ``mark``, if it was called), read after the dwell
        while the context is still open."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=_SETTLE)
        try:
            jar = await context.cookies()
        except PlaywrightError:  # the browser went away (Ctrl-C reaches it too)
            jar = []
        seen_at = time.time()
        storage: list[StorageItem] = []
        for frame in page.frames:
            storage.extend(await self._storage_of(frame, url))
        cookies = [self._cookie(dict(c), url, seen_at) for c in jar]
        self.document = page.url
        return Visit(
            url=url,
            phase=self.phase,
            final_url=page.url,
            error=error,
            requests=tuple(self._requests()),
            cookies=tuple(sorted(
                (c for c in cookies if (c.domain, c.name, c.path) not in self._jar),
                key=lambda c: (c.domain, c.name, c.path),
            )),
            storage=tuple(sorted(
                {s for s in storage if (s.origin, s.area, s.key) not in self._kept},
                key=lambda s: (s.origin, s.area, s.key),
            )),
        )  # fmt: skip

    def _requests(self) -> list[BrowserRequest]:
        made: list[BrowserRequest] = []
        for request in self.requests[self._mark[0] :]:
            if not request.url.startswith(_WEB):
                continue
            try:
                frame = request.frame.url
                top = request.frame.parent_frame is None
                if request.is_navigation_request() and top:
                    continue  # the page itself (or where it goes): the crawl read it
            except PlaywrightError:  # a service worker's request has no frame
                frame, top = "", False
            redirects: list[str] = []
            before = request.redirected_from
            while before is not None:
                redirects.insert(0, before.url)
                before = before.redirected_from
            first = redirects[0] if redirects else request.url
            chain = self.chain_of(first, frame)
            unseen = first.partition("#")[0] not in self.page_saw  # DevTools: no fragment
            if top and unseen and len(self.workers) == 1:
                # the page's session sees every request of the page's own frames: one it
                # never saw came from the worker (which may have run before its own session
                # listened: Playwright lets it start as soon as Playwright listens)
                worker = next(iter(self.workers))
                chain = self.initiators_of(first) or (worker, *self.chain_of(worker))
            made.append(
                BrowserRequest(
                    url=request.url,
                    resource_type=request.resource_type,
                    method=request.method,
                    frame=frame,
                    status=self.statuses.get(id(request)),
                    redirects=tuple(redirects),
                    chain=chain,
                )
            )
        for socket in self.sockets[self._mark[1] :]:
            made.append(
                BrowserRequest(
                    url=socket,
                    resource_type="websocket",
                    method="GET",
                    frame="",
                    chain=self.chain_of(socket),
                )
            )
        return made

    def _cookie(self, jar: dict[str, Any], page: str, seen_at: float) -> Cookie:
        domain = str(jar.get("domain", ""))
        name = str(jar.get("name", ""))
        expires = float(jar.get("expires", -1))
        session = expires < 0
        set_by, how = self._setter(name, domain.lstrip("."))
        return Cookie(
            name=name,
            domain=domain,
            path=str(jar.get("path", "/")),
            party=str(self.scope.party_of_host(domain.lstrip("."))[0]),
            session=session,
            lifetime=None if session else max(0, round((expires - seen_at) / 60) * 60),
            secure=bool(jar.get("secure")),
            http_only=bool(jar.get("httpOnly")),
            same_site=str(jar.get("sameSite", "")),
            set_by=set_by,
            set_how=how,
            page=page,
            phase=self.phase,
        )

    def _setter(self, name: str, domain: str) -> tuple[str, str]:
        """Who set the cookie ``name`` for ``domain``: a response whose host the cookie's
        domain covers and that sent it, else a script that wrote it in such a frame."""
        for url, names in self.set_cookie:
            if name in names and _domain_match(urls.host_of(url), domain):
                return url, "header"
        for written, frame, script in self.writes:
            if written == name and _domain_match(urls.host_of(frame), domain):
                return script, "script"
        return "", ""

    async def _storage_of(self, frame: Frame, page: str) -> list[StorageItem]:
        try:
            found = await asyncio.wait_for(frame.evaluate(_STORAGE), timeout=_SETTLE)
        except (PlaywrightError, TimeoutError):  # detached, or busy past the wait
            return []
        origin = str(found.get("origin", ""))
        if not origin.startswith(("http:", "https:")):
            return []  # about:blank and sandboxed frames hold no storage of a site
        party = str(self.scope.party_of_host(urls.host_of(origin))[0])
        return [
            StorageItem(
                origin=origin,
                area=area,
                key=str(key),
                size=int(size),
                party=party,
                page=page,
                phase=self.phase,
            )
            for area in ("local", "session")
            for key, size in found.get(area, ())
        ]


def _initiator_url(initiator: dict[str, Any]) -> str:
    """The URL behind a DevTools initiator: the script on top of its stack (following async
    parents), else the document that parsed the element."""
    stack = initiator.get("stack")
    while stack:
        for frame in stack.get("callFrames", ()):
            if frame.get("url"):
                return str(frame["url"])
        stack = stack.get("parent")
    return str(initiator.get("url", ""))


def _domain_match(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)
