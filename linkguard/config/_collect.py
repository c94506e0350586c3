"""Every mistake in a policy file, reported in one run.

The checkers (``linkguard.config._checks``) raise a ConfigError for the first thing wrong
with a value. Inside :func:`collected`, :func:`gather` runs each check of a table, an array
or a file, records the mistakes and goes on with the next; the table that had one is not
built (``_Reported`` climbs to the top), and at the end every mistake is raised together,
in the order of the file, as ``PolicyErrors`` (a plain ConfigError when there is only one).
Outside :func:`collected` the first mistake is raised as it is, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from linkguard.errors import ConfigError

T = TypeVar("T")


class PolicyErrors(ConfigError):
    """Several mistakes in a policy file, in the order they appear in it; each one a
    ConfigError that names the file, the key and the fix."""

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class _Reported(Exception):
    """A value failed and its mistakes are recorded already: its table, array or the
    file cannot be built, but the checks around it go on."""


_FOUND: ContextVar[list[ConfigError] | None] = ContextVar("policy_mistakes", default=None)


def collected(check: Callable[[], T]) -> T:
    """``check()``, with every mistake it finds raised together at the end."""
    found: list[ConfigError] = []
    token = _FOUND.set(found)
    try:
        return check()
    except _Reported:
        pass
    finally:
        _FOUND.reset(token)
    raise found[0] if len(found) == 1 else PolicyErrors(found)


def gather(checks: Iterable[tuple[str, Callable[[], T]]]) -> dict[str, T]:
    """Each check's value by its name; a check that fails is recorded and the others still
    run (inside :func:`collected`; outside it, the first mistake is raised)."""
    found = _FOUND.get()
    values: dict[str, T] = {}
    failed = False
    for name, check in checks:
        try:
            values[name] = check()
        except _Reported:
            failed = True
        except ConfigError as error:
            if found is None:
                raise
            found.append(error)
            failed = True
    if failed:
        raise _Reported
    return values


def failing(error: ConfigError) -> Callable[[], Any]:
    """A check that fails with ``error`` (an unknown key, a missing one)."""

    def fail() -> Any:
        raise error

    return fail
