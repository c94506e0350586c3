"""The CI gate's extra commands, ``linkguard diff`` and ``linkguard init``.

Plain functions with Typer-annotated parameters; ``cli.py`` registers them
(``app.command("diff")(gate_commands.diff)``). Like every command they print one line and a
tip for the user's own mistakes, with exit code 2, and never a traceback.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from linkguard.cli._files import write_atomic
from linkguard.cli._options import FirstPartyOption, MaxPagesOption
from linkguard.config import CrawlConfig, Policy, policy_from_mapping
from linkguard.draft import render_starter, survey_site
from linkguard.errors import ConfigError, LinkguardError
from linkguard.model import ScanResult
from linkguard.results import from_json
from linkguard.results.baseline import diff as diff_results
from linkguard.results.baseline import diff_to_json, render_diff
from linkguard.scan import ScanRequest, is_url, make_scope


def _fail(error: LinkguardError) -> typer.Exit:
    typer.echo(f"linkguard: error: {error}", err=True)
    return typer.Exit(error.exit_code)


def _read_results(path: Path) -> ScanResult:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        tip = "pass a file written by `linkguard scan --format json`"
        raise ConfigError(f"{path}: cannot read results file ({exc.strerror})", tip=tip) from exc
    return from_json(text, source=str(path))


def diff(
    old: Annotated[Path, typer.Argument(help="The earlier results JSON (e.g. main's).")],
    new: Annotated[Path, typer.Argument(help="The later results JSON (e.g. this branch's).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Compare two results: new and fixed findings, new and gone third parties."""
    try:
        changes = diff_results(_read_results(old), _read_results(new))
    except LinkguardError as error:
        raise _fail(error) from None
    typer.echo(diff_to_json(changes) if as_json else render_diff(changes, str(old), str(new)),
               nl=False)  # fmt: skip


def init(
    target: Annotated[str, typer.Argument(help="A URL to crawl, or a folder of built HTML.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the starter policy.")
    ] = Path("linkguard.toml"),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the output file if it exists.")
    ] = False,
    origin: Annotated[
        str | None, typer.Option(help="The site's origin; a folder is read as this origin.")
    ] = None,
    first_party: FirstPartyOption = None,
    max_pages: MaxPagesOption = None,
) -> None:
    """Crawl TARGET and write a starter linkguard.toml declaring every third party seen."""
    try:
        if output.exists() and not force:
            raise ConfigError(
                f"{output} already exists; linkguard init does not overwrite it",
                tip="pass --force to replace it, or --output to write elsewhere",
            )
        if not is_url(target) and not Path(target).is_dir():
            raise ConfigError(
                f"{target}: neither an http(s) URL nor a folder",
                tip="pass https://www.example.com/ or a folder of built HTML",
            )
        policy = _site_policy(origin, first_party or [])
        crawl = policy.crawl if max_pages is None else _max_pages(policy, max_pages)
        request = ScanRequest(target, policy, make_scope(target, policy), crawl)
        result, survey = survey_site(request)
        write_atomic(output, render_starter(result, survey))
    except LinkguardError as error:
        raise _fail(error) from None
    typer.echo(f"wrote {output}: {len(result.third_parties)} third-party host(s) seen on "
               f"{result.summary.pages} page(s); review its TODOs", err=True)  # fmt: skip


def _site_policy(origin: str | None, first_party: list[str]) -> Policy:
    """The defaults, with --origin and --first-party checked like the policy file's."""
    site: dict[str, object] = {"first_party": first_party}
    if origin is not None:
        site["origin"] = origin
    return policy_from_mapping({"site": site}, source="command line")


def _max_pages(policy: Policy, max_pages: int) -> CrawlConfig:
    if max_pages < 1:
        raise ConfigError(f"--max-pages must be at least 1, not {max_pages}")
    return replace(policy.crawl, max_pages=max_pages)


def register(app: typer.Typer) -> None:
    """Add ``diff`` and ``init`` to the CLI."""
    app.command("diff")(diff)
    app.command("init")(init)
