"""``--history`` and ``linkguard history``: the weekly crawl's memory on the command line.

``scan --history PATH`` (or ``[history] enabled = true`` in the policy) records each run in
a SQLite store and writes the run's ``history`` section into every report; ``linkguard
history [PATH]`` lists the runs a store holds, and ``linkguard history show RUN`` renders
one again, in any format, from the results it stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkguard.cli._common import error_boundary, policy_for, say
from linkguard.cli._help import HelpGroup
from linkguard.cli._options import ConfigOption, FormatsOption, OutputsOption
from linkguard.cli._outputs import write_outputs
from linkguard.display import shown
from linkguard.errors import ConfigError
from linkguard.model import ScanResult
from linkguard.policy import Policy
from linkguard.reporters import Format

if TYPE_CHECKING:
    from linkguard.sources.external import LinkCache

DEFAULT_STORE = ".linkguard/history.sqlite"

HistoryOption = Annotated[
    Path | None,
    typer.Option(
        "--history",
        metavar="PATH",
        help="Record the run in this history store (SQLite) and report what is new and "
        "fixed since the target's previous run. Default: the policy file's history table, "
        "when it says enabled = true.",
    ),
]


def store_for(option: Path | None, policy: Policy) -> Path | None:
    """The store a scan records in: ``--history``, else the policy's ``[history]`` when it
    is enabled (its ``path`` relative to the policy file's folder); None: none."""
    if option is not None:
        return option
    if not policy.history.enabled:
        return None
    base = Path(policy.path).parent if policy.path else Path.cwd()
    return base / policy.history.path


def scan_store(option: Path | None, policy: Policy) -> Path | None:
    """``store_for``, opened once before the scan: a store that cannot be used (a folder,
    not SQLite, a newer schema) stops the run before the crawl, not after it."""
    store = store_for(option, policy)
    if store is not None:
        from linkguard.history import connected

        with connected(store):
            pass
    return store


def link_cache_for(store: Path | None, policy: Policy) -> LinkCache | None:
    """The store's cache of ``--check-external`` answers (None without a store)."""
    if store is None:
        return None
    from linkguard.history import ExternalCache

    return ExternalCache(store, policy.history.external_ttl_days)


def recorded(store: Path, result: ScanResult, quiet: bool) -> ScanResult:
    """``result`` recorded in ``store``, with its history section. A store that fails now
    (it was checked before the crawl: locked past the busy timeout, a full disk) costs the
    history, never the run's reports: the error is said and the result kept as it is."""
    from linkguard.history import record

    try:
        result = record(store, result)
    except ConfigError as error:
        say(f"linkguard: error: {error}\n  the reports are written without history")
        return result
    if not quiet and result.history is not None:
        say(f"recorded run {result.history.run} in {store}")
    return result


class _ListByDefault(HelpGroup):
    """``linkguard history [PATH]`` lists; ``linkguard history show RUN`` shows: a first
    word that is not a subcommand (a path, an option) is ``list``'s. Its commands' help
    is tidied as the app's are (``RUN``, not ``{run}`` and ``<int>``)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if not args or args[0] not in (*self.commands, "-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


history = typer.Typer(
    cls=_ListByDefault,
    help="List the runs a history store holds, or render one again.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _store(path: Path | None, config: Path | None) -> Path:
    """The store a ``history`` command reads: the one named, else the policy's, else the
    default beside the current directory."""
    return path or store_for(None, policy_for(config, None)) or Path(DEFAULT_STORE)


@history.command("list")
@error_boundary
def list_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help=f"The history store (default: the policy's history path, else {DEFAULT_STORE})."
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """List the runs in the store, oldest first: id, time, target, pages, findings, changes."""
    from linkguard.history import list_runs

    store = _store(path, config)
    runs = list_runs(store)
    if not runs:
        say(f"{store}: no run recorded yet")
        return
    typer.echo("run  started               pages  error  warning  info  new  fixed  3p-new  target")
    for run in runs:
        state = "" if run.complete else "  (incomplete)"
        state += "  (changed files only)" if run.partial else ""
        f = run.findings

        def n(value: int | None) -> str:
            return "-" if value is None else str(value)

        typer.echo(
            f"{run.run:<4} {run.started:<21} {run.pages:>5}  {f.get('error', 0):>5}  "
            f"{f.get('warning', 0):>7}  {f.get('info', 0):>4}  {n(run.new_findings):>3}  "
            f"{n(run.fixed_findings):>5}  {n(run.new_third_parties):>6}  "
            f"{shown(run.target)}{state}"
        )


@history.command("show")
@error_boundary
def show(
    run: Annotated[int, typer.Argument(help="The run's id, as `linkguard history` lists it.")],
    store: Annotated[
        Path | None,
        typer.Option(
            "--history",
            metavar="PATH",
            help=f"The history store (default: the policy's history path, else {DEFAULT_STORE}).",
        ),
    ] = None,
    config: ConfigOption = None,
    formats: FormatsOption = None,
    outputs: OutputsOption = None,
) -> None:
    """Render a recorded run again, in any format (HTML by default), as `report` does."""
    from linkguard.history import load_run

    write_outputs(load_run(_store(store, config), run), formats or [Format.HTML], outputs or [])
