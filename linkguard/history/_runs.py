"""Reading the store back: the runs it holds (``linkguard history``), one run's results
(``linkguard history show RUN``), and a run recorded (``scan --history``)."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

from linkguard.errors import ConfigError
from linkguard.history._record import record_run
from linkguard.history._store import connected, writing
from linkguard.model import ScanResult
from linkguard.results import from_json


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredRun:
    """One line of ``linkguard history``."""

    run: int
    target: str
    started: str
    complete: bool
    partial: bool
    pages: int
    findings: dict[str, int]  # active findings by severity
    new_findings: int | None  # None: not known (recorded before version 2 of the store)
    fixed_findings: int | None
    new_third_parties: int | None
    has_results: bool  # its results JSON is stored: ``history show`` can render it


def record(path: Path, result: ScanResult) -> ScanResult:
    """Record ``result`` in the store at ``path`` (created if need be) and return it with
    its ``history`` section: what is new and fixed since the target's previous run, and
    since when each finding has been open."""
    with connected(path) as conn, writing(conn):
        return record_run(conn, result)


def list_runs(path: Path, target: str | None = None) -> tuple[StoredRun, ...]:
    """The runs in the store, oldest first (only ``target``'s when given)."""
    query = """SELECT id, target, started, complete, partial, summary, trend, new_findings,
                      fixed_findings, new_third_parties, results IS NOT NULL FROM runs"""
    args: tuple[str, ...] = ()
    if target is not None:
        query, args = query + " WHERE target = ?", (target,)
    with connected(path, create=False) as conn:
        rows = conn.execute(query + " ORDER BY id", args).fetchall()
    runs = []
    for run, key, started, complete, partial, summary, trend, new, fixed, parties, has in rows:
        counts = json.loads(trend or "{}").get("findings", {})
        runs.append(
            StoredRun(
                run=run,
                target=key,
                started=started,
                complete=bool(complete),
                partial=bool(partial),
                pages=int(json.loads(summary).get("pages", 0)),
                findings={str(k): int(v) for k, v in counts.items()},
                new_findings=new,
                fixed_findings=fixed,
                new_third_parties=parties,
                has_results=bool(has),
            )
        )
    return tuple(runs)


def load_run(path: Path, run: int) -> ScanResult:
    """Run ``run``'s results as recorded (its history section included); a ConfigError
    (exit code 2) when the store has no such run or did not keep its results."""
    with connected(path, create=False) as conn:
        row = conn.execute("SELECT results FROM runs WHERE id = ?", (run,)).fetchone()
    if row is None:
        raise ConfigError(
            f"{path}: no run {run} in the history store",
            tip=f"`linkguard history {path}` lists the runs it holds",
        )
    if row[0] is None:
        raise ConfigError(
            f"{path}: run {run} was recorded before the store kept whole results",
            tip="only runs recorded by this version of linkguard can be shown again",
        )
    try:
        text = zlib.decompress(row[0]).decode("utf-8")
    except (zlib.error, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: run {run}'s stored results are damaged ({exc})") from exc
    return from_json(text, source=f"{path}, run {run}")
