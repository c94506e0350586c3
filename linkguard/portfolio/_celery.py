"""A portfolio run on many machines: the jobs of ``_work.py`` as Celery tasks, with Redis as
broker and result backend.

Celery does all the distributing, as it is meant to be used, and linkguard adds no queue,
scheduler or retry of its own:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a task is acknowledged when it has
  finished, and one whose worker process died (SIGKILL, out of memory) is put back on the
  queue and runs again elsewhere. If a whole worker machine vanishes, Redis hands its
  unacknowledged tasks out again after ``visibility_timeout`` (``--visibility-timeout``;
  it must exceed the longest task, or a slow task would also run twice: harmless here,
  as a site's results do not depend on who computed them, but wasted work).
- ``worker_prefetch_multiplier = 1``: a worker holds one task per process, so a long site
  does not keep others waiting behind it on a busy worker.
- ``worker_max_tasks_per_child``: processes that drove Chromium are replaced after a few
  tasks, so what a browser leaks does not accumulate over a weekly run.
- ``autoretry_for`` with ``max_retries``: a task that raised (a site down for a minute, a
  browser that crashed) is retried a bounded number of times, with backoff; a policy error
  (``ConfigError``) is not retried: it fails the same way every time.
- JSON messages only: no pickle, so whoever can write to the broker cannot run code on the
  workers.

Celery and redis are the ``portfolio`` extra: importing this module without them raises
``ConfigError`` with the one install command.
"""

from __future__ import annotations

from typing import Any

from linkguard.errors import ConfigError
from linkguard.portfolio._runner import JOBS

try:
    from celery import Celery
    from celery.result import AsyncResult
    from kombu.exceptions import OperationalError
except ImportError as exc:  # the extra is not installed
    raise ConfigError(
        "--broker needs Celery and the redis client, which are not installed",
        tip="pip install '.[portfolio]' (from the linkguard checkout)",
    ) from exc

MAX_RETRIES = 2
VISIBILITY_TIMEOUT = 3600  # seconds: longer than any one task (a batch, a static site)
MAX_TASKS_PER_CHILD = 10


def make_app(
    broker: str,
    *,
    visibility_timeout: float = VISIBILITY_TIMEOUT,
    max_tasks_per_child: int = MAX_TASKS_PER_CHILD,
) -> Celery:
    """The Celery app both sides use: ``portfolio run --broker`` sends to it, ``linkguard
    worker`` consumes from it; the same ``broker`` URL is the result backend."""
    app = Celery("linkguard", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=max_tasks_per_child,
        broker_transport_options={"visibility_timeout": visibility_timeout},
        result_backend_transport_options={"visibility_timeout": visibility_timeout},
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        task_track_started=True,
    )
    for job, body in JOBS.items():
        app.task(
            name=f"linkguard.{job}",
            autoretry_for=(Exception,),
            dont_autoretry_for=(ConfigError,),
            max_retries=MAX_RETRIES,
            retry_backoff=2,
            retry_jitter=False,
        )(body)
    return app


class _Pending:
    """A task sent: ``result()`` waits for it through the result backend."""

    def __init__(self, sent: AsyncResult) -> None:
        self._sent = sent

    def result(self) -> Any:
        try:
            return self._sent.get(propagate=True)
        finally:
            self._sent.forget()  # the value is ours now: free the backend's copy


class CeleryExecutor:
    """The portfolio's jobs sent to Celery workers (``linkguard worker``)."""

    def __init__(self, broker: str) -> None:
        self.app = make_app(checked_broker(broker))
        try:  # a Redis that does not answer is said now, not as a traceback mid-run
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=2, interval_start=0.5)
        except (OperationalError, OSError) as exc:
            raise ConfigError(
                f"--broker {broker}: cannot reach Redis ({exc})",
                tip="start Redis there, or pass the URL of one that is running",
            ) from exc

    def submit(self, job: str, *args: Any) -> _Pending:
        return _Pending(self.app.tasks[f"linkguard.{job}"].apply_async(args=args))

    def close(self) -> None:
        self.app.close()


def checked_broker(broker: str) -> str:
    """``broker`` when it is a Redis URL; a ConfigError (exit 2) when it is not."""
    if not broker.startswith(("redis://", "rediss://")):
        raise ConfigError(
            f"--broker {broker}: not a Redis URL",
            tip="pass redis://HOST:6379/0 (Redis is the broker and the result backend)",
        )
    return broker


def run_worker(
    broker: str,
    *,
    concurrency: int,
    name: str | None,
    visibility_timeout: float,
    max_tasks_per_child: int,
) -> None:
    """A Celery worker for the portfolio's tasks (``linkguard worker``): prefork processes,
    each running one task at a time."""
    app = make_app(
        checked_broker(broker),
        visibility_timeout=visibility_timeout,
        max_tasks_per_child=max_tasks_per_child,
    )
    argv = ["worker", "--loglevel=INFO", "--pool=prefork", f"--concurrency={concurrency}"]
    if name:
        argv.append(f"--hostname={name}")
    app.worker_main(argv)
