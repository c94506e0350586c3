"""The ``linkguard`` Typer app: the commands of the command-group modules, assembled.

Each command parses its options, calls the core, picks reporters and ends with an exit
code (the repository's ARCHITECTURE.md, «Exit codes»): 0 clean, 1 a finding fails the run
(``linkguard.results.verdict``), 2 a usage or configuration error, 3 the run is incomplete
(interrupted, or too many pages failed), 4 nothing was checked. Errors the user can act on
pass through ``_common.error_boundary``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from linkguard._gc import settle
from linkguard._version import __version__
from linkguard.cli._common import explain
from linkguard.cli._demo import demo
from linkguard.cli._gate import diff, init, report
from linkguard.cli._help import HelpGroup
from linkguard.cli._history import history
from linkguard.cli._inspect import classify, links, list_rules
from linkguard.cli._portfolio import portfolio_app, worker
from linkguard.cli._scan import scan
from linkguard.errors import LinkguardError

app = typer.Typer(
    name="linkguard",
    help="Map the boundary between a website and the third parties it sends people and data to.",
    no_args_is_help=True,
    # --install-completion and --show-completion, and _LINKGUARD_COMPLETE=complete_bash ...
    add_completion=True,
    cls=HelpGroup,  # help without type placeholders, and text shown as written
    pretty_exceptions_enable=False,
    # -h as well as --help, on every command, as command-line users expect.
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Registration order is the order --help lists the commands in.
app.command()(scan)
app.command()(classify)
app.command()(links)
app.command()(report)
app.command()(demo)
app.command("rules")(list_rules)
app.command()(diff)
app.command()(init)
app.add_typer(history, name="history")
app.add_typer(portfolio_app, name="portfolio")
app.command()(worker)


def _version(value: bool) -> None:
    """Print the version and stop, when --version was given."""
    if value:
        typer.echo(f"linkguard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Map the boundary between a website and the third parties it sends people and data to."""


def main() -> None:
    """Run the CLI as the ``linkguard`` script and ``python -m linkguard`` do."""
    settle()  # the commands are loaded: the collector need not look at them again
    try:
        app()
    except LinkguardError as error:  # raised outside every command's own error boundary
        raise SystemExit(explain(error)) from None
