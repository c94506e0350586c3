"""Command-line options that several commands share, declared once (Typer type aliases)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkguard.reporters import Format

FirstPartyOption = Annotated[
    list[str] | None,
    typer.Option("--first-party", help="A domain or host the site owns; repeatable."),
]
MaxPagesOption = Annotated[int | None, typer.Option(help="Stop after this many pages.")]
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Policy file.")]
# --format and --output pair up by position: the second --output goes with the second --format.
FormatsOption = Annotated[
    list[Format] | None,
    typer.Option(
        "--format", "-f", help="Output format; repeatable, paired in order with --output."
    ),
]
OutputsOption = Annotated[
    list[str] | None,
    typer.Option("--output", "-o", help="Where to write the matching --format ('-' for stdout)."),
]
# How the crawl reaches the web: the machine's, not the site's, so never in the policy file.
ProxyOption = Annotated[
    str | None,
    typer.Option(
        "--proxy",
        metavar="URL",
        help="Send every request through this HTTP proxy (hosts in NO_PROXY go direct). "
        "Default: HTTP_PROXY, HTTPS_PROXY or ALL_PROXY from the environment.",
    ),
]
SystemCertsOption = Annotated[
    bool,
    typer.Option(
        "--system-certs",
        help="Trust the operating system's certificate store (where a company installs "
        "its own root certificate) instead of the bundled one.",
    ),
]
BrowserOption = Annotated[
    bool,
    typer.Option(
        "--browser",
        help="Also visit the crawled pages in headless Chromium and judge what they load, "
        "set and send (needs pip install '.[browser]' and Chromium).",
    ),
]
ChromiumOption = Annotated[
    Path | None,
    typer.Option(
        "--chromium",
        metavar="PATH",
        help="The Chromium for --browser (default: $LINKGUARD_CHROMIUM, else chromium, "
        "chromium-browser or google-chrome on PATH).",
    ),
]
