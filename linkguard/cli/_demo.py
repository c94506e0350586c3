"""``linkguard demo``: serve a bundled sample site on 127.0.0.1 and scan it over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkguard.cli._common import error_boundary
from linkguard.cli._outputs import console_summary, run_with_progress, write_outputs
from linkguard.config import load_policy
from linkguard.errors import ConfigError
from linkguard.reporters import Format
from linkguard.scan import ScanRequest, make_scope


@error_boundary
def demo(
    site: Annotated[
        str, typer.Argument(help="A bundled sample site: leaky-shop or northwind-clinic.")
    ] = "leaky-shop",
    out: Annotated[Path, typer.Option(help="Folder for the results and the report.")] = Path(
        "linkguard-demo"
    ),
) -> None:
    """Serve a bundled sample site on 127.0.0.1, crawl it over HTTP, write JSON and HTML.

    No outside network: the site is served by linkguard itself on an ephemeral local port
    and crawled by the real crawler, reported under the site's configured origin.
    """
    from linkguard.bundled import sample_site, sample_site_names
    from linkguard.bundled.serve import serve_folder

    if site not in sample_site_names():
        raise ConfigError(
            f"no sample site named {site!r}",
            tip=f"choose one of: {', '.join(sample_site_names())}",
        )
    root = sample_site(site)
    policy = load_policy(root / "linkguard.toml")
    with serve_folder(root) as base:
        typer.echo(f"serving {site} at {base} as {policy.site.origin}", err=True)
        request = ScanRequest(base, policy, make_scope(base, policy), policy.crawl)
        result = run_with_progress(request, False)
    write_outputs(
        result,
        [Format.JSON, Format.HTML],
        [str(out / "results.json"), str(out / "report.html")],
    )
    console_summary(result, False)
    typer.echo(f"open {out / 'report.html'} in a browser to read the audit report", err=True)
