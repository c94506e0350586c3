"""The commands that look without judging a run: ``classify`` (where an href lands),
``links`` (every reference found) and ``rules`` (the rule catalogue).

Their JSON lines carry text from pages as it was written, with every control and
bidirectional character a JSON escape (``linkguard.display.json_text``): a terminal or a CI
log shows it, and a JSON reader gets the very same string."""

from __future__ import annotations

from typing import Annotated

import typer

from linkguard.classify.scope import Scope
from linkguard.cli._common import (
    checked_target,
    crawl_options,
    crawl_settings,
    error_boundary,
    policy_for,
    say_nothing_checked,
    warn_without_origin,
    with_site,
)
from linkguard.cli._options import (
    ConfigOption,
    ExcludeOption,
    FirstPartyOption,
    IncludeOption,
    MaxPagesOption,
    RetriesOption,
    TimeoutOption,
    UserAgentOption,
)
from linkguard.cli._progress import ProgressDisplay
from linkguard.cli._voice import QuietOption, VerboseOption, Voice
from linkguard.display import json_text
from linkguard.errors import ConfigError
from linkguard.results.verdict import EXIT_UNCHECKED
from linkguard.scan import ScanRequest, make_scope, run_links


@error_boundary
def classify(
    hrefs: Annotated[list[str], typer.Argument(help="hrefs to classify (put -- before them).")],
    config: ConfigOption = None,
    origin: Annotated[
        str | None,
        typer.Option(metavar="URL", help="The site's origin; hrefs resolve against it."),
    ] = None,
    first_party: FirstPartyOption = None,
    base: Annotated[
        str | None, typer.Option(metavar="URL", help="Resolve hrefs against this page URL.")
    ] = None,
) -> None:
    """Print where each HREF lands: one JSON object per line (href, url, host, site, party)."""
    policy = with_site(policy_for(config, None), origin, first_party)
    if not policy.site.origin:
        raise ConfigError(
            "classify needs an origin",
            tip="pass --origin https://www.example.com or a config with site.origin",
        )
    scope = Scope.build(policy.site.origin, policy.site.first_party)
    for href in hrefs:
        boundary = scope.classify_href(href, base)
        typer.echo(
            json_text(
                {
                    "href": href,
                    "url": boundary.url,
                    "host": boundary.host,
                    "site": boundary.site,
                    "party": str(boundary.party),
                    "reason": boundary.reason,
                }
            )
        )


@error_boundary
def links(
    target: Annotated[str, typer.Argument(help="A URL to crawl, or a folder of built HTML.")],
    config: ConfigOption = None,
    max_pages: MaxPagesOption = None,
    origin: Annotated[
        str | None, typer.Option(metavar="URL", help="Read a folder as this origin.")
    ] = None,
    include: IncludeOption = None,
    exclude: ExcludeOption = None,
    user_agent: UserAgentOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Print every reference found, one JSON object per line (page, line, kind, ..., party)."""
    voice = Voice.of(verbose, quiet)
    policy = with_site(policy_for(config, target), origin, None)
    checked_target(target)
    crawl = crawl_options(
        policy,
        max_pages=max_pages,
        include=include,
        exclude=exclude,
        user_agent=user_agent,
        timeout=timeout,
        retries=retries,
    )
    voice.debug(crawl_settings(policy, crawl))
    if not voice.quiet:
        warn_without_origin(target, policy)
    request = ScanRequest(target, policy, make_scope(target, policy), crawl)
    with ProgressDisplay(voice) as display:
        seen = run_links(request, lambda row: typer.echo(json_text(row)), display.update)
    if seen.unchecked:  # no line printed must not read as "no reference found"
        say_nothing_checked(seen.unchecked, target)
        raise typer.Exit(EXIT_UNCHECKED)


def list_rules() -> None:
    """Print the rule catalogue as a Markdown table: id, default severity, name, why."""
    from linkguard.rules import rules_table

    typer.echo(rules_table(), nl=False)
