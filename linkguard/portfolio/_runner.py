"""A portfolio run: every site's work handed to an executor, and each site's results as
soon as its work is back.

The executor is the local process pool (``LocalPool``, the default) or Celery
(``_celery.CeleryExecutor``); both run the same job functions (``_work.py``). This module
only submits and collects: which process runs a job, how a lost one is redelivered and how
often a failing one is retried is the executor's business (for Celery: acks_late,
task_reject_on_worker_lost, autoretry_for with max_retries), never ours.

A static site is one job (``scan_site``). A browser-mode site is a walk (``walk_site``),
then its pages to visit in batches of ``batch_pages`` (``visit_batch``, one job each, so
twenty machines can visit one big site's pages), folded here into the result a single run
gives (``linkguard.scan.phases``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from linkguard.model import ScanResult
from linkguard.portfolio._spec import Site
from linkguard.portfolio._work import fold, scan_job, to_visit, uses_browser, visit_job, walk_job
from linkguard.results import from_json

DEFAULT_BATCH_PAGES = 50  # a browser visit costs about a second: a batch is under a minute

JOBS: dict[str, Callable[..., Any]] = {
    "scan_site": scan_job,
    "walk_site": walk_job,
    "visit_batch": visit_job,
}


class Handle(Protocol):
    """A submitted job: ``result()`` waits for its value, or raises why it failed."""

    def result(self) -> Any: ...


class Executor(Protocol):
    def submit(self, job: str, *args: Any) -> Handle: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SiteOutcome:
    """One site of the run: its results, or why it could not be scanned."""

    site: Site
    result: ScanResult | None
    error: str | None = None


class LocalPool:
    """``--jobs N`` processes on this machine (spawned: nothing of the parent's state is
    shared), no server: the default executor."""

    def __init__(self, jobs: int) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn")
        )

    def submit(self, job: str, *args: Any) -> Future[Any]:
        return self._pool.submit(JOBS[job], *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def run_portfolio(
    sites: Sequence[Site],
    executor: Executor,
    *,
    batch_pages: int = DEFAULT_BATCH_PAGES,
    on_site: Callable[[SiteOutcome], None] = lambda outcome: None,
) -> list[SiteOutcome]:
    """Scan every site through ``executor``; ``on_site`` hears of each site as it ends.
    The outcomes come back in the portfolio's order."""
    first: dict[str, tuple[bool, Handle]] = {}
    for site in sites:
        browser = uses_browser(site)
        job = "walk_site" if browser else "scan_site"
        first[site.name] = (browser, executor.submit(job, site.to_dict()))
    outcomes: dict[str, SiteOutcome] = {}
    visits: dict[str, tuple[dict[str, Any], list[Handle]]] = {}

    def done(outcome: SiteOutcome) -> None:
        outcomes[outcome.site.name] = outcome
        on_site(outcome)

    for site in sites:
        browser, handle = first[site.name]
        try:
            value = handle.result()
        except Exception as exc:  # the job failed, its retries spent: the site failed
            done(SiteOutcome(site, None, _reason(exc)))
            continue
        if not browser:
            done(SiteOutcome(site, from_json(value, source=f"site {site.name}")))
            continue
        pages = to_visit(value) if value["complete"] else []
        chunks = [pages[i : i + batch_pages] for i in range(0, len(pages), batch_pages)]
        handles = [executor.submit("visit_batch", site.to_dict(), chunk) for chunk in chunks]
        visits[site.name] = (value, handles)
    for site in sites:
        if site.name not in visits:
            continue
        walked, handles = visits[site.name]
        try:
            batches = [h.result() for h in handles]
        except Exception as exc:
            done(SiteOutcome(site, None, _reason(exc)))
            continue
        done(SiteOutcome(site, fold(site, walked, batches)))
    return [outcomes[site.name] for site in sites]


def _reason(exc: BaseException) -> str:
    """Why a job failed, in one line (a worker's exception arrives rebuilt from its name
    and message)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else 'no message'}"
