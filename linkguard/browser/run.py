"""Driving visits: each page in a fresh Chromium profile, a few browsers at a time.

A visit is a first-time visitor who does nothing: a fresh persistent profile (so the
third-party-cookie preference holds, ``_chromium.py``), the page loaded, then ``dwell``
seconds for late tags and beacons (``networkidle`` never settles on tracker-heavy sites),
then everything is read while the browser is still listening, and the profile is removed.
At most ``concurrency`` Chromium processes run at once, so memory is bounded by that, not by
the size of the site. Service workers are blocked: their requests would not be seen.

With ``[browser.consent]``, each page is also visited, in another fresh profile each, by a
visitor who clicks the banner's reject button, and by one who clicks accept: those visits
tell only what followed the click (phases ``reject`` and ``accept``; the first is
``before``). The button is looked for in the page, then in each of its frames (many banners
live in a frame of their consent platform).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Playwright, async_playwright

from linkguard.browser._chromium import VIEWPORTS, prepare_profile
from linkguard.browser._recorder import Recorder
from linkguard.browser._types import Visit
from linkguard.classify.scope import Scope
from linkguard.policy import BrowserConfig


async def visit_pages(
    pages: Sequence[str],
    on_page: Callable[[list[Visit]], None],
    *,
    chromium: str,
    config: BrowserConfig,
    scope: Scope,
    stop: asyncio.Event | None = None,
) -> None:
    """Visit each of ``pages``, once per phase, each visit in its own fresh profile and
    ``config.concurrency`` at a time, and hand ``on_page`` each page's visits (phases in
    order: before, reject, accept) as soon as they are done, so that memory holds what the
    visits under way saw, never the whole site's. Once ``stop`` is set, visits under way cut
    their dwell short and keep what they saw, and visits not yet started are not made."""
    limit = asyncio.Semaphore(config.concurrency)
    phases = ["before"]
    if config.consent is not None:
        phases += [p for p in ("reject", "accept") if getattr(config.consent, p)]
    async with async_playwright() as playwright:

        async def one(url: str) -> None:
            visits: list[Visit] = []
            for phase in phases:
                async with limit:
                    if stop is not None and stop.is_set():
                        break
                    visits.append(await visit_page(
                        playwright, url, chromium=chromium, config=config, scope=scope,
                        stop=stop, phase=phase,
                    ))  # fmt: skip
            if visits:
                on_page(visits)

        await asyncio.gather(*(one(url) for url in pages))


async def visit_page(
    playwright: Playwright,
    url: str,
    *,
    chromium: str,
    config: BrowserConfig,
    scope: Scope,
    stop: asyncio.Event | None = None,
    phase: str = "before",
) -> Visit:
    """One visit to ``url`` (in ``phase``: after a click on the consent banner's reject or
    accept button); a page that fails to load, a button that is not there, or a Chromium
    that fails to start, is a Visit with an ``error`` (and whatever was seen before it)."""
    folder = tempfile.mkdtemp(prefix="linkguard-profile-")
    try:
        return await _visit(playwright, url, Path(folder), chromium, config, scope, stop, phase)
    finally:
        # off the event loop (a profile is a few hundred files: a third of a second the other
        # visits would stand still); a Chromium killed by Ctrl-C may still be writing in it
        await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)


async def _visit(
    playwright: Playwright,
    url: str,
    folder: Path,
    chromium: str,
    config: BrowserConfig,
    scope: Scope,
    stop: asyncio.Event | None,
    phase: str,
) -> Visit:
    """``visit_page`` in the profile folder ``folder``."""
    try:
        context = await playwright.chromium.launch_persistent_context(
            str(prepare_profile(folder)),
            executable_path=chromium,
            headless=True,
            args=list(config.args),
            ignore_https_errors="--ignore-certificate-errors" in config.args,
            service_workers="block",
            **VIEWPORTS[config.viewport],  # type: ignore[arg-type]
        )
    except PlaywrightError as exc:
        failed = f"Chromium could not start: {_first_line(exc)}"
        return Visit(url=url, phase=phase, error=failed)
    try:
        page = context.pages[0] if context.pages else await context.new_page()
        recorder = Recorder(scope, phase)
        await recorder.attach(context, page)
        error: str | None = None
        try:
            await page.goto(url, wait_until="load", timeout=config.timeout * 1000)
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
        with contextlib.suppress(TimeoutError):  # the dwell, unless a signal ends it
            await asyncio.wait_for((stop or asyncio.Event()).wait(), config.dwell)
        return await recorder.collect(context, page, url, error)
    finally:
        with contextlib.suppress(PlaywrightError):  # the browser may be gone already
            await context.close()


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
