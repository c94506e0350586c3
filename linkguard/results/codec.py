"""The results JSON contract (``linkguard/results/v1``): ScanResult <-> JSON.

The contract is described in the repository's ARCHITECTURE.md, «The results contract».
``verdict`` is written for the file's readers (a dashboard, a script) and never read back:
``linkguard.results.verdict`` judges the findings and the run again.
Output is deterministic: lists sorted, keys in a fixed order, so two runs over the same
site differ only in ``run.started`` and ``run.finished``.

Findings, page records and dynamic references are written and read by one pair of
functions each (``finding_to_dict``/``finding_from_dict`` and so on), which the crawl-state
journal behind ``--resume`` uses too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, fields
from json.encoder import encode_basestring as _encode
from typing import Any

from linkguard._version import __version__
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
from linkguard.results.verdict import verdict_of

SCHEMA = "linkguard/results/v1"


def _sections(result: ScanResult) -> Iterator[tuple[str, Any]]:
    """The contract's top-level keys in order; lists as lazy iterables of small objects."""
    yield "schema", SCHEMA
    yield "tool", {"name": "linkguard", "version": result.run.tool_version or __version__}
    yield "run", _run(result.run)
    yield "summary", asdict(result.summary)
    yield "verdict", _verdict(result)
    yield "pages", (page_to_dict(p) for p in sorted(result.pages, key=lambda p: p.url))
    yield (
        "third_parties",
        (
            {**asdict(t), "kinds": list(t.kinds)}
            for t in sorted(result.third_parties, key=lambda t: (t.site, t.host))
        ),
    )
    yield "findings", (finding_to_dict(f) for f in sorted(result.findings, key=Finding.sort_key))
    yield (
        "suppressed",
        (finding_to_dict(f) for f in sorted(result.suppressed, key=Finding.sort_key)),
    )
    yield (
        "dynamic",
        (dynamic_to_dict(d) for d in sorted(result.dynamic, key=lambda d: (d.page, d.line, d.raw))),
    )


def _verdict(result: ScanResult) -> dict[str, Any]:
    """The run's verdict, for readers of the file: derived from the rest (``from_json``
    reads it back from the findings and the run, never from here)."""
    verdict = verdict_of(result)
    return {"status": verdict.status, "exit_code": verdict.exit_code, "reason": verdict.reason}


_LIST_KEYS = frozenset({"pages", "third_parties", "findings", "suppressed", "dynamic"})


def to_dict(result: ScanResult) -> dict[str, Any]:
    """The result as the JSON contract's object, lists sorted."""
    return {key: list(value) if key in _LIST_KEYS else value for key, value in _sections(result)}


def _run(run: RunInfo) -> dict[str, Any]:
    data = asdict(run)
    data.pop("tool_version")  # written once, as tool.version
    data["first_party"] = list(run.first_party)
    return data


# -- list items, both ways: the results file and the crawl-state journal (--resume) share them
def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """A finding as the contract's object: every field, in declaration order."""
    data = _flat(finding)
    data["severity"] = str(finding.severity)
    return data


def finding_from_dict(data: dict[str, Any]) -> Finding:
    """The finding :func:`finding_to_dict` wrote."""
    return Finding(**{**data, "severity": Severity(data["severity"])})


def page_to_dict(page: PageRecord) -> dict[str, Any]:
    """A line of ``pages`` as the contract's object."""
    return _flat(page)


def page_from_dict(data: dict[str, Any]) -> PageRecord:
    """The page record :func:`page_to_dict` wrote."""
    return PageRecord(**data)


def dynamic_to_dict(reference: DynamicReference) -> dict[str, Any]:
    """A line of ``dynamic`` as the contract's object."""
    return _flat(reference)


def dynamic_from_dict(data: dict[str, Any]) -> DynamicReference:
    """The dynamic reference :func:`dynamic_to_dict` wrote."""
    return DynamicReference(**data)


def _flat(item: Any) -> dict[str, Any]:
    """A dataclass of scalars as a dict: ``asdict`` without its deep copy, which was most of
    the time spent writing a 100,000-finding results file."""
    kind = type(item)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(item))
    return {name: getattr(item, name) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


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
    flat = _flat_json(value, prefix) if type(value) is dict else None
    if flat is not None:
        return flat
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)


def _flat_json(value: dict[str, Any], prefix: str) -> str | None:
    """``json.dumps(value, indent=2)`` for an object of strings, ints, booleans and nulls,
    through the C string encoder (``indent`` alone makes json fall back to pure Python).
    None for anything else."""
    parts = []
    for key, item in value.items():
        kind = type(item)
        if kind is str:
            text = _encode(item)
        elif item is None:
            text = "null"
        elif kind is bool:
            text = "true" if item else "false"
        elif kind is int:
            text = int.__repr__(item)
        else:
            return None
        parts.append(f"{_encode(key)}: {text}")
    if not parts:
        return "{}"
    inner = "\n" + prefix + "  "
    return "{" + inner + ("," + inner).join(parts) + "\n" + prefix + "}"


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


def _summary(data: dict[str, Any]) -> Summary:
    """The summary, read as this version counts: a results file whose mechanisms list
    ``exempt`` was written when exempt links counted as noticed, so they are taken out of
    ``outbound_with_notice`` (the two never overlap now: ARCHITECTURE.md, «Exit notices»)."""
    mechanisms = dict(data.get("notice_mechanisms", {}))
    if "exempt" in mechanisms:
        exempt = mechanisms.pop("exempt")
        noticed = max(0, int(data.get("outbound_with_notice", 0)) - int(exempt))
        data = {**data, "outbound_with_notice": noticed, "notice_mechanisms": mechanisms}
    return Summary(**data)


def _from_dict(data: dict[str, Any]) -> ScanResult:
    run = dict(data["run"])
    run["first_party"] = tuple(run.get("first_party", ()))
    run["tool_version"] = str(data.get("tool", {}).get("version", ""))
    return ScanResult(
        run=RunInfo(**run),
        summary=_summary(data["summary"]),
        pages=tuple(page_from_dict(p) for p in data["pages"]),
        third_parties=tuple(
            ThirdParty(**{**t, "kinds": tuple(t["kinds"])}) for t in data["third_parties"]
        ),
        findings=tuple(finding_from_dict(f) for f in data["findings"]),
        suppressed=tuple(finding_from_dict(f) for f in data.get("suppressed", ())),
        dynamic=tuple(dynamic_from_dict(d) for d in data.get("dynamic", ())),
    )
