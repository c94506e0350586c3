"""Recording a run: compared with the target's previous run, then stored, in one write
transaction (``_store.writing``), so two runs recording at once each compare with what the
other committed, and a run killed while recording leaves nothing half-written.

What a run stores: its target, time, scope (origin and first-party list), whether it was
complete and whether it was a ``--changed-since`` subset, its summary, the counts the trend
charts draw, the third-party inventory, every finding's fingerprint with its rule,
severity, page, target and first-seen time, and the whole results JSON (with its history
section), zlib-compressed, which ``linkguard history show`` renders again.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import defaultdict
from dataclasses import asdict, replace
from pathlib import Path

from linkguard.model import UNDECLARED_KINDS, Finding, ScanResult
from linkguard.model_history import FixedFinding, RunHistory, TrendPoint
from linkguard.results import to_json
from linkguard.results.verdict import verdict_of
from linkguard.scan import is_url

TREND_RUNS = 12  # the runs the charts draw, this one included
_NAVIGATION = frozenset(str(kind) for kind in UNDECLARED_KINDS)


def target_key(target: str) -> str:
    """What makes two runs runs of the same target: the URL, or the folder's absolute path
    (a folder named relatively from two working directories is one target)."""
    return target if is_url(target) else str(Path(target).resolve())


def trend_counts(result: ScanResult) -> dict[str, object]:
    """What the trend charts draw of one run: exit-notice coverage, third parties (vendors,
    as every report counts them) by status, active findings by severity."""
    summary = result.summary
    kinds: defaultdict[tuple[bool, str], set[str]] = defaultdict(set)
    for party in result.third_parties:
        kinds[party.vendor_key].update(party.kinds)
    statuses = {"declared": 0, "undeclared": 0, "linked": 0}
    for (declared, _), seen in kinds.items():
        # as reporters/_digest.py's Vendor.status: declared, else only navigated to or
        # named (linked), else undeclared
        statuses["declared" if declared else "linked" if seen <= _NAVIGATION else "undeclared"] += 1
    findings = {"error": 0, "warning": 0, "info": 0}
    for finding in result.findings:
        if finding.suppressed_by is None:
            findings[str(finding.severity)] = findings.get(str(finding.severity), 0) + 1
    return {
        "needing_notice": max(0, summary.outbound_links - summary.outbound_exempt),
        "noticed": summary.outbound_with_notice,
        "third_parties": statuses,
        "findings": findings,
    }


def record_run(conn: sqlite3.Connection, result: ScanResult) -> ScanResult:
    """Store ``result`` as the target's newest run (the caller holds the write transaction)
    and return it with its ``history`` section."""
    run_info = result.run
    key = target_key(run_info.target)
    counts = trend_counts(result)
    partial = run_info.changed_since is not None
    # a run that could not vouch for every page it found (cut short, too many pages failed,
    # nothing checked) is kept and listed, but never compared with: what it missed is not fixed
    complete = run_info.complete and not verdict_of(result).gap
    cursor = conn.execute(
        """INSERT INTO runs (target, started, finished, summary, origin, first_party, complete,
                             partial, trend)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            key,
            run_info.started,
            run_info.finished,
            json.dumps(asdict(result.summary), sort_keys=True),
            run_info.origin,
            json.dumps(list(run_info.first_party)),
            int(complete),
            int(partial),
            json.dumps(counts, sort_keys=True),
        ),
    )
    run = int(cursor.lastrowid or 0)
    history = _compare(conn, result, key, run, vouches=complete and not partial)
    _store_items(conn, result, run, history.first_seen)
    result = replace(result, history=history)
    blob = zlib.compress(to_json(result).encode("utf-8"), 6)
    conn.execute(
        """UPDATE runs SET results = ?, new_findings = ?, fixed_findings = ?,
                           new_third_parties = ? WHERE id = ?""",
        (
            blob,
            len(history.new_findings),
            len(history.fixed_findings),
            len(history.new_third_parties),
            run,
        ),
    )
    return result


def _findings(result: ScanResult) -> list[tuple[Finding, bool]]:
    """Every finding of the run with whether it is suppressed (listed apart, or waived)."""
    out = [(f, f.suppressed_by is not None) for f in result.findings]
    return out + [(f, True) for f in result.suppressed]


def _compare(
    conn: sqlite3.Connection, result: ScanResult, key: str, run: int, *, vouches: bool
) -> RunHistory:
    """This run against the previous one. A run that does not vouch for the whole site (cut
    short, a ``--changed-since`` subset) calls fixed only what went from the pages it read,
    and calls no host gone: the rest of the site was not looked at."""
    previous = conn.execute(
        """SELECT id, started FROM runs WHERE target = ? AND id < ? AND complete = 1
           AND partial = 0 ORDER BY id DESC LIMIT 1""",
        (key, run),
    ).fetchone()
    runs = conn.execute("SELECT count(*) FROM runs WHERE target = ?", (key,)).fetchone()[0]
    trend = _trend(conn, key)
    started = result.run.started
    current = _findings(result)
    if previous is None:  # the first run: everything is first seen now, nothing is "new"
        first_seen = {f.fingerprint: started for f, _ in current}
        return RunHistory(run=run, runs=runs, first_seen=first_seen, trend=trend)
    before = {
        fp: (rule, severity, page, target, suppressed, seen)
        for fp, rule, severity, page, target, suppressed, seen in conn.execute(
            """SELECT fingerprint, rule, severity, page, target, suppressed, first_seen
               FROM findings WHERE run = ?""",
            (previous[0],),
        )
    }
    first_seen = {f.fingerprint: before[f.fingerprint][5] if f.fingerprint in before else started
                  for f, _ in current}  # fmt: skip
    now = {f.fingerprint for f, _ in current}
    read = None if vouches else {p.url for p in result.pages if p.error is None}
    fixed = tuple(
        FixedFinding(fingerprint=fp, rule=rule, severity=sev, page=page, target=target)
        for fp, (rule, sev, page, target, suppressed, _) in before.items()
        if fp not in now and not suppressed and (read is None or page in read)
    )
    hosts_before = {
        host for (host,) in conn.execute("SELECT host FROM third_parties WHERE run = ?",
                                         (previous[0],))
    }  # fmt: skip
    hosts_now = {t.host for t in result.third_parties}
    return RunHistory(
        run=run,
        runs=runs,
        previous_run=previous[0],
        previous_started=previous[1],
        new_findings=tuple(sorted(
            f.fingerprint for f, hidden in current if not hidden and f.fingerprint not in before
        )),
        fixed_findings=fixed,
        new_third_parties=tuple(sorted(hosts_now - hosts_before)),
        gone_third_parties=tuple(sorted(hosts_before - hosts_now)) if vouches else (),
        first_seen=first_seen,
        trend=trend,
    )  # fmt: skip


def _trend(conn: sqlite3.Connection, key: str) -> tuple[TrendPoint, ...]:
    """The target's last ``TREND_RUNS`` runs (this one included), oldest first; subsets
    (``--changed-since``) are left out: they would draw a dip that is not one."""
    rows = conn.execute(
        """SELECT id, started, complete, trend FROM runs WHERE target = ? AND partial = 0
           ORDER BY id DESC LIMIT ?""",
        (key, TREND_RUNS),
    ).fetchall()
    points = []
    for run, started, complete, trend in reversed(rows):
        counts = json.loads(trend) if trend else {}
        points.append(
            TrendPoint(
                run=run,
                started=started,
                complete=bool(complete),
                needing_notice=int(counts.get("needing_notice", 0)),
                noticed=int(counts.get("noticed", 0)),
                third_parties=dict(counts.get("third_parties", {})),
                findings=dict(counts.get("findings", {})),
            )
        )
    return tuple(points)


def _store_items(
    conn: sqlite3.Connection, result: ScanResult, run: int, first_seen: dict[str, str]
) -> None:
    conn.executemany(
        """INSERT OR IGNORE INTO findings (run, fingerprint, rule, severity, page, target,
                                         suppressed, first_seen)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            (run, f.fingerprint, f.rule, str(f.severity), f.page, f.target, int(hidden),
             first_seen.get(f.fingerprint, result.run.started))
            for f, hidden in _findings(result)
        ),
    )  # fmt: skip
    conn.executemany(
        """INSERT OR IGNORE INTO third_parties (run, host, site, name, declared, kinds)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (
            (run, t.host, t.site, t.name, int(t.declared), json.dumps(list(t.kinds)))
            for t in result.third_parties
        ),
    )
