"""A results file (or a crawl-state line) checked against the types of the records it holds.

A results file is input: a baseline comes from another branch's run, a file may be edited
by hand or cut short. ``"findings": 5`` or a ``line`` of ``"x"`` once became a record that
broke a reporter later with a traceback (or, worse, a report of nonsense). Every value is
checked against its dataclass field's annotation as it is read, and the first that does not
fit is named: ``findings[3].line is a string, not an integer``.

The checkers are built once per dataclass from its type hints (``str``, ``int``, ``float``,
``bool``, an enum, ``X | None``, ``tuple[X, ...]`` from a JSON list, ``dict[str, X]``), so
reading a 100,000-finding baseline costs a few type tests per field.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Collection
from dataclasses import MISSING, fields
from enum import Enum
from functools import cache
from typing import Any, get_args, get_origin, get_type_hints

Check = Callable[[Any, str], Any]
ABSENT: Any = object()  # a key the file does not have


class Malformed(ValueError):
    """Where a file departs from the contract: ``where`` is ``value``, not ``expected``."""

    def __init__(self, where: str, value: object, expected: str) -> None:
        if value is ABSENT:
            message = f"{where} is missing"
        elif expected == "":
            message = f"{where} is not a field this linkguard knows"
        else:
            enum = isinstance(value, str) and expected.startswith("one of")
            message = f"{where} is {repr(value) if enum else _described(value)}, not {expected}"
        super().__init__(message)
        self.where = where


def _described(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    kinds = ((str, "a string"), (list, "a list"), (dict, "an object"))
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def typed(cls: type, data: object, where: str, *, extra: Collection[str] = ()) -> dict[str, Any]:
    """``data`` (a JSON object) as keyword arguments for the dataclass ``cls``, each value
    checked against its field's type; ``extra`` fields are the caller's to fill in."""
    if not isinstance(data, dict):
        raise Malformed(where, data, "an object")
    checks, required = _checkers(cls)
    out: dict[str, Any] = {}
    for name, value in data.items():
        field = checks.get(name)
        if field is None or name in extra:
            raise Malformed(f"{where}.{name}", value, "")  # not a field
        exact, check = field
        # most values are a string, an integer or null as they should be: no call, no path
        out[name] = value if type(value) in exact else check(value, f"{where}.{name}")
    for name in required:
        if name not in out and name not in extra:
            raise Malformed(f"{where}.{name}", ABSENT, "")
    return out


def typed_value(value: object, kind: Any, where: str) -> Any:
    """One value checked against a type (as a dataclass field's annotation writes it)."""
    return _checker(kind)(value, where)


@cache
def _checkers(cls: type) -> tuple[dict[str, tuple[frozenset[type], Check]], frozenset[str]]:
    """Per field, the types a value may have as it is (a fast path) and its checker; the
    fields without a default."""
    hints = get_type_hints(cls)
    required = frozenset(
        f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
    )
    return {name: (_as_is(kind), _checker(kind)) for name, kind in hints.items()}, required


def _as_is(kind: Any) -> frozenset[type]:
    """The types a JSON value of a field of type ``kind`` is kept as, unchanged."""
    kinds = get_args(kind) if isinstance(kind, types.UnionType) else (kind,)
    return frozenset(k for k in kinds if k in (str, int, bool, type(None)))


def _checker(kind: Any) -> Check:
    """A function that returns a value of type ``kind`` (a JSON list becomes a tuple, a
    string an enum member) or raises :class:`Malformed`."""
    origin, args = get_origin(kind), get_args(kind)
    if isinstance(kind, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        assert len(inner) == 1, f"unsupported field type {kind}"
        return _optional(_checker(inner[0]), _expected(inner[0]))
    if origin is tuple:
        return _sequence(_checker(args[0]))
    if origin is dict:
        return _mapping(_checker(args[1]))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum(kind)
    simple: dict[Any, Callable[[Any], bool]] = {
        str: lambda v: type(v) is str,
        int: lambda v: type(v) is int,
        bool: lambda v: type(v) is bool,
        float: lambda v: type(v) in (int, float) and math.isfinite(v),
    }
    assert kind in simple, f"unsupported field type {kind}"
    fits, expected = simple[kind], _expected(kind)

    def check(value: Any, where: str) -> Any:
        if not fits(value):
            raise Malformed(where, value, expected)
        return float(value) if kind is float else value

    return check


def _expected(kind: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    return names.get(kind, "a list" if get_origin(kind) is tuple else "an object")


def _optional(inner: Check, expected: str) -> Check:
    def check(value: Any, where: str) -> Any:
        if value is None:
            return None
        try:
            return inner(value, where)
        except Malformed as exc:
            if exc.where != where:
                raise  # deeper down: that place is the one to name
            raise Malformed(where, value, f"{expected} or null") from None

    return check


def _sequence(item: Check) -> Check:
    def check(value: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise Malformed(where, value, "a list")
        return tuple(item(v, f"{where}[{i}]") for i, v in enumerate(value))

    return check


def _mapping(item: Check) -> Check:
    def check(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Malformed(where, value, "an object")
        return {k: item(v, f"{where}[{k!r}]") for k, v in value.items()}

    return check


def _enum(kind: type[Enum]) -> Check:
    members = {member.value: member for member in kind}
    expected = f"one of {', '.join(map(str, members))}"

    def check(value: Any, where: str) -> Enum:
        member = members.get(value) if isinstance(value, str) else None
        if member is None:
            raise Malformed(where, value, expected)
        return member

    return check
