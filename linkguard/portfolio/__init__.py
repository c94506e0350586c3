"""A portfolio of sites scanned in one run, on a local process pool or on Celery workers,
with one report across all of them.

    _spec.py      portfolio.toml: the sites, checked (file, key and fix in every error)
    _work.py      the jobs, plain functions of JSON values: a site, a walk, a batch of visits
    _runner.py    submitting the jobs and collecting each site's results; the local pool
    _celery.py    the same jobs as Celery tasks, and ``linkguard worker`` (the extra)
    _summary.py   the portfolio report's content: sites, vendor-by-site matrix, shared findings
    _render.py    Markdown and HTML, and a saved portfolio read back

``_celery`` is imported only with ``--broker`` or by ``linkguard worker``: the local pool
needs neither Celery nor Redis.
"""

from __future__ import annotations

from linkguard.portfolio._render import html, markdown, saved
from linkguard.portfolio._runner import (
    DEFAULT_BATCH_PAGES,
    Executor,
    LocalPool,
    SiteOutcome,
    run_portfolio,
)
from linkguard.portfolio._spec import Site, load_portfolio
from linkguard.portfolio._summary import Portfolio, build, to_dict

__all__ = [
    "DEFAULT_BATCH_PAGES",
    "Executor",
    "LocalPool",
    "Portfolio",
    "Site",
    "SiteOutcome",
    "build",
    "celery_executor",
    "celery_worker",
    "html",
    "load_portfolio",
    "markdown",
    "run_portfolio",
    "saved",
    "to_dict",
]


def celery_executor(broker: str) -> Executor:
    """The Celery executor for ``broker`` (a ConfigError naming the install command when the
    ``portfolio`` extra is missing)."""
    from linkguard.portfolio._celery import CeleryExecutor

    return CeleryExecutor(broker)


def celery_worker(
    broker: str,
    *,
    concurrency: int,
    name: str | None,
    visibility_timeout: float,
    max_tasks_per_child: int,
) -> None:
    """Run a Celery worker for the portfolio's tasks until it is stopped."""
    from linkguard.portfolio._celery import run_worker

    run_worker(
        broker,
        concurrency=concurrency,
        name=name,
        visibility_timeout=visibility_timeout,
        max_tasks_per_child=max_tasks_per_child,
    )
