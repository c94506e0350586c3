"""``linkguard scan``: crawl a site, or read a build folder or template sources, judge every
page against the policy, write the reports and exit with the run's verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkguard.cli._browser import chromium_for
from linkguard.cli._common import (
    checked_target,
    crawl_options,
    crawl_settings,
    error_boundary,
    policy_for,
    read_results,
    say_nothing_checked,
    warn_without_origin,
    with_site,
)
from linkguard.cli._history import HistoryOption, link_cache_for, recorded, scan_store
from linkguard.cli._options import (
    BrowserOption,
    ChromiumOption,
    ExcludeOption,
    FirstPartyOption,
    FormatsOption,
    IncludeOption,
    MaxPagesOption,
    OutputsOption,
    ProxyOption,
    RetriesOption,
    SystemCertsOption,
    TimeoutOption,
    UserAgentOption,
)
from linkguard.cli._outputs import console_summary, run_with_progress, write_outputs
from linkguard.cli._voice import QuietOption, VerboseOption, Voice
from linkguard.config import Policy
from linkguard.errors import ConfigError
from linkguard.reporters import Format
from linkguard.results.verdict import FailOn, verdict_of
from linkguard.scan import ScanRequest, is_url, make_scope


@error_boundary
def scan(
    target: Annotated[
        str | None, typer.Argument(help="A URL to crawl, or a folder of built HTML.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            metavar="FILE",
            help="Policy file (linkguard.toml, or a pyproject.toml with "
            "[tool.linkguard]). Default: linkguard.toml in the folder or the current directory.",
        ),
    ] = None,
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            metavar="LEVEL",
            help=f"Lowest severity that fails the run: {', '.join(f.value for f in FailOn)}.",
        ),
    ] = FailOn.ERROR,
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="A previous results JSON: its findings are reported as known and do not fail.",
        ),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option(metavar="URL", help="Read a folder as this origin (overrides site.origin)."),
    ] = None,
    first_party: FirstPartyOption = None,
    max_pages: MaxPagesOption = None,
    max_depth: Annotated[
        int | None,
        typer.Option(metavar="N", help="Follow links this many hops deep ([crawl] max_depth)."),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(metavar="N", help="Requests in flight at once ([crawl] concurrency)."),
    ] = None,
    delay: Annotated[
        float | None,
        typer.Option(
            metavar="SECONDS", help="Seconds between requests to one host ([crawl] delay)."
        ),
    ] = None,
    include: IncludeOption = None,
    exclude: ExcludeOption = None,
    user_agent: UserAgentOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
    check_external: Annotated[
        bool,
        typer.Option(
            "--check-external",
            help="Request every outbound link once (HEAD, then GET) and report broken ones.",
        ),
    ] = False,
    allow_private_addresses: Annotated[
        bool,
        typer.Option(
            "--allow-private-addresses",
            help="With --check-external, also request links to loopback, private and "
            "link-local addresses (an intranet's own links); refused by default.",
        ),
    ] = False,
    ignore_robots: Annotated[
        bool, typer.Option("--ignore-robots", help="Crawl paths that robots.txt disallows.")
    ] = False,
    proxy: ProxyOption = None,
    system_certs: SystemCertsOption = False,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="DIR",
            help="Judge template sources under this folder in place (Jinja2, "
            "Django, Liquid, Handlebars, ERB, PHP, Go templates); findings point at file:line.",
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REV",
            help="With --templates: only files changed since this git commit (a branch, tag "
            "or hash, e.g. origin/main).",
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume",
            metavar="STATE",
            help="Save the crawl's progress in this file as it goes; if an earlier run with "
            "it was interrupted, continue where that one stopped. Removed when a crawl finishes.",
        ),
    ] = None,
    browser: BrowserOption = False,
    chromium: ChromiumOption = None,
    history: HistoryOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Crawl a site, or read a build folder or template sources, and check its promises."""
    voice = Voice.of(verbose, quiet)
    if templates is not None:
        target = str(templates)
    if target is None:
        raise ConfigError("scan needs a TARGET (a URL or a folder) or --templates DIR")
    policy = with_site(policy_for(config, target), origin, first_party)
    checked_target(target)
    files = _template_files(templates, changed_since, policy)
    if is_url(target) or check_external:  # requests will be made: httpx is imported now
        from linkguard.sources.proxy import proxy_routes

        proxy_routes(proxy)  # a proxy URL, given or in the environment, that cannot work
    crawl = crawl_options(
        policy,
        max_pages=max_pages,
        max_depth=max_depth,
        concurrency=concurrency,
        delay=delay,
        include=include,
        exclude=exclude,
        user_agent=user_agent,
        timeout=timeout,
        retries=retries,
        respect_robots=False if ignore_robots else None,
        proxy=proxy,
        system_certs=system_certs or None,
        allow_private_addresses=allow_private_addresses or None,
    )
    scope = make_scope(target, policy)
    store = scan_store(history, policy)
    voice.info(f"scope: origin {scope.origin}; first party: {', '.join(scope.entries)}")
    voice.debug(
        f"policy: {policy.path or 'none found: the defaults'}\n{crawl_settings(policy, crawl)}"
    )
    if not voice.quiet:
        warn_without_origin(target, policy)
    request = ScanRequest(
        target,
        policy,
        scope,
        crawl,
        fail_on=fail_on.value,
        templates=files,
        partial=changed_since is not None,
        changed_since=changed_since,
        check_external=check_external,
        resume=resume,
        chromium=chromium_for(target, browser, chromium, policy, files is not None, quiet),
        link_cache=link_cache_for(store, policy) if check_external else None,
    )
    result = run_with_progress(request, voice)
    if baseline is not None:
        from linkguard.results.baseline import apply_baseline

        result = apply_baseline(result, read_results(baseline))
    if store is not None:
        result = recorded(store, result, quiet)
    try:
        write_outputs(result, formats or [Format.JSON], outputs or [], quiet=quiet)
    finally:  # the summary of a long crawl is shown even when an output cannot be written
        console_summary(result, quiet)
    verdict = verdict_of(result)
    # Why a run fails without a finding is said even with --quiet: it is an error.
    if not result.run.complete:
        typer.echo("linkguard: scan interrupted; the results hold the pages done so far", err=True)
        if resume is not None:
            typer.echo(f"linkguard: run it again with --resume {resume} to continue", err=True)
    elif verdict.unchecked:
        say_nothing_checked(verdict.unchecked, target, templates=templates is not None)
    elif not verdict.complete:
        typer.echo(
            f"linkguard: error: incomplete: {verdict.shortfall}\n  tip: the crawl-error "
            "findings say why each page failed; [crawl] max_failed_share sets how many may",
            err=True,
        )
    raise typer.Exit(verdict.exit_code)


def _template_files(
    folder: Path | None, since: str | None, policy: Policy
) -> tuple[Path, ...] | None:
    """The template files ``--templates`` names (only those changed since ``since``, with
    ``--changed-since``); None when the scan does not read templates."""
    if folder is None:
        if since is not None:
            raise ConfigError("--changed-since works with --templates DIR")
        return None
    from linkguard.sources.templates import changed_since, template_files

    files = template_files(folder, policy.templates.paths, policy.templates.exclude)
    if since is not None:
        changed = changed_since(folder, since)
        files = [f for f in files if f.resolve() in changed]
    return tuple(files)
