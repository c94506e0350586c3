"""Browser mode on the command line: which Chromium ``scan``, ``init`` and ``demo`` visit
pages with, checked before anything is crawled."""

from __future__ import annotations

from pathlib import Path

import typer

from linkguard.config import Policy
from linkguard.errors import ConfigError
from linkguard.scan import is_url


def chromium_for(
    target: str, browser: bool, chromium: Path | None, policy: Policy, templates: bool, quiet: bool
) -> str | None:
    """The Chromium browser mode visits pages with (``--browser``, ``--chromium`` or
    ``[browser] enabled``), checked before the crawl starts; None without browser mode."""
    asked = browser or chromium is not None
    if not (asked or policy.browser.enabled):
        return None
    if templates or not is_url(target):
        if asked:
            raise ConfigError(
                "--browser visits pages over HTTP: the target must be a URL",
                tip="serve the folder (e.g. python -m http.server) and scan its URL",
            )
        if not quiet:
            typer.echo("linkguard: [browser] skipped: the target is not a URL", err=True)
        return None
    from linkguard.browser import find_chromium, require_playwright

    require_playwright()
    return find_chromium(str(chromium) if chromium is not None else None)
