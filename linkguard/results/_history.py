"""The results' ``history`` section, both ways (``--history``: ARCHITECTURE.md, «History»).

Written only when the run was recorded in a history store, so a results file without
history keeps its exact shape; read back with every value checked, like the rest of the file.
"""

from __future__ import annotations

from typing import Any

from linkguard.model_history import FixedFinding, RunHistory, TrendPoint
from linkguard.results.shape import ABSENT, Malformed, typed, typed_value

# RunHistory's fields but its lists of records, which are read record by record
_FIELDS: dict[str, Any] = {
    "run": int,
    "runs": int,
    "previous_run": int | None,
    "previous_started": str | None,
    "new_findings": tuple[str, ...],
    "new_third_parties": tuple[str, ...],
    "gone_third_parties": tuple[str, ...],
    "first_seen": dict[str, str],
}


def history_to_dict(history: RunHistory) -> dict[str, Any]:
    """The section as the contract's object: lists and maps sorted."""
    return {
        "run": history.run,
        "runs": history.runs,
        "previous_run": history.previous_run,
        "previous_started": history.previous_started,
        "new_findings": sorted(history.new_findings),
        "fixed_findings": [
            {
                "fingerprint": f.fingerprint,
                "rule": f.rule,
                "severity": f.severity,
                "page": f.page,
                "target": f.target,
            }
            for f in sorted(history.fixed_findings, key=_fixed_key)
        ],
        "new_third_parties": sorted(history.new_third_parties),
        "gone_third_parties": sorted(history.gone_third_parties),
        "first_seen": dict(sorted(history.first_seen.items())),
        "trend": [
            {
                "run": p.run,
                "started": p.started,
                "complete": p.complete,
                "needing_notice": p.needing_notice,
                "noticed": p.noticed,
                "third_parties": dict(sorted(p.third_parties.items())),
                "findings": dict(sorted(p.findings.items())),
            }
            for p in history.trend
        ],
    }


def _fixed_key(fixed: FixedFinding) -> tuple[str, str, str, str]:
    return (fixed.page, fixed.rule, fixed.target, fixed.fingerprint)


def history_from_dict(data: object, where: str = "history") -> RunHistory:
    """The section :func:`history_to_dict` wrote; :class:`Malformed` names what is wrong."""
    if not isinstance(data, dict):
        raise Malformed(where, data, "an object")
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name in _FIELDS:
            fields[name] = typed_value(value, _FIELDS[name], f"{where}.{name}")
        elif name not in ("fixed_findings", "trend"):
            raise Malformed(f"{where}.{name}", value, "")  # not a field
    if "run" not in fields:
        raise Malformed(f"{where}.run", ABSENT, "")
    fixed = _items(data.get("fixed_findings", []), f"{where}.fixed_findings")
    trend = _items(data.get("trend", []), f"{where}.trend")
    return RunHistory(
        **fields,
        fixed_findings=tuple(FixedFinding(**typed(FixedFinding, f, w)) for f, w in fixed),
        trend=tuple(TrendPoint(**typed(TrendPoint, p, w)) for p, w in trend),
    )


def _items(value: object, where: str) -> list[tuple[object, str]]:
    if not isinstance(value, list):
        raise Malformed(where, value, "a list")
    return [(item, f"{where}[{i}]") for i, item in enumerate(value)]
