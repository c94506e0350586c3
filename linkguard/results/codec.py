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

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, fields
from typing import Any

from linkguard._version import __version__
from linkguard.errors import ConfigError
from linkguard.model import (
    Cookie,
    DynamicReference,
    Finding,
    PageRecord,
    RunInfo,
    ScanResult,
    StorageItem,
    Summary,
    ThirdParty,
)
from linkguard.results._history import history_from_dict, history_to_dict
from linkguard.results.shape import ABSENT, Malformed, typed, typed_value
from linkguard.results.verdict import verdict_of

try:  # the list items' encoder: the same text as json's, 25 times faster (none on PyPy)
    import orjson as _orjson
except ImportError:  # pragma: no cover - only where orjson has no build
    _orjson = None  # type: ignore[assignment]

SCHEMA = "linkguard/results/v1"


def _sections(result: ScanResult) -> Iterator[tuple[str, Any]]:
    """The contract's top-level keys in order; lists as lazy iterables of small objects:
    findings, pages and dynamic references as they are (``_item_json``, ``_as_dict``)."""
    yield "schema", SCHEMA
    yield "tool", {"name": "linkguard", "version": result.run.tool_version or __version__}
    yield "run", _run(result.run)
    yield "summary", asdict(result.summary)
    yield "verdict", _verdict(result)
    yield "pages", iter(sorted(result.pages, key=lambda p: p.url))
    yield (
        "third_parties",
        (
            {**asdict(t), "kinds": list(t.kinds), "seen": list(t.seen)}
            for t in sorted(result.third_parties, key=lambda t: (t.site, t.host))
        ),
    )
    yield "findings", iter(sorted(result.findings, key=Finding.sort_key))
    yield "suppressed", iter(sorted(result.suppressed, key=Finding.sort_key))
    yield "dynamic", iter(sorted(result.dynamic, key=lambda d: (d.page, d.line, d.raw)))
    yield "cookies", (_flat(c) for c in sorted(result.cookies, key=_cookie_key))
    yield "storage", (_flat(s) for s in sorted(result.storage, key=_storage_key))
    if result.history is not None:  # --history: only then, so other files keep their shape
        yield "history", history_to_dict(result.history)


def _verdict(result: ScanResult) -> dict[str, Any]:
    """The run's verdict, for readers of the file: derived from the rest (``from_json``
    reads it back from the findings and the run, never from here)."""
    verdict = verdict_of(result)
    return {"status": verdict.status, "exit_code": verdict.exit_code, "reason": verdict.reason}


_LIST_KEYS = frozenset(
    {"pages", "third_parties", "findings", "suppressed", "dynamic", "cookies", "storage"}
)


def _cookie_key(cookie: Cookie) -> tuple[str, str, str, str]:
    return (cookie.domain, cookie.name, cookie.path, cookie.phase)


def _storage_key(item: StorageItem) -> tuple[str, str, str, str]:
    return (item.origin, item.area, item.key, item.phase)


def to_dict(result: ScanResult) -> dict[str, Any]:
    """The result as the JSON contract's object, lists sorted."""
    return {
        key: list(map(_as_dict, value)) if key in _LIST_KEYS else value
        for key, value in _sections(result)
    }


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
    data["chain"] = list(finding.chain)
    return data


def finding_from_dict(data: object, where: str = "finding") -> Finding:
    """The finding :func:`finding_to_dict` wrote; :class:`Malformed` names what is wrong."""
    return Finding(**typed(Finding, data, where))


def page_to_dict(page: PageRecord) -> dict[str, Any]:
    """A line of ``pages`` as the contract's object."""
    return _flat(page)


def page_from_dict(data: object, where: str = "page") -> PageRecord:
    """The page record :func:`page_to_dict` wrote; :class:`Malformed` names what is wrong."""
    return PageRecord(**typed(PageRecord, data, where))


def dynamic_to_dict(reference: DynamicReference) -> dict[str, Any]:
    """A line of ``dynamic`` as the contract's object."""
    return _flat(reference)


def dynamic_from_dict(data: object, where: str = "dynamic reference") -> DynamicReference:
    """The dynamic reference :func:`dynamic_to_dict` wrote; :class:`Malformed` names what is
    wrong."""
    return DynamicReference(**typed(DynamicReference, data, where))


_TO_DICT: dict[type, Callable[[Any], dict[str, Any]]] = {
    Finding: finding_to_dict,
    PageRecord: page_to_dict,
    DynamicReference: dynamic_to_dict,
}


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
            yield ("[" if empty else ",") + "\n    " + _item_json(item, "    ")
            empty = False
        yield "[]" if empty else "\n  ]"
    yield "\n}\n"


def _as_dict(item: Any) -> Any:
    """A list item as the contract's object (findings, pages and dynamic references are
    listed as they are, and written by ``_item_json``)."""
    to_dict = _TO_DICT.get(type(item))
    return item if to_dict is None else to_dict(item)


def _item_json(item: Any, prefix: str) -> str:
    """A list item's text, as ``_indented`` writes its object. A finding, page record or
    dynamic reference is written by orjson from the object itself: its fields in
    declaration order, as their ``*_to_dict`` lists them. Their declared types (a string,
    int, bool, None, a string enum, a tuple of strings; tests/test_codec.py checks them,
    mypy the values given) are what orjson writes as json does: a float, say, it would not
    (``1e-7`` for ``1e-07``)."""
    if type(item) in _TO_DICT:
        text = _orjson_text(item, prefix)
        if text is not None:
            return text
    return _indented(_as_dict(item), prefix)


def _indented(value: Any, prefix: str) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, its lines after the first
    indented by ``prefix``. An object of plain values (``_plain_values``: a third party,
    a cookie...) is encoded by orjson, whose indented text is json's for those; the
    10,000-page benchmark site's 67 MB results file took 1.5 s with json's encoder alone."""
    if type(value) is dict and _plain_values(value):
        text = _orjson_text(value, prefix)
        if text is not None:
            return text
    flat = _flat_json(value, prefix) if type(value) is dict else None
    if flat is not None:
        return flat
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)


def _orjson_text(value: Any, prefix: str) -> str | None:
    """orjson's indented text of ``value`` under ``prefix``; None where orjson has no build
    or refuses the value (an int beyond 64 bits, a lone surrogate): json's encoder then."""
    if _orjson is None:
        return None
    try:
        text: str = _orjson.dumps(value, option=_orjson.OPT_INDENT_2).decode()
    except _orjson.JSONEncodeError:
        return None
    return text.replace("\n", "\n" + prefix) if prefix else text


_PLAIN = frozenset({str, int, bool, type(None)})


def _plain_values(value: dict[str, Any]) -> bool:
    """Whether every value is a str, int, bool or None, or a list or tuple of them (exact
    types): what orjson writes as json does. A float it writes otherwise (``1e-07``), and
    anything else (a subclass, a nested object) takes json's own path."""
    plain = _PLAIN
    for item in value.values():
        kind = item.__class__
        if kind in plain:
            continue
        if (kind is list or kind is tuple) and all(i.__class__ in plain for i in item):
            continue
        return False
    return True


def _flat_json(value: dict[str, Any], prefix: str) -> str | None:
    """``json.dumps(value, indent=2)`` for an object of strings, ints, booleans, nulls and
    empty lists, None for anything else. ``indent`` alone makes json fall back to pure
    Python; an object whose values are all scalars is encoded whole by the C encoder
    instead, with the line break and indentation as its item separator. (Where orjson
    has no build, or refuses an item, and for an object with a float.)"""
    for item in value.values():
        kind = type(item)
        if not (
            kind is str
            or item is None
            or kind is bool
            or kind is int
            or ((kind is list or kind is tuple) and not item)  # a finding's empty chain
        ):
            return None
    if not value:
        return "{}"
    return "{\n" + prefix + "  " + _flat_encoder(prefix)(value)[1:-1] + "\n" + prefix + "}"


@functools.cache
def _flat_encoder(prefix: str) -> Callable[[Any], str]:
    """json's C encoder, with an item separator that indents under ``prefix``."""
    return json.JSONEncoder(ensure_ascii=False, separators=(",\n" + prefix + "  ", ": ")).encode


def from_json(text: str, *, source: str = "results") -> ScanResult:
    """Read a saved results file back (for ``linkguard report``, ``diff``, ``--baseline``);
    a ConfigError (exit code 2) that names the first value of the wrong shape, never a
    traceback or a result that breaks a reporter later."""
    tip = "pass a file written by `linkguard scan --format json`"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"{source}: not a JSON file ({exc.msg} at line {exc.lineno})"
        raise ConfigError(message, tip=tip) from exc
    except RecursionError as exc:
        raise ConfigError(f"{source}: not a results file: JSON nested too deeply", tip=tip) from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ConfigError(
            f"{source}: not a linkguard results file (schema is not {SCHEMA!r})", tip=tip
        )
    try:
        return _from_dict(data)
    except Malformed as exc:
        raise ConfigError(
            f"{source}: malformed results file: {exc}",
            tip="re-run the scan to write a fresh results file",
        ) from exc


def _summary(data: object) -> Summary:
    """The summary, read as this version counts: a results file whose mechanisms list
    ``exempt`` was written when exempt links counted as noticed, so they are taken out of
    ``outbound_with_notice`` (the two never overlap now: ARCHITECTURE.md, «Exit notices»)."""
    fields_ = typed(Summary, data, "summary")
    mechanisms = dict(fields_.get("notice_mechanisms", {}))
    if "exempt" in mechanisms:
        exempt = mechanisms.pop("exempt")
        noticed = max(0, fields_.get("outbound_with_notice", 0) - exempt)
        fields_ = {**fields_, "outbound_with_notice": noticed, "notice_mechanisms": mechanisms}
    return Summary(**fields_)


def _from_dict(data: dict[str, Any]) -> ScanResult:
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise Malformed("tool", tool, "an object")
    run = typed(RunInfo, data.get("run", ABSENT), "run", extra={"tool_version"})
    run["tool_version"] = typed_value(tool.get("version", ""), str, "tool.version")

    def items(key: str, required: bool = True) -> list[tuple[object, str]]:
        value = data.get(key, ABSENT if required else [])
        if not isinstance(value, list):
            raise Malformed(key, value, "a list")
        return [(item, f"{key}[{i}]") for i, item in enumerate(value)]

    return ScanResult(
        run=RunInfo(**run),
        summary=_summary(data.get("summary", ABSENT)),
        pages=tuple(page_from_dict(p, w) for p, w in items("pages")),
        third_parties=tuple(
            ThirdParty(**typed(ThirdParty, t, w)) for t, w in items("third_parties")
        ),
        findings=tuple(finding_from_dict(f, w) for f, w in items("findings")),
        suppressed=tuple(finding_from_dict(f, w) for f, w in items("suppressed", False)),
        dynamic=tuple(dynamic_from_dict(d, w) for d, w in items("dynamic", False)),
        cookies=tuple(Cookie(**typed(Cookie, c, w)) for c, w in items("cookies", False)),
        storage=tuple(StorageItem(**typed(StorageItem, s, w)) for s, w in items("storage", False)),
        history=history_from_dict(data["history"]) if data.get("history") is not None else None,
    )
