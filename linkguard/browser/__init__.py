"""Browser mode (``scan --browser``): the crawled pages visited in headless Chromium.

The browser is one more source of observations for the pages the crawl found: after the
walk, ``scan/run.py`` hands the chosen pages to ``run.visit_pages``, and ``scan/runtime.py``
judges each ``Visit`` against the register (``rules/runtime.py``).

    _chromium.py    finding the system Chromium and Playwright; a fresh profile that keeps
                    third-party cookies
    _recorder.py    one visit's requests, initiator chains (cross-site frames and workers
                    too), cookies (and who set them), storage keys, and whether the
                    network is quiet
    run.py          visits, ``concurrency`` browsers at a time, each wiped between visits
                    (imports Playwright)
    _types.py       Visit and BrowserRequest

Playwright is imported only when pages are visited, so linkguard without the ``browser``
extra still runs: ``require_playwright`` and ``find_chromium`` say what to install.
"""

from __future__ import annotations

from linkguard.browser._chromium import find_chromium, require_playwright
from linkguard.browser._types import BrowserRequest, Visit

__all__ = ["BrowserRequest", "Visit", "find_chromium", "require_playwright"]
