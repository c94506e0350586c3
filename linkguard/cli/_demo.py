"""``linkguard demo``: serve a bundled sample site on 127.0.0.1 and scan it over HTTP.

With ``--browser`` the pages are also visited in Chromium (the ``tagged-shop`` site by
default, whose tag manager brings an undeclared pixel): the site's third parties are played
by the same local server (its ``_hosts`` folder), and every other host is unresolvable, so
the demo reaches nothing beyond 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from linkguard.cli._browser import chromium_for
from linkguard.cli._common import error_boundary
from linkguard.cli._options import BrowserOption, ChromiumOption
from linkguard.cli._outputs import console_summary, run_with_progress, write_outputs
from linkguard.cli._voice import QuietOption, VerboseOption, Voice
from linkguard.config import Policy, load_policy
from linkguard.errors import ConfigError
from linkguard.reporters import Format
from linkguard.scan import ScanRequest, make_scope

LOCAL = "http://127.0.0.1/"  # where the demo's server will be: a URL, so pages can be visited


@error_boundary
def demo(
    site: Annotated[
        str | None,
        typer.Argument(
            help="A bundled sample site: leaky-shop (the default), northwind-clinic, or "
            "tagged-shop (the default with --browser)."
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder for the results and the report.")
    ] = Path("linkguard-demo"),
    browser: BrowserOption = False,
    chromium: ChromiumOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Serve a bundled sample site on 127.0.0.1, crawl it over HTTP, write JSON and HTML.

    No outside network: the site is served by linkguard itself on an ephemeral local port
    and crawled by the real crawler, reported under the site's configured origin.
    """
    from linkguard.bundled import sample_site, sample_site_names
    from linkguard.bundled.serve import serve_folder

    voice = Voice.of(verbose, quiet)
    browser = browser or chromium is not None
    site = site or ("tagged-shop" if browser else "leaky-shop")
    if site not in sample_site_names():
        raise ConfigError(
            f"no sample site named {site!r}",
            tip=f"choose one of: {', '.join(sample_site_names())}",
        )
    root = sample_site(site)
    policy = load_policy(root / "linkguard.toml")
    found = chromium_for(LOCAL, browser, chromium, policy, templates=False, quiet=voice.quiet)
    with serve_folder(root, hosts=root / "_hosts") as base:
        voice.info(f"serving {site} at {base} as {policy.site.origin or base}")
        if found is not None:
            policy = _played(policy, base)
        scope = make_scope(base, policy)
        request = ScanRequest(base, policy, scope, policy.crawl, chromium=found)
        result = run_with_progress(request, voice)
    write_outputs(
        result,
        [Format.JSON, Format.HTML],
        [str(out / "results.json"), str(out / "report.html")],
        quiet=voice.quiet,
    )
    console_summary(result, voice.quiet)
    voice.info(f"open {out / 'report.html'} in a browser to read the audit report")


def _played(policy: Policy, base: str) -> Policy:
    """The policy with Chromium pointed at the local server for the sample's third parties
    (``*.demo.test``), and every other host unresolvable: the demo never leaves 127.0.0.1."""
    port = base.rstrip("/").rpartition(":")[2]
    rules = (
        f"--host-resolver-rules=MAP *.demo.test 127.0.0.1:{port}, MAP * ~NOTFOUND, "
        "EXCLUDE 127.0.0.1"
    )
    return replace(policy, browser=replace(policy.browser, args=(*policy.browser.args, rules)))
