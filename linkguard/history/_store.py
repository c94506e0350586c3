"""The history store: one SQLite file, opened the one way every command opens it.

SQLite through the standard library. The file is in WAL mode (readers never wait for the
writer, and a write that is cut short, a killed process or a full disk, leaves the last
committed state), every write transaction is ``BEGIN IMMEDIATE`` (it takes the one writer's
lock before it reads what it will base its writes on, so two runs recording at once are
serialised, never interleaved), and a connection waits up to ``BUSY_SECONDS`` for that
lock instead of failing.

The schema is versioned by ``PRAGMA user_version`` and brought up to ``SCHEMA_VERSION`` by
the steps of ``_migrations.MIGRATIONS`` when a connection opens the file, in one
transaction: a file an older linkguard wrote is migrated in place, all steps or none.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from linkguard.errors import ConfigError
from linkguard.history._migrations import MIGRATIONS, SCHEMA_VERSION

BUSY_SECONDS = 60.0  # the longest a run waits for another run's write (a big run's record)
_TIP = "point --history (or [history] path) at a new file, or move this one away"


@contextmanager
def connected(path: Path, *, create: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection to the store at ``path``, its schema current; closed on leaving.

    A ConfigError (exit code 2) names the file and the fix when it cannot be a store: a
    folder, not SQLite, or written by a newer linkguard. With ``create=False`` a missing
    file is an error too (commands that only read must not leave an empty store behind).
    """
    if path.is_dir():
        raise ConfigError(f"{path}: the history store is a folder, not a file", tip=_TIP)
    if not create and not path.exists():
        raise ConfigError(
            f"{path}: no history store here",
            tip="record runs with `linkguard scan --history PATH` (or [history] enabled = true)",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"{path}: cannot open the history store ({exc})", tip=_TIP) from exc
    try:
        _configure(conn, path)
        migrate(conn, path)
        yield conn
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise ConfigError(f"{path}: not a usable history store ({exc})", tip=_TIP) from exc
        raise ConfigError(
            f"{path}: the history store stayed busy for {BUSY_SECONDS:g} s (another run "
            "writing to it, or a program holding it open)",
            tip="run again once the other run has finished",
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: not a usable history store ({exc})", tip=_TIP) from exc
    finally:
        conn.close()


def _configure(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":  # a file system without shared memory (some network mounts)
        raise ConfigError(f"{path}: SQLite cannot use WAL mode here (journal mode {mode})",
                          tip="keep the history store on a local disk")  # fmt: skip
    conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash loses no committed run
    conn.execute("PRAGMA foreign_keys = ON")


def version_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to ``SCHEMA_VERSION``: each step after the file's version, in one
    write transaction (two runs opening an old file at once migrate it once)."""
    if version_of(conn) == SCHEMA_VERSION:
        return
    with writing(conn):
        version = version_of(conn)  # again, under the lock: another run may have done it
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"{path}: the history store has schema version {version}; this linkguard "
                f"reads up to {SCHEMA_VERSION}",
                tip="run a newer linkguard, or point --history at another file",
            )
        for step in MIGRATIONS[version:]:
            step(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def writing(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, the writer's lock taken first: committed whole, or rolled back
    whole on any exception (Ctrl-C included)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
