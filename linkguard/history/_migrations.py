"""The history store's schema, as the steps that build it: step ``n`` takes a file from
version ``n`` to ``n + 1`` (``PRAGMA user_version``). A new file runs them all, so the path
an old file takes is the path every file takes.

1. ``runs`` (target, time, summary) and ``findings`` (fingerprint, rule, severity per run).
2. What a run needs to know what is new: scope, completeness, the findings' page, target,
   suppression and first-seen time (filled in for the runs already there), ``third_parties``
   (the inventory), the counts the trend charts draw, and the whole results JSON (zlib).
3. ``external_links``: ``--check-external``'s answers, reused until they expire.

Statements run one by one (``executescript`` would commit the migration's transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

Step = Callable[[sqlite3.Connection], None]

_V1 = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        target TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT NOT NULL,
        summary TEXT NOT NULL
    )""",
    "CREATE INDEX runs_by_target ON runs (target, id)",
    """CREATE TABLE findings (
        run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        PRIMARY KEY (run, fingerprint)
    ) WITHOUT ROWID""",
)

_V2 = (
    "ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN first_party TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE runs ADD COLUMN complete INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE runs ADD COLUMN partial INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE runs ADD COLUMN trend TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE runs ADD COLUMN new_findings INTEGER",
    "ALTER TABLE runs ADD COLUMN fixed_findings INTEGER",
    "ALTER TABLE runs ADD COLUMN new_third_parties INTEGER",
    "ALTER TABLE runs ADD COLUMN results BLOB",
    "ALTER TABLE findings ADD COLUMN page TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE findings ADD COLUMN target TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE findings ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE findings ADD COLUMN first_seen TEXT NOT NULL DEFAULT ''",
    """CREATE TABLE third_parties (
        run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        site TEXT NOT NULL,
        name TEXT,
        declared INTEGER NOT NULL,
        kinds TEXT NOT NULL,
        PRIMARY KEY (run, host)
    ) WITHOUT ROWID""",
)

_V3 = (
    """CREATE TABLE external_links (
        url TEXT PRIMARY KEY,
        problem TEXT,
        checked REAL NOT NULL
    ) WITHOUT ROWID""",
)


def _statements(sql: tuple[str, ...]) -> Step:
    def step(conn: sqlite3.Connection) -> None:
        for statement in sql:
            conn.execute(statement)

    return step


def _to_v2(conn: sqlite3.Connection) -> None:
    """Version 2's columns, then what version 1's runs already say filled in: the trend
    counts from each run's summary, and each finding's first-seen time (the first run of
    the unbroken series of the target's runs that has it)."""
    _statements(_V2)(conn)
    rows = conn.execute("SELECT id, target, started, summary FROM runs ORDER BY target, id")
    last: dict[str, tuple[int, str]] = {}  # target -> its previous run (id, started)
    for run, target, started, summary in rows.fetchall():
        conn.execute("UPDATE runs SET trend = ? WHERE id = ?", (_trend_of(summary), run))
        previous = last.get(target)
        conn.execute(
            """UPDATE findings SET first_seen = coalesce(
                   (SELECT p.first_seen FROM findings AS p
                    WHERE p.run = ? AND p.fingerprint = findings.fingerprint), ?)
               WHERE run = ?""",
            (previous[0] if previous else -1, started, run),
        )
        last[target] = (run, started)


def _trend_of(summary: str) -> str:
    """A version 1 run's trend counts, from its summary (third parties by status were not
    kept then)."""
    try:
        data = json.loads(summary)
    except ValueError:
        return "{}"
    if not isinstance(data, dict):
        return "{}"
    outbound, exempt = data.get("outbound_links", 0), data.get("outbound_exempt", 0)
    counts = {
        "needing_notice": max(0, int(outbound) - int(exempt)),
        "noticed": int(data.get("outbound_with_notice", 0)),
        "findings": {str(k): int(v) for k, v in dict(data.get("findings", {})).items()},
    }
    return json.dumps(counts, sort_keys=True)


MIGRATIONS: tuple[Step, ...] = (_statements(_V1), _to_v2, _statements(_V3))
SCHEMA_VERSION = len(MIGRATIONS)
