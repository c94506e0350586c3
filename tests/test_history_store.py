"""The history store as a file: WAL mode, migrated from an older schema, two processes
writing at once without corrupting it or interleaving their runs, a writer killed
mid-record leaving the last committed state, and files it cannot use refused clearly."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from history_helpers import copy_site, runner, scan

from linkguard.cli import app
from linkguard.errors import ConfigError
from linkguard.history import SCHEMA_VERSION, connected, list_runs, load_run, record
from linkguard.results import from_json

# Version 1 of the schema, as a linkguard of that version left it: runs and findings only.
V1 = """
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL,
    started TEXT NOT NULL, finished TEXT NOT NULL, summary TEXT NOT NULL);
CREATE INDEX runs_by_target ON runs (target, id);
CREATE TABLE findings (run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
    PRIMARY KEY (run, fingerprint)) WITHOUT ROWID;
PRAGMA user_version = 1;
"""

WRITER = """
import sys
from dataclasses import replace
from pathlib import Path
from linkguard.history import record
from linkguard.results import from_json
store, results, times = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
result = from_json(results.read_text(encoding="utf-8"))
if len(sys.argv) > 4:  # a big run: recording it takes a while, most of it in the transaction
    first = result.findings[0]
    result = replace(result, findings=tuple(
        replace(first, fingerprint=f"{i:016x}", line=i) for i in range(int(sys.argv[4]))))
n = 0
while times == 0 or n < times:
    recorded = record(store, result)
    n += 1
    print(recorded.history.run, flush=True)
"""


@pytest.fixture
def results_file(tmp_path: Path) -> Path:
    """A real scan's results (without history) of the leaky-shop sample site."""
    out = tmp_path / "results.json"
    site = copy_site(tmp_path)
    done = runner.invoke(app, ["scan", str(site), "-f", "json", "-o", str(out)])
    assert done.exit_code == 1, done.output
    return out


def test_a_new_store_is_in_wal_mode_at_the_current_version(tmp_path: Path) -> None:
    store = tmp_path / "deep" / "h.sqlite"
    with connected(store):
        pass
    conn = sqlite3.connect(store)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_version_1_store_is_migrated_and_its_runs_still_count(
    tmp_path: Path, results_file: Path
) -> None:
    result = from_json(results_file.read_text("utf-8"))
    site = result.run.target
    store = tmp_path / "old.sqlite"
    conn = sqlite3.connect(store)
    conn.executescript(V1)
    kept = result.findings[0]
    gone = ("0123456789abcdef", "exit-notice-missing", "error")
    summary = {"pages": 5, "outbound_links": 12, "outbound_exempt": 2, "outbound_with_notice": 4,
               "findings": {"error": 2, "warning": 0, "info": 0}}  # fmt: skip
    for started in ("2026-11-03T06:00:00Z", "2026-11-10T06:00:00Z"):
        run = conn.execute(
            "INSERT INTO runs (target, started, finished, summary) VALUES (?, ?, ?, ?)",
            (site, started, started, json.dumps(summary)),
        ).lastrowid
        conn.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?)",
            [(run, kept.fingerprint, kept.rule, str(kept.severity)), (run, *gone)],
        )
    conn.commit()
    conn.close()

    recorded = record(store, result)

    history = recorded.history
    assert history is not None
    assert sqlite3.connect(store).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert history.run == 3 and history.runs == 3
    assert history.previous_run == 2 and history.previous_started == "2026-11-10T06:00:00Z"
    assert history.first_seen[kept.fingerprint] == "2026-11-03T06:00:00Z"  # open since run 1
    assert [f.fingerprint for f in history.fixed_findings] == [gone[0]]
    assert kept.fingerprint not in history.new_findings
    assert len(history.new_findings) == len({f.fingerprint for f in result.findings}) - 1
    old = history.trend[0]
    assert (old.run, old.needing_notice, old.noticed) == (1, 10, 4)
    assert old.findings == {"error": 2, "warning": 0, "info": 0}
    assert [r.has_results for r in list_runs(store)] == [False, False, True]
    with pytest.raises(ConfigError, match="recorded before the store kept whole results"):
        load_run(store, 1)
    assert load_run(store, 3) == recorded


def test_a_store_from_a_newer_linkguard_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "new.sqlite"
    sqlite3.connect(store).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}").close()
    result = runner.invoke(app, ["history", str(store)])
    assert result.exit_code == 2
    assert f"schema version {SCHEMA_VERSION + 1}" in result.stderr
    assert "run a newer linkguard" in result.stderr


@pytest.mark.slow
def test_two_processes_recording_at_once_are_serialised(tmp_path: Path, results_file: Path) -> None:
    """Each run compares with the one committed just before it: no two runs saw the same
    previous run, none is lost, and the file is whole."""
    store, times = tmp_path / "shared.sqlite", 15
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store), str(results_file), str(times)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=300) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], [err for _, err in outputs]
    ids = sorted(int(line) for out, _ in outputs for line in out.split())
    assert ids == list(range(1, 2 * times + 1))
    conn = sqlite3.connect(store)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for run, blob in conn.execute("SELECT id, results FROM runs ORDER BY id"):
        history = json.loads(zlib.decompress(blob))["history"]
        assert history["run"] == run
        assert history["previous_run"] == (run - 1 if run > 1 else None)
        assert [p["run"] for p in history["trend"]] == list(range(max(1, run - 11), run + 1))
    conn.close()


@pytest.mark.slow
def test_a_writer_killed_while_recording_leaves_the_store_consistent(
    tmp_path: Path, results_file: Path
) -> None:
    store, size = tmp_path / "killed.sqlite", 50_000
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), str(results_file), "0", str(size)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert writer.stdout is not None
    for _ in range(2):  # it has committed two runs, and is recording more
        assert writer.stdout.readline().strip()
    time.sleep(0.3)  # not a measure: most likely inside the third run's transaction
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    expected = from_json(results_file.read_text("utf-8"))
    items = size + len(expected.suppressed)
    conn = sqlite3.connect(store)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    runs = conn.execute("SELECT id, results FROM runs ORDER BY id").fetchall()
    assert len(runs) >= 2
    for run, blob in runs:  # every run committed is whole: results, findings, inventory
        assert blob is not None
        (count,) = conn.execute("SELECT count(*) FROM findings WHERE run = ?", (run,)).fetchone()
        assert count == items
        (hosts,) = conn.execute(
            "SELECT count(*) FROM third_parties WHERE run = ?", (run,)
        ).fetchone()
        assert hosts == len(expected.third_parties)
    conn.close()
    next_one = record(store, expected)  # and the store takes the next run
    assert next_one.history is not None and next_one.history.previous_run == runs[-1][0]


def test_a_run_with_nothing_new_compares_cleanly(tmp_path: Path) -> None:
    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    first = scan(site, store, tmp_path / "1.json")
    second = scan(site, store, tmp_path / "2.json")
    history = second["history"]
    assert history["new_findings"] == [] and history["fixed_findings"] == []
    assert history["new_third_parties"] == [] and history["gone_third_parties"] == []
    fingerprints = {f["fingerprint"] for f in first["findings"] + first["suppressed"]}
    assert set(history["first_seen"]) == fingerprints
    assert set(history["first_seen"].values()) == {first["run"]["started"]}


def test_a_run_cut_short_calls_fixed_only_what_left_the_pages_it_read(
    tmp_path: Path, results_file: Path
) -> None:
    """An interrupted run read two pages: a finding missing from one of them is fixed; the
    findings of the pages it never reached are not, and no third party is called gone."""
    full = from_json(results_file.read_text("utf-8"))
    store = tmp_path / "h.sqlite"
    record(store, full)
    read = {p.url for p in full.pages[:2]}
    on_read = [f for f in full.findings if f.page in read]
    assert len(on_read) >= 2 and len(on_read) < len(full.findings)
    cut = replace(
        full,
        run=replace(full.run, complete=False),
        pages=full.pages[:2],
        findings=tuple(on_read[1:]),
        third_parties=full.third_parties[:1],
    )
    history = record(store, cut).history
    assert history is not None and history.previous_run == 1
    assert [f.fingerprint for f in history.fixed_findings] == [on_read[0].fingerprint]
    assert history.gone_third_parties == ()
    again = record(store, full).history  # compared with the last complete run, not the cut one
    assert again is not None and again.previous_run == 1 and again.fixed_findings == ()
