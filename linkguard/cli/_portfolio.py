"""``linkguard portfolio run|report`` and ``linkguard worker``: many sites in one run, on a
local process pool or Celery workers, and one report across them (``linkguard.portfolio``).

    OUTPUT/portfolio.html, portfolio.md, portfolio.json     the portfolio report
    OUTPUT/sites/NAME/results.json, report.html             each site's, as `scan` writes them
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from linkguard.cli._common import error_boundary, say
from linkguard.cli._files import cannot_write, write_atomic
from linkguard.cli._help import HelpGroup
from linkguard.cli._voice import QuietOption
from linkguard.portfolio import (
    DEFAULT_BATCH_PAGES,
    Executor,
    LocalPool,
    Portfolio,
    SiteOutcome,
    build,
    celery_executor,
    celery_worker,
    html,
    load_portfolio,
    markdown,
    run_portfolio,
    saved,
    to_dict,
)
from linkguard.reporters import Format, render
from linkguard.results import iter_json
from linkguard.scan.pool import default_workers
from linkguard.scan.run import now

portfolio_app = typer.Typer(
    cls=HelpGroup,  # its commands' help tidied as the app's are
    help="Scan a portfolio of sites (portfolio.toml) and report across them.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

BrokerOption = Annotated[
    str | None,
    typer.Option(
        "--broker",
        metavar="URL",
        help="Send the work to Celery workers through this Redis (redis://HOST:6379/0) "
        "instead of the local process pool; start `linkguard worker --broker URL` on each "
        "machine. Needs pip install '.[portfolio]'.",
    ),
]


@portfolio_app.command("run")
@error_boundary
def run(
    portfolio: Annotated[Path, typer.Argument(help="The portfolio file (portfolio.toml).")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Folder for every site's reports and the portfolio's."),
    ],
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Processes of the local pool (default: one per core)."
        ),
    ] = None,
    broker: BrokerOption = None,
    batch_pages: Annotated[
        int,
        typer.Option(
            min=1,
            help="Browser mode: pages visited per task (a large site's visits are split into "
            "tasks of this many pages).",
        ),
    ] = DEFAULT_BATCH_PAGES,
    quiet: QuietOption = False,
) -> None:
    """Scan every site of PORTFOLIO and write each site's reports and the portfolio report."""
    sites = load_portfolio(portfolio)
    executor: Executor = celery_executor(broker) if broker else LocalPool(jobs or default_workers())
    started = now()

    def written(outcome: SiteOutcome) -> None:
        _write_site(output, outcome)
        if not quiet:
            what = outcome.error or f"{outcome.result.summary.pages if outcome.result else 0} pages"
            say(f"site {outcome.site.name}: {what}")

    try:
        outcomes = run_portfolio(sites, executor, batch_pages=batch_pages, on_site=written)
    finally:
        executor.close()
    result = build([(o.site, o.result, o.error) for o in outcomes], started, now())
    _write_portfolio(output, result, quiet)
    raise typer.Exit(result.exit_code)


@portfolio_app.command("report")
@error_boundary
def report(
    folder: Annotated[Path, typer.Argument(help="The --output folder of a portfolio run.")],
    quiet: QuietOption = False,
) -> None:
    """Write the portfolio report again from the results a portfolio run saved in FOLDER."""
    result = saved(folder)
    _write_portfolio(folder, result, quiet)
    raise typer.Exit(result.exit_code)


@error_boundary
def worker(
    broker: Annotated[
        str, typer.Option("--broker", metavar="URL", help="The Redis the portfolio run sends to.")
    ],
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", min=1, help="Tasks at once (default: one per core)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="This worker's node name (default: celery@HOST).")
    ] = None,
    visibility_timeout: Annotated[
        float,
        typer.Option(
            min=1,
            help="Seconds after which Redis hands a task out again when the worker that took "
            "it vanished without a word (a lost machine); must exceed the longest task.",
        ),
    ] = 3600,
    max_tasks_per_child: Annotated[
        int, typer.Option(min=1, help="Tasks a worker process runs before it is replaced.")
    ] = 10,
) -> None:
    """Run a Celery worker for `linkguard portfolio run --broker` (needs '.[portfolio]')."""
    celery_worker(
        broker,
        concurrency=concurrency or default_workers(),
        name=name,
        visibility_timeout=visibility_timeout,
        max_tasks_per_child=max_tasks_per_child,
    )


def _write_site(output: Path, outcome: SiteOutcome) -> None:
    """A site's results and HTML report, as soon as it is done; a site that could not be
    scanned leaves no files of an earlier run behind to be mistaken for this one's."""
    folder = output / "sites" / outcome.site.name
    if outcome.result is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for name, text in (
        ("results.json", iter_json(outcome.result)),
        ("report.html", render(outcome.result, Format.HTML)),
    ):
        try:
            write_atomic(folder / name, text)
        except OSError as exc:
            raise cannot_write(folder / name, f"site {outcome.site.name}'s {name}", exc) from exc


def _write_portfolio(output: Path, result: Portfolio, quiet: bool) -> None:
    import json

    for name, text in (
        ("portfolio.json", json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"),
        ("portfolio.md", markdown(result)),
        ("portfolio.html", html(result)),
    ):
        try:
            write_atomic(output / name, text)
        except OSError as exc:
            raise cannot_write(output / name, f"the portfolio's {name}", exc) from exc
        if not quiet:
            say(f"wrote {output / name}")
    if not quiet:
        say(f"portfolio: {result.status} ({len(result.sites)} sites)")
