"""The weekly crawl's memory: every run recorded in one SQLite file (``--history``).

Each run is compared with the previous run of the same target when it is recorded: the
findings and third parties that are new, the findings fixed, and since when each finding
has been open (the results' ``history`` section, ``linkguard.model_history``). The store
also keeps ``--check-external``'s answers for a while (``ExternalCache``).

    _store.py       opening the file: WAL, one writer, busy timeout, schema migrated
    _migrations.py  the schema, as the steps from version 0 to the current one
    _record.py      comparing a run with the previous one, and storing it
    _runs.py        record, list and load runs
    _cache.py       --check-external's answers, with a time to live
"""

from __future__ import annotations

from linkguard.history._cache import DEFAULT_TTL_DAYS, ExternalCache
from linkguard.history._migrations import SCHEMA_VERSION
from linkguard.history._record import target_key, trend_counts
from linkguard.history._runs import StoredRun, list_runs, load_run, record
from linkguard.history._store import connected

__all__ = [
    "DEFAULT_TTL_DAYS",
    "SCHEMA_VERSION",
    "ExternalCache",
    "StoredRun",
    "connected",
    "list_runs",
    "load_run",
    "record",
    "target_key",
    "trend_counts",
]
