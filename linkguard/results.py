"""The results JSON contract (``linkguard/results/v1``, DESIGN section 6): ScanResult <-> JSON.

Output is deterministic: lists sorted, keys in a fixed order, so two runs over the same
site differ only in ``run.started`` and ``run.finished``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from linkguard import __version__
from linkguard.errors import ConfigError
from linkguard.model import (
    DynamicReference,
    Finding,
    PageRecord,
    RunInfo,
    ScanResult,
    Severity,
    Summary,
    ThirdParty,
)

SCHEMA = "linkguard/results/v1"


def _sections(result: ScanResult) -> Iterator[tuple[str, Any]]:
    """The contract's top-level keys in order; lists as lazy iterables of small objects."""
    yield "schema", SCHEMA
    yield "tool", {"name": "linkguard", "version": result.run.tool_version or __version__}
    yield "run", _run(result.run)
    yield "summary", asdict(result.summary)
    yield "pages", (asdict(p) for p in sorted(result.pages, key=lambda p: p.url))
    yield (
        "third_parties",
        (
            {**asdict(t), "kinds": list(t.kinds)}
            for t in sorted(result.third_parties, key=lambda t: (t.site, t.host))
        ),
    )
    yield "findings", (_finding(f) for f in sorted(result.findings, key=Finding.sort_key))
    yield "suppressed", (_finding(f) for f in sorted(result.suppressed, key=Finding.sort_key))
    yield (
        "dynamic",
        (asdict(d) for d in sorted(result.dynamic, key=lambda d: (d.page, d.line, d.raw))),
    )


_LIST_KEYS = frozenset({"pages", "third_parties", "findings", "suppressed", "dynamic"})


def to_dict(result: ScanResult) -> dict[str, Any]:
    """The result as the JSON contract's object, lists sorted."""
    return {key: list(value) if key in _LIST_KEYS else value for key, value in _sections(result)}


def _run(run: RunInfo) -> dict[str, Any]:
    data = asdict(run)
    data.pop("tool_version")  # written once, as tool.version
    data["first_party"] = list(run.first_party)
    return data


def _finding(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["severity"] = str(finding.severity)
    return data


def to_json(result: ScanResult) -> str:
    return "".join(iter_json(result))


def iter_json(result: ScanResult) -> Iterator[str]:
    """The JSON text in chunks, one list item at a time: byte for byte what ``json.dumps(
    to_dict(result), indent=2)`` gives, without holding a 100,000-finding tree in memory."""
    yield "{"
    for index, (key, value) in enumerate(_sections(result)):
        yield ("," if index else "") + f"\n  {json.dumps(key)}: "
        if key not in _LIST_KEYS:
            yield _indented(value, "  ")
            continue
        empty = True
        for item in value:
            yield ("[" if empty else ",") + "\n    " + _indented(item, "    ")
            empty = False
        yield "[]" if empty else "\n  ]"
    yield "\n}\n"


def _indented(value: Any, prefix: str) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)


def from_json(text: str, *, source: str = "results") -> ScanResult:
    """Read a saved results file back (for ``linkguard report``, ``diff``, ``--baseline``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{source}: not a JSON file ({exc.msg} at line {exc.lineno})",
            tip="pass a file written by `linkguard scan --format json`",
        ) from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ConfigError(
            f"{source}: not a linkguard results file (schema is not {SCHEMA!r})",
            tip="pass a file written by `linkguard scan --format json`",
        )
    try:
        return _from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{source}: malformed results file ({type(exc).__name__}: {exc})",
            tip="re-run the scan to write a fresh results file",
        ) from exc


def _from_dict(data: dict[str, Any]) -> ScanResult:
    run = dict(data["run"])
    run["first_party"] = tuple(run.get("first_party", ()))
    run["tool_version"] = str(data.get("tool", {}).get("version", ""))
    return ScanResult(
        run=RunInfo(**run),
        summary=Summary(**data["summary"]),
        pages=tuple(PageRecord(**p) for p in data["pages"]),
        third_parties=tuple(
            ThirdParty(**{**t, "kinds": tuple(t["kinds"])}) for t in data["third_parties"]
        ),
        findings=tuple(_read_finding(f) for f in data["findings"]),
        suppressed=tuple(_read_finding(f) for f in data.get("suppressed", ())),
        dynamic=tuple(DynamicReference(**d) for d in data.get("dynamic", ())),
    )


def _read_finding(data: dict[str, Any]) -> Finding:
    return Finding(**{**data, "severity": Severity(data["severity"])})
