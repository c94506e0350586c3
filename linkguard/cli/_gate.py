"""The commands around saved results and the policy file: ``report`` (re-render a results
JSON), ``diff`` (compare two of them) and ``init`` (a starter policy from a first crawl)."""

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
    read_results,
    say_nothing_checked,
    warn_without_origin,
)
from linkguard.cli._files import cannot_write, write_atomic
from linkguard.cli._options import (
    BrowserOption,
    ChromiumOption,
    ExcludeOption,
    FirstPartyOption,
    FormatsOption,
    IncludeOption,
    MaxPagesOption,
    OutputsOption,
    RetriesOption,
    TimeoutOption,
    UserAgentOption,
)
from linkguard.cli._outputs import write_outputs
from linkguard.cli._progress import ProgressDisplay
from linkguard.cli._voice import QuietOption, VerboseOption, Voice
from linkguard.config import Policy, policy_from_mapping
from linkguard.draft import render_starter, survey_site
from linkguard.errors import ConfigError
from linkguard.reporters import Format
from linkguard.results.baseline import diff as diff_results
from linkguard.results.baseline import diff_to_json, render_diff
from linkguard.results.verdict import EXIT_UNCHECKED, verdict_of
from linkguard.scan import ScanRequest, make_scope
from linkguard.scan.request import origin_assumed


@error_boundary
def report(
    results: Annotated[Path, typer.Argument(help="A results JSON written by `linkguard scan`.")],
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
    quiet: QuietOption = False,
) -> None:
    """Re-render a saved results JSON in any format."""
    write_outputs(read_results(results), formats or [Format.HTML], outputs or [], quiet=quiet)


@error_boundary
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier results JSON (e.g. main's).")],
    new: Annotated[Path, typer.Argument(help="The later results JSON (e.g. this branch's).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Compare two results: new and fixed findings, new and gone third parties."""
    changes = diff_results(read_results(old), read_results(new))
    typer.echo(diff_to_json(changes) if as_json else render_diff(changes, str(old), str(new)),
               nl=False)  # fmt: skip


@error_boundary
def init(
    target: Annotated[str, typer.Argument(help="A URL to crawl, or a folder of built HTML.")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", help="Where to write the starter policy."),
    ] = Path("linkguard.toml"),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the output file if it exists.")
    ] = False,
    origin: Annotated[
        str | None,
        typer.Option(metavar="URL", help="The site's origin; a folder is read as this origin."),
    ] = None,
    first_party: FirstPartyOption = None,
    max_pages: MaxPagesOption = None,
    include: IncludeOption = None,
    exclude: ExcludeOption = None,
    user_agent: UserAgentOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
    browser: BrowserOption = False,
    chromium: ChromiumOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Crawl TARGET and write a starter linkguard.toml declaring every third party seen
    (with --browser, also what the pages load at run time, and the cookies they set)."""
    if output.exists() and not force:
        raise ConfigError(
            f"{output} already exists; linkguard init does not overwrite it",
            tip="pass --force to replace it, or --output to write elsewhere",
        )
    voice = Voice.of(verbose, quiet)
    checked_target(target)
    policy = _site_policy(origin, first_party or [])
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
    found = chromium_for(target, browser, chromium, policy, templates=False, quiet=voice.quiet)
    request = ScanRequest(target, policy, make_scope(target, policy), crawl, chromium=found)
    with ProgressDisplay(voice) as display:
        result, survey = survey_site(request, display.update)
    unchecked = verdict_of(result).unchecked
    if unchecked:  # a policy drafted from no page would declare nothing, and look done
        say_nothing_checked(unchecked, target)
        raise typer.Exit(EXIT_UNCHECKED)
    draft = render_starter(result, survey, origin_todo=origin_assumed(target, policy))
    try:
        write_atomic(output, draft)
    except OSError as exc:
        raise cannot_write(output, "the policy", exc) from exc
    voice.info(f"wrote {output}: {len(result.third_parties)} third-party host(s) seen on "
               f"{result.summary.pages} page(s); review its TODOs")  # fmt: skip


def _site_policy(origin: str | None, first_party: list[str]) -> Policy:
    """The defaults, with --origin and --first-party checked like the policy file's."""
    site: dict[str, object] = {"first_party": first_party}
    if origin is not None:
        site["origin"] = origin
    return policy_from_mapping({"site": site}, source="command line")
