"""Checkers for the policy file's values, used by ``linkguard.config``.

A checker takes a value as ``tomllib`` returns it and the place it sits (``Where``), and
returns it in the form the policy's dataclasses hold, or raises a ConfigError that names the
file, the dotted key (``third_party[2].hosts[0]``), the problem and what would be valid.
Tables are checked by ``check_table`` against a schema (key -> checker), so a new key in the
policy file is one new line in a schema. Array indexes in keys count from 0.

Every key, array item and table entry is checked even after another failed
(``linkguard.config._collect``): a file with several mistakes takes one run to fix.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, TypeVar

from linkguard.classify import urls
from linkguard.classify.scope import registrable_domain
from linkguard.config._collect import failing, gather
from linkguard.errors import ConfigError
from linkguard.extract import selector_path

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Where:
    """A value's place in a policy file: the file and the dotted key."""

    file: str
    key: str = ""

    def at(self, name: str) -> Where:
        return Where(self.file, f"{self.key}.{name}" if self.key else name)

    def index(self, i: int) -> Where:
        return Where(self.file, f"{self.key}[{i}]")

    @property
    def name(self) -> str:
        """The last key, without indexes: ``hosts`` for ``third_party[2].hosts[0]``."""
        return re.sub(r"\[\d+\]", "", self.key).rpartition(".")[2]

    def error(self, problem: str, fix: str) -> ConfigError:
        return ConfigError.at(self.file, self.key or "(top level)", problem, fix)


Checker = Callable[[object, Where], T]
Schema = Mapping[str, Checker[Any]]


def describe(value: object) -> str:
    """How a TOML value reads in an error: ``a boolean (true)``, ``a string ("x")``."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        shown = json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
        return f"a string ({shown})"
    if isinstance(value, int | float):
        return f"{'an integer' if isinstance(value, int) else 'a number'} ({value})"
    kinds: tuple[tuple[type, str], ...] = (
        (list, "an array"), (dict, "a table"),
        (datetime, "a date-time"), (date, "a date"), (time, "a time"),
    )  # fmt: skip
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def suggest(key: str, valid: Collection[str], what: str = "keys") -> str:
    """``did you mean `max_pages`?`` (difflib), then every valid choice."""
    close = _closest(key, valid)
    hint = f"did you mean `{close}`? " if close else ""
    return f"{hint}valid {what}: {', '.join(sorted(valid))}"


def _closest(key: str, valid: Collection[str]) -> str | None:
    spellings = (key, key.replace("-", "_"), key.replace("_", "-"))
    matches = (difflib.get_close_matches(s, list(valid), n=1, cutoff=0.6) for s in spellings)
    return next((m[0] for m in matches if m), None)


def check_table(
    value: object,
    where: Where,
    schema: Schema,
    required: Mapping[str, str] | None = None,
    what: str = "keys",
) -> dict[str, Any]:
    """The table's values, each through its checker; unknown and missing keys are errors.

    ``required`` maps each required key to the fix shown when it is missing; ``what`` names
    the schema's keys in the list of valid ones.
    """
    if not isinstance(value, Mapping):
        raise where.error(f"must be a table, not {describe(value)}", f"write it as [{where.key}]")

    def one(key: str, item: object) -> Callable[[], Any]:
        if key not in schema:
            return failing(where.at(key).error(_unknown(key, item), suggest(key, schema, what)))
        return lambda: schema[key](item, where.at(key))

    checks = [(key, one(key, item)) for key, item in value.items()]
    # a misspelt required key is one mistake: its "did you mean" says what is missing
    meant = {_closest(key, schema) for key in value if key not in schema}
    checks += [
        (key, failing(where.at(key).error("is required", fix)))
        for key, fix in (required or {}).items()
        if key not in value and key not in meant
    ]
    return gather(checks)


def _unknown(key: str, value: object) -> str:
    tables = isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
    return f"unknown {'table' if isinstance(value, dict) or tables else 'key'} `{key}`"


def boolean(value: object, where: Where) -> bool:
    if not isinstance(value, bool):
        raise where.error(
            f"must be true or false, not {describe(value)}", "write `true` or `false`, unquoted"
        )
    return value


def integer(minimum: int, maximum: int | None = None, *, example: int) -> Checker[int]:
    valid = f"a whole number from {minimum}" + (f" to {maximum}" if maximum is not None else " up")

    def check(value: object, where: Where) -> int:
        fix = f"write {valid}, unquoted, e.g. `{where.name} = {example}`"
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.error(f"must be a whole number, not {describe(value)}", fix)
        if value < minimum or (maximum is not None and value > maximum):
            raise where.error(f"is out of range: {value}", fix)
        return value

    return check


def number(
    minimum: float, maximum: float | None = None, *, above: bool = False, example: float
) -> Checker[float]:
    """A finite number (integer or float) at least ``minimum``, or above it when ``above``,
    and at most ``maximum`` when there is one."""
    valid = f"a number {'above' if above else 'of at least'} {minimum:g}"
    if maximum is not None:
        valid = f"a number from {minimum:g} to {maximum:g}"

    def check(value: object, where: Where) -> float:
        fix = f"write {valid}, unquoted, e.g. `{where.name} = {example}`"
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise where.error(f"must be a finite number, not {describe(value)}", fix)
        if (
            value < minimum
            or (above and value == minimum)
            or (maximum is not None and value > maximum)
        ):
            raise where.error(f"is out of range: {value}", fix)
        return float(value)

    return check


def string(value: object, where: Where) -> str:
    """A string with something in it besides spaces, kept as written."""
    if not isinstance(value, str) or not value.strip():
        shown = "an empty string" if isinstance(value, str) else describe(value)
        raise where.error(f"must be a non-empty string, not {shown}", _string_fix(where))
    return value


def _string_fix(where: Where) -> str:
    if where.key.endswith("]"):  # an array item
        return f'write each item as a quoted string: `{where.name} = ["..."]`'
    return f'write `{where.name} = "..."`'


def any_string(value: object, where: Where) -> str:
    """A string, possibly empty."""
    if not isinstance(value, str):
        raise where.error(f"must be a string, not {describe(value)}", _string_fix(where))
    return value


def array(item: Checker[T], *, min_items: int = 0, fix: str = "") -> Checker[tuple[T, ...]]:
    """An array whose every item passes ``item``; keys of items read ``name[i]``."""

    def check(value: object, where: Where) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise where.error(
                f"must be an array, not {describe(value)}", f"write `{where.name} = [...]`"
            )
        if len(value) < min_items:
            raise where.error("must not be empty", fix or f"list at least {min_items} item(s)")
        return _each(item, value, where)

    return check


def choice(options: Mapping[str, T], one: str, many: str) -> Checker[T]:
    """One of ``options``' keys (case-insensitive), as its mapped value; ``one`` and ``many``
    name an option and the options in messages (``kind``, ``kinds``)."""

    def check(value: object, where: Where) -> T:
        if not isinstance(value, str):
            raise where.error(
                f"must be a string, not {describe(value)}", suggest("", options, many)
            )
        if value.lower() not in options:
            raise where.error(f"unknown {one} {value!r}", suggest(value.lower(), options, many))
        return options[value.lower()]

    return check


def tables(item: Checker[T]) -> Checker[tuple[T, ...]]:
    """An array of tables (``[[third_party]]``), each through ``item``."""

    def check(value: object, where: Where) -> tuple[T, ...]:
        if not isinstance(value, list):
            fix = f"write [[{where.key}]] (double brackets) above each entry"
            raise where.error(f"must be an array of tables, not {describe(value)}", fix)
        return _each(item, value, where)

    return check


def _each(item: Checker[T], values: list[Any], where: Where) -> tuple[T, ...]:
    """Every item of an array through ``item``, each checked even when another fails."""

    def one(i: int, x: object) -> Callable[[], T]:
        return lambda: item(x, where.index(i))

    return tuple(gather([(str(i), one(i, x)) for i, x in enumerate(values)]).values())


# -- values with a meaning ------------------------------------------------------------------

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_GLOB_LABEL = re.compile(r"[a-z0-9_*?-]+")
_WEB = ("http:", "https:")
_HOST_FIX = "write a registrable domain like `example.com` or a host like `www.example.com`"


def _is_public_suffix(name: str) -> bool:
    # Under a public suffix, the registrable domain is one label deeper: b.<suffix>.
    return registrable_domain(f"a.b.{name}") == f"b.{name}"


def domain_or_host(value: object, where: Where) -> str:
    """A registrable domain or a host, not a URL: punycode, lower case (``example.com``)."""
    raw = string(value, where).strip()
    if "://" in raw:
        host = urls.host_of(raw) or "example.com"
        raise where.error(f"is a URL, not a domain or host: {raw!r}", f"write `{host}`")
    if any(c in raw for c in "*?"):
        bare = urls.to_ascii_host(raw.lstrip("*?."))
        site = registrable_domain(bare) if _HOST.fullmatch(bare) else "example.com"
        fix = f"write `{site}`: a registrable domain already covers all its subdomains"
        raise where.error(f"wildcards are not allowed here: {raw!r}", fix)
    host, slash, _ = raw.partition("/")
    if slash:
        raise where.error(f"names a path, not a host: {raw!r}", f"write `{host}`")
    if ":" in raw and not raw.startswith("["):
        raise where.error(f"has a port: {raw!r}", f"write `{raw.rpartition(':')[0]}`")
    name = urls.to_ascii_host(raw)
    if not (
        _HOST.fullmatch(name) or (name.startswith("[") and urls.host_of(f"http://{name}/") == name)
    ):
        raise where.error(f"is not a valid domain or host name: {raw!r}", _HOST_FIX)
    if _is_public_suffix(name):
        fix = f"name a domain under it, e.g. `yoursite.{name}`"
        raise where.error(f"`{name}` is a public suffix, shared by unrelated sites", fix)
    return name


def web_url(value: object, where: Where) -> str:
    """An absolute http(s) URL as the browser parses it, fragment dropped."""
    raw = string(value, where).strip()
    parsed = urls.parse(raw)
    if parsed is None or urls.scheme_of(raw) not in urls.WEB_SCHEMES or not parsed.hostname:
        guess = raw.split("://")[-1].strip("/") or "www.example.com"
        raise where.error(f"is not an absolute http(s) URL: {raw!r}", f"write `https://{guess}`")
    parsed.hash = ""
    href: str = parsed.href
    return href


def origin(value: object, where: Where) -> str:
    """``https://www.example.com`` for any http(s) URL on that origin."""
    return urls.origin_of(web_url(value, where))


def vendor_host(value: object, where: Where) -> str:
    """A ``[[third_party]].hosts`` entry: a registrable domain, a host, or a URL prefix."""
    if isinstance(value, str) and "://" in value:
        return web_url(value, where)
    return domain_or_host(value, where)


def host_glob(value: object, where: Where) -> str:
    """A host pattern (``*.gov``, ``example.com``): punycode, lower case."""
    raw = string(value, where).strip()
    host = urls.host_of(raw) if "://" in raw else raw.partition("/")[0].partition(":")[0]
    if host != raw:
        raise where.error(
            f"must be a host pattern, not {raw!r}", f"write `{host or '*.example.com'}`"
        )
    labels = [
        label if "*" in label or "?" in label else urls.to_ascii_host(label)
        for label in raw.lower().rstrip(".").split(".")
    ]
    if not all(_GLOB_LABEL.fullmatch(label) for label in labels):
        fix = "write a host glob like `*.gov` or a domain like `example.com`"
        raise where.error(f"is not a host pattern: {raw!r}", fix)
    return ".".join(labels)


def exempt_pattern(value: object, where: Where) -> str:
    """An ``exit_notice.exempt`` entry: a host glob that does not match every host."""
    pattern = host_glob(value, where)
    if not pattern.replace("*", "").replace(".", "").replace("?", ""):
        fix = 'to stop checking exit notices, write `exit-notice-missing = "off"` under [rules]'
        raise where.error(f"{pattern!r} exempts every destination", fix)
    return pattern


def regex(value: object, where: Where) -> str:
    """A Python regular expression, kept as written."""
    pattern = string(value, where)
    try:
        re.compile(pattern)
    except re.error as exc:
        fix = "use Python `re` syntax; in single quotes TOML keeps backslashes: '\\.pdf$'"
        raise where.error(f"is not a valid regular expression: {exc}", fix) from exc
    return pattern


def css_selector(value: object, where: Where) -> str:
    """A CSS selector the reader can match on a page, kept as written."""
    selector = string(value, where)
    try:
        selector_path(selector)
    except ValueError as exc:
        fix = "write a selector such as `a.ext` or `a[data-exit-notice]` (no pseudo-elements)"
        raise where.error(f"is not a usable CSS selector: {selector!r} ({exc})", fix) from exc
    return selector


def interstitial(value: object, where: Where) -> str:
    """A first-party route with ``{url}`` once: ``/leaving?url={url}`` or an absolute URL."""
    route = string(value, where).strip()
    fix = "write a route like `/leaving?url={url}`, where {url} is the destination"
    if route.count("{url}") != 1:
        raise where.error(f"must contain `{{url}}` exactly once: {route!r}", fix)
    absolute = urls.parse(route.replace("{url}", "x")) if "://" in route else None
    if not route.startswith("/") and (absolute is None or absolute.protocol not in _WEB):
        fix = "start it with `/`, e.g. `/leaving?url={url}`, or write an absolute http(s) URL"
        raise where.error(f"is neither a path nor an http(s) URL: {route!r}", fix)
    return route


def relative_glob(value: object, where: Where) -> str:
    """A glob relative to a folder (``templates/**/*.html``) that stays inside it: Path.glob
    refuses absolute ones, and ``..`` would climb out of the folder a pull request names."""
    pattern = string(value, where)
    if PurePosixPath(pattern).is_absolute() or PureWindowsPath(pattern).is_absolute():
        fix = (
            f"write it relative to the folder scanned, e.g. `{pattern.lstrip('/') or '**/*.html'}`"
        )
        raise where.error(f"must be a relative glob, not {pattern!r}", fix)
    if ".." in PureWindowsPath(pattern).parts:  # either separator
        inside = "/".join(p for p in PureWindowsPath(pattern).parts if p != "..") or "**/*.html"
        fix = f"write it from the folder scanned down, without `..`, e.g. `{inside}`"
        raise where.error(f"must stay inside the folder, not climb out: {pattern!r}", fix)
    return pattern


def iso_date(value: object, where: Where) -> date:
    """A TOML date (``2027-03-31``), a date-time (its date) or an ISO date string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    fix = f"write an unquoted date, e.g. `{where.name} = 2027-03-31`"
    if not isinstance(value, str):
        raise where.error(f"must be a date, not {describe(value)}", fix)
    for parse in (date.fromisoformat, lambda s: datetime.fromisoformat(s).date()):
        try:
            return parse(value.strip())
        except ValueError:
            continue
    raise where.error(f"is not an ISO date: {value!r}", fix)
