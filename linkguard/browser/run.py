"""Driving visits: each page as a first-time visitor sees it, a few browsers at a time.

A visit is a first-time visitor who does nothing: a clean browser (a persistent profile, so
the third-party-cookie preference holds, ``_chromium.py``), the page loaded in a new tab,
then up to ``dwell`` seconds for late tags and beacons, ended once no request has been in
flight for ``QUIET`` seconds (``networkidle`` never settles on tracker-heavy sites: a dwell
bounds the wait), then everything is read while the browser is still listening, and, on
the visit without interaction, the page as served and its DOM as rendered.

At most ``concurrency`` Chromium processes run at once, so memory is bounded by that, not by
the size of the site. Each is reused from visit to visit, and wiped between them: every
cookie, the storage of every origin the visit reached (local and session storage,
IndexedDB, caches, partitioned or not) and the HTTP cache; after ``RECYCLE`` visits, or
when it fails, it is replaced by a new one with a new profile. Starting a Chromium for
every visit cost more than the visit (measured: 0.9 s of CPU a page). Service workers are
blocked: their requests would not be seen.

With ``[browser.consent]``, each page is also visited by a visitor who clicks the banner's
reject button, and by one who clicks accept: those visits tell only what followed the
click (phases ``reject`` and ``accept``; the first is ``before``). The button is looked for
in the page, then in each of its frames (many banners live in a frame of their consent
platform).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Page, Playwright, Response, async_playwright
from playwright.async_api import Error as PlaywrightError

from linkguard.browser._chromium import VIEWPORTS, chromium_env, prepare_profile
from linkguard.browser._recorder import Recorder, Router
from linkguard.browser._types import Visit
from linkguard.classify.scope import Scope
from linkguard.policy import BrowserConfig

RECYCLE = 25  # visits a browser makes before it is replaced by a new one
# The dwell ends early once no request has been in flight for this long: a page whose tags
# have all fired has nothing more to show, and waiting out the whole dwell on each page was
# most of a visit's time. A page that keeps the network busy (polling, a tag chain still
# loading, a late beacon between requests) is watched for the whole dwell.
QUIET = 1.0
_TICK = 0.1  # how often the dwell looks at the network
_READ = 5.0  # seconds to wait for the page's bytes or its rendered DOM


async def visit_pages(
    pages: Sequence[str],
    on_page: Callable[[list[Visit]], None],
    *,
    chromium: str,
    config: BrowserConfig,
    scope: Scope,
    stop: asyncio.Event | None = None,
) -> None:
    """Visit each of ``pages``, once per phase, ``config.concurrency`` visits at a time, and
    hand ``on_page`` each page's visits (phases in order: before, reject, accept) as soon as
    they are done, so that memory holds what the visits under way saw, never the whole
    site's. Once ``stop`` is set, visits under way cut their dwell short and keep what they
    saw, and visits not yet started are not made."""
    phases = ["before"]
    if config.consent is not None:
        phases += [p for p in ("reject", "accept") if getattr(config.consent, p)]
    async with async_playwright() as playwright:
        idle: asyncio.Queue[_Browser] = asyncio.Queue()
        browsers = [_Browser(playwright, chromium, config) for _ in range(config.concurrency)]
        for browser in browsers:
            idle.put_nowait(browser)

        async def one(url: str) -> None:
            visits: list[Visit] = []
            for phase in phases:
                browser = await idle.get()
                try:
                    if stop is not None and stop.is_set():
                        break
                    visits.append(await browser.visit(url, scope, stop, phase))
                finally:
                    idle.put_nowait(browser)
            if visits:
                on_page(visits)

        try:
            await asyncio.gather(*(one(url) for url in pages))
        finally:
            for browser in browsers:
                await browser.close()


class _Browser:
    """One Chromium with its profile, reused for visit after visit and wiped between them."""

    def __init__(self, playwright: Playwright, chromium: str, config: BrowserConfig) -> None:
        self.playwright, self.chromium, self.config = playwright, chromium, config
        self.context: BrowserContext | None = None
        self.router = Router()
        self.folder = ""
        self.visits = 0

    async def visit(self, url: str, scope: Scope, stop: asyncio.Event | None, phase: str) -> Visit:
        """One visit to ``url`` (in ``phase``: after a click on the consent banner's reject
        or accept button); a page that fails to load, a button that is not there, or a
        Chromium that fails to start, is a Visit with an ``error`` (and what it saw)."""
        if self.context is None or self.visits >= RECYCLE:
            await self.close()
            failed = await self._start()
            if failed is not None:
                return Visit(url=url, phase=phase, error=f"Chromium could not start: {failed}")
        assert self.context is not None
        self.visits += 1
        context = self.context
        page = await context.new_page()
        recorder = Recorder(scope, phase)
        try:
            await recorder.attach(context, page, self.router)
            return await _look(page, context, recorder, url, self.config, stop, phase)
        except PlaywrightError as exc:  # the browser went away: the next visit gets another
            self.visits = RECYCLE
            return Visit(url=url, phase=phase, error=f"browser visit failed: {_first_line(exc)}")
        finally:
            recorder.detach(context)
            await self._wipe(context, page, recorder.origins(page))

    async def _start(self) -> str | None:
        """Launch a Chromium on a fresh profile; why it could not start, or None."""
        self.folder = tempfile.mkdtemp(prefix="linkguard-profile-")
        try:
            self.context = await self.playwright.chromium.launch_persistent_context(
                str(prepare_profile(Path(self.folder))),
                executable_path=self.chromium,
                headless=True,
                args=list(self.config.args),
                ignore_https_errors="--ignore-certificate-errors" in self.config.args,
                service_workers="block",
                env=chromium_env(),
                **VIEWPORTS[self.config.viewport],  # type: ignore[arg-type]
            )
            self.router = Router()
            await self.router.install(self.context)
        except PlaywrightError as exc:
            await self.close()
            return _first_line(exc)
        self.visits = 0
        return None

    async def _wipe(self, context: BrowserContext, page: Page, origins: set[str]) -> None:
        """Leave the browser as a first-time visitor finds it: the tab closed, no cookie,
        nothing stored for any origin the visit reached, an empty HTTP cache. A browser
        that cannot be wiped is replaced before its next visit."""
        try:
            session = await context.new_cdp_session(page)
            for origin in sorted(origins):
                await session.send(
                    "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
                )
            await session.send("Network.clearBrowserCache")
            await session.detach()
            await page.close()
            await context.clear_cookies()
        except PlaywrightError:
            self.visits = RECYCLE

    async def close(self) -> None:
        """Close the browser, if it runs, and remove its profile (off the event loop: a
        profile is a few hundred files; a Chromium killed by Ctrl-C may still write)."""
        context, self.context = self.context, None
        if context is not None:
            with contextlib.suppress(PlaywrightError):  # it may be gone already
                await context.close()
        if self.folder:
            folder, self.folder = self.folder, ""
            for _ in range(3):  # a Chromium killed by a signal may write a moment more
                await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
                if not Path(folder).exists():
                    break
                await asyncio.sleep(0.5)


async def _look(
    page: Page,
    context: BrowserContext,
    recorder: Recorder,
    url: str,
    config: BrowserConfig,
    stop: asyncio.Event | None,
    phase: str,
) -> Visit:
    """Load ``url`` in ``page``, click the consent banner's button for ``phase``, dwell, and
    tell what ``recorder`` observed."""
    error: str | None = None
    response: Response | None = None
    try:
        response = await page.goto(url, wait_until="load", timeout=config.timeout * 1000)
    except PlaywrightError as exc:
        error = f"browser visit failed: {_first_line(exc)}"
    if error is None and config.consent is not None and phase != "before":
        await recorder.mark(context, page)
        selector = getattr(config.consent, phase)
        if not await _click(page, selector, config.consent.wait):
            error = (
                f"consent banner: no {phase} button ({selector}) appeared within "
                f"{config.consent.wait:g} s"
            )
    await _dwell(recorder, config.dwell, stop or asyncio.Event())
    visit = await recorder.collect(context, page, url, error)
    if phase != "before" or error is not None or response is None:
        return visit
    return replace(visit, **await _documents(page, response))


async def _documents(page: Page, response: Response) -> dict[str, Any]:
    """The page as served and as rendered now (empty where the browser cannot tell)."""
    read: dict[str, Any] = {}
    with contextlib.suppress(PlaywrightError, TimeoutError):
        read["document"] = await asyncio.wait_for(response.body(), _READ)
    with contextlib.suppress(PlaywrightError, TimeoutError):
        read["rendered"] = await asyncio.wait_for(page.content(), _READ)
    return read


async def _dwell(recorder: Recorder, dwell: float, stop: asyncio.Event) -> None:
    """Stay on the page up to ``dwell`` seconds, less once the network has been quiet for
    ``QUIET`` seconds (no request in flight), or until a signal sets ``stop``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + dwell
    while not stop.is_set():
        left = end - loop.time()
        quiet = recorder.quiet_for()
        if left <= 0 or quiet >= QUIET:
            return
        wait = min(left, QUIET - quiet if quiet else _TICK)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(wait, 0.01))


async def _click(page: Page, selector: str, wait: float) -> bool:
    """Click the first element ``selector`` matches, in the page (waiting up to ``wait``
    seconds for it) or else in one of its frames; whether one was clicked."""
    try:
        await page.locator(selector).first.click(timeout=wait * 1000)
        return True
    except PlaywrightError:
        pass
    for frame in page.frames[1:]:
        try:
            await frame.locator(selector).first.click(timeout=1000)
            return True
        except PlaywrightError:
            continue
    return False


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
