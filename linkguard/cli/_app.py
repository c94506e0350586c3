"""The command line: parse options, call the core, pick reporters, map outcomes to exit codes.

Exit codes (DESIGN section 3): 0 clean, 1 findings at or above --fail-on, 2 usage or
configuration error, 3 the scan itself failed or was interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

import linkguard.cli._gate as gate_commands
from linkguard._version import __version__
from linkguard.classify.scope import Scope
from linkguard.cli._files import write_atomic
from linkguard.cli._options import (
    ConfigOption,
    FirstPartyOption,
    FormatsOption,
    MaxPagesOption,
    OutputsOption,
)
from linkguard.config import (
    CrawlConfig,
    Policy,
    discover_policy,
    load_policy,
    policy_from_mapping,
)
from linkguard.errors import ConfigError, LinkguardError, ScanError
from linkguard.model import ScanResult
from linkguard.reporters import Format, render
from linkguard.results import from_json, iter_json
from linkguard.results.verdict import FailOn, verdict_of
from linkguard.scan import ScanRequest, is_url, make_scope, run_links, run_scan

app = typer.Typer(
    name="linkguard",
    help="Map the boundary between a website and the third parties it sends people and data to.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(error: LinkguardError) -> typer.Exit:
    """One line (and a tip) for the user's own mistakes; never a traceback."""
    typer.echo(f"linkguard: error: {error}", err=True)
    return typer.Exit(error.exit_code)


def _policy(config: Path | None, target: str | None) -> Policy:
    if config is not None:
        if not config.exists():
            raise ConfigError(
                f"{config}: no such config file",
                tip="pass the path of a linkguard.toml, or omit --config",
            )
        return load_policy(config)
    folder = Path(target) if target and not is_url(target) else None
    found = discover_policy(folder, Path.cwd())
    return load_policy(found) if found else Policy()


def _crawl_options(policy: Policy, **overrides: object) -> CrawlConfig:
    given = {k: v for k, v in overrides.items() if v is not None}
    for name in ("max_pages", "max_depth", "concurrency"):
        value = given.get(name)
        if isinstance(value, int) and value < 1:
            raise ConfigError(f"--{name.replace('_', '-')} must be at least 1, not {value}")
    return replace(policy.crawl, **given)  # type: ignore[arg-type]


def _with_site(policy: Policy, origin: str | None, first_party: list[str] | None) -> Policy:
    """The policy with --origin and --first-party applied, checked like the policy file."""
    given: dict[str, object] = {}
    if origin is not None:
        given["origin"] = origin
    if first_party:
        given["first_party"] = list(first_party)
    if not given:
        return policy
    checked = policy_from_mapping({"site": given}, source="command line").site
    site = policy.site
    if origin is not None:
        site = replace(site, origin=checked.origin)
    if first_party:
        site = replace(site, first_party=site.first_party + checked.first_party)
    return replace(policy, site=site)


def _write_outputs(result: ScanResult, formats: list[Format], outputs: list[str]) -> None:
    for index, fmt in enumerate(formats):
        destination = outputs[index] if index < len(outputs) else fmt.default_output
        # JSON is streamed: a 100,000-finding results file is never one string in memory
        text: str | Iterator[str] = iter_json(result) if fmt is Format.JSON else render(result, fmt)
        if destination == "-":
            sys.stdout.writelines(text)
        else:
            write_atomic(Path(destination), text)
            typer.echo(f"wrote {fmt.value} to {destination}", err=True)


def _console_summary(result: ScanResult, quiet: bool) -> None:
    if quiet:
        return
    from linkguard.reporters.console import render_summary

    color = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    typer.echo(render_summary(result, color=color), err=True)


@app.command()
def scan(
    target: Annotated[
        str | None, typer.Argument(help="A URL to crawl, or a folder of built HTML.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Policy file (linkguard.toml, or a pyproject.toml with "
            "[tool.linkguard]). Default: linkguard.toml in the folder or the current directory.",
        ),
    ] = None,
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
    fail_on: Annotated[
        FailOn, typer.Option(help="Lowest severity that fails the run.")
    ] = FailOn.ERROR,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="A previous results JSON: its findings are reported as known and do not fail."
        ),
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="Read a folder as this origin (overrides site.origin).")
    ] = None,
    first_party: FirstPartyOption = None,
    max_pages: MaxPagesOption = None,
    max_depth: Annotated[int | None, typer.Option(help="Follow links this many hops deep.")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Requests in flight at once.")] = None,
    delay: Annotated[
        float | None, typer.Option(help="Seconds between requests to one host.")
    ] = None,
    check_external: Annotated[
        bool,
        typer.Option(
            "--check-external",
            help="Request every outbound link once (HEAD, then GET) and report broken ones.",
        ),
    ] = False,
    ignore_robots: Annotated[
        bool, typer.Option("--ignore-robots", help="Crawl paths that robots.txt disallows.")
    ] = False,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            help="Judge template sources under this folder in place (Jinja2, "
            "Django, Liquid, Handlebars, ERB, PHP, Go templates); findings point at file:line.",
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            help="With --templates: only files changed since this git revision (e.g. origin/main).",
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary or progress.")] = False,
) -> None:
    """Crawl a site, or read a build folder or template sources, and check its promises."""
    try:
        if templates is not None:
            target = str(templates)
        if target is None:
            raise ConfigError("scan needs a TARGET (a URL or a folder) or --templates DIR")
        policy = _with_site(_policy(config, target), origin, first_party)
        if not is_url(target) and not Path(target).is_dir():
            raise ConfigError(
                f"{target}: neither an http(s) URL nor a folder",
                tip="pass https://www.example.com/ or a folder of built HTML",
            )
        files = _template_files(templates, changed_since, policy)
        crawl = _crawl_options(
            policy,
            max_pages=max_pages,
            max_depth=max_depth,
            concurrency=concurrency,
            delay=delay,
            respect_robots=False if ignore_robots else None,
        )
        scope = make_scope(target, policy)
        if not quiet:
            typer.echo(
                f"scope: origin {scope.origin}; first party: {', '.join(scope.entries)}", err=True
            )
        request = ScanRequest(
            target,
            policy,
            scope,
            crawl,
            fail_on=fail_on.value,
            templates=files,
            partial=changed_since is not None,
            check_external=check_external,
            resume=resume,
        )
        result = _run_with_progress(request, quiet)
        if baseline is not None:
            from linkguard.results.baseline import apply_baseline

            result = apply_baseline(result, _read_results(baseline))
        _write_outputs(result, formats or [Format.JSON], outputs or [])
        _console_summary(result, quiet)
    except LinkguardError as error:
        raise _fail(error) from None
    if not result.run.complete:
        typer.echo("linkguard: scan interrupted; the results hold the pages done so far", err=True)
        if resume is not None:
            typer.echo(f"linkguard: run it again with --resume {resume} to continue", err=True)
    raise typer.Exit(verdict_of(result).exit_code)


def _template_files(
    folder: Path | None, since: str | None, policy: Policy
) -> tuple[Path, ...] | None:
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


def _run_with_progress(request: ScanRequest, quiet: bool) -> ScanResult:
    """Run the scan with a progress line on stderr (cleared before the summary prints)."""
    if quiet:
        return run_scan(request)
    from linkguard.reporters.console import ProgressLine

    with ProgressLine(sys.stderr) as line:
        return run_scan(request, progress=line.update)


def _read_results(path: Path) -> ScanResult:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read results file ({exc.strerror})") from exc
    return from_json(text, source=str(path))


@app.command()
def classify(
    hrefs: Annotated[list[str], typer.Argument(help="hrefs to classify (put -- before them).")],
    config: ConfigOption = None,
    origin: Annotated[
        str | None, typer.Option(help="The site's origin; hrefs resolve against it.")
    ] = None,
    first_party: FirstPartyOption = None,
    base: Annotated[str | None, typer.Option(help="Resolve hrefs against this page URL.")] = None,
) -> None:
    """Print where each HREF lands: one JSON object per line (href, url, host, site, party)."""
    try:
        policy = _with_site(_policy(config, None), origin, first_party)
        if not policy.site.origin:
            raise ConfigError(
                "classify needs an origin",
                tip="pass --origin https://www.example.com or a config with site.origin",
            )
        scope = Scope.build(policy.site.origin, policy.site.first_party)
    except LinkguardError as error:
        raise _fail(error) from None
    for href in hrefs:
        boundary = scope.classify_href(href, base)
        typer.echo(
            json.dumps(
                {
                    "href": href,
                    "url": boundary.url,
                    "host": boundary.host,
                    "site": boundary.site,
                    "party": str(boundary.party),
                    "reason": boundary.reason,
                },
                ensure_ascii=False,
            )
        )


@app.command()
def links(
    target: Annotated[str, typer.Argument(help="A URL to crawl, or a folder of built HTML.")],
    config: ConfigOption = None,
    max_pages: MaxPagesOption = None,
    origin: Annotated[str | None, typer.Option(help="Read a folder as this origin.")] = None,
) -> None:
    """Print every reference found, one JSON object per line (page, line, kind, ..., party)."""
    try:
        policy = _with_site(_policy(config, target), origin, None)
        crawl = _crawl_options(policy, max_pages=max_pages)
        request = ScanRequest(target, policy, make_scope(target, policy), crawl)
        run_links(request, lambda row: typer.echo(json.dumps(row, ensure_ascii=False)))
    except LinkguardError as error:
        raise _fail(error) from None


@app.command()
def report(
    results: Annotated[Path, typer.Argument(help="A results JSON written by `linkguard scan`.")],
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
) -> None:
    """Re-render a saved results JSON in any format."""
    try:
        _write_outputs(_read_results(results), formats or [Format.HTML], outputs or [])
    except LinkguardError as error:
        raise _fail(error) from None


@app.command()
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

    try:
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
            result = _run_with_progress(request, False)
        _write_outputs(
            result,
            [Format.JSON, Format.HTML],
            [str(out / "results.json"), str(out / "report.html")],
        )
        _console_summary(result, False)
    except LinkguardError as error:
        raise _fail(error) from None
    typer.echo(f"open {out / 'report.html'} in a browser to read the audit report", err=True)


@app.command("rules")
def list_rules() -> None:
    """Print the rule catalogue as a Markdown table: id, default severity, name, why."""
    from linkguard.rules import rules_table

    typer.echo(rules_table(), nl=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linkguard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Map the boundary between a website and the third parties it sends people and data to."""


app.command("diff")(gate_commands.diff)
app.command("init")(gate_commands.init)


def main() -> None:
    try:
        app()
    except ScanError as error:  # raised outside a command's own handling
        typer.echo(f"linkguard: error: {error}", err=True)
        raise SystemExit(error.exit_code) from None
