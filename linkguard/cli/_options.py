"""Command-line options that several commands share, declared once (Typer type aliases)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkguard.reporters import Format

FirstPartyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--first-party", metavar="HOST", help="A domain or host the site owns; repeatable."
    ),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", metavar="FILE", help="Policy file.")
]
# The crawl's common knobs. Each overrides the policy file's [crawl] key of the same name,
# which overrides the default: option > file > default.
MaxPagesOption = Annotated[
    int | None,
    typer.Option(metavar="N", help="Stop after this many pages ([crawl] max_pages; default 5000)."),
]
IncludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--include",
        metavar="REGEX",
        help="Crawl only URLs this Python regular expression finds a match in; repeatable; "
        "replaces [crawl] include.",
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="REGEX",
        help="Do not crawl URLs this Python regular expression finds a match in; repeatable; "
        "replaces [crawl] exclude.",
    ),
]
UserAgentOption = Annotated[
    str | None,
    typer.Option(
        "--user-agent",
        metavar="TEXT",
        help="The User-Agent the crawl sends ([crawl] user_agent; default: linkguard/VERSION).",
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        help="Give up on a page after this long ([crawl] timeout; default 20).",
    ),
]
RetriesOption = Annotated[
    int | None,
    typer.Option(
        "--retries",
        metavar="N",
        help="Retry a page this many times after a 429 or 503 answer, 0 to 10 "
        "([crawl] retries; default 3).",
    ),
]
# --format and --output pair up by position: the second --output goes with the second --format.
FormatsOption = Annotated[
    list[Format] | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help=f"Output format: {', '.join(f.value for f in Format)}; repeatable, paired in "
        "order with --output.",
    ),
]
OutputsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Where to write the matching --format ('-' for stdout).",
    ),
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
