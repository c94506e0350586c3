"""The policy file (``linkguard.toml`` or ``[tool.linkguard]`` in pyproject.toml) as frozen values.

``load_policy`` reads a file, ``discover_policy`` finds one, and ``policy_from_mapping``
validates already-parsed TOML (tests and ``linkguard init`` use it). Every problem is a
ConfigError that names the file, the dotted key (``third_party[2].hosts[0]``, indexes from 0),
the problem and what would be valid; the value checkers live in ``linkguard.config._checks``.

Beyond the keys every site needs ([site], [[third_party]], [rules]):

- ``[exit_notice]``: ``selectors`` or ``text``, when given, replace the built-in conventions
  (``DEFAULT_NOTICE_SELECTORS``, ``DEFAULT_NOTICE_TEXT``); ``extend_defaults = true`` keeps
  them and adds the site's own. ``drupal_extlink = false`` stops reading Drupal's extlink
  settings from the page.
- ``[crawl]``: ``timeout`` (seconds per page), ``max_bytes``, ``user_agent``, ``contact``,
  ``ignore_params`` (query parameters that do not change a page), ``sitemaps``, ``retries``
  (for 429/503), ``max_per_pattern`` (pages per path shape, against crawler traps),
  ``per_host`` (requests in flight to one host; 0 means ``concurrency``), ``max_failed_share``
  (the share of pages, 0 to 1, that may fail before the run is incomplete and does not pass),
  ``origins`` (first-party origins on a port of their own that the crawl may follow).
- ``[templates]``: ``paths`` and ``exclude``, globs of template sources for ``--templates``;
  ``engine``, the template language of files whose suffix names none (masking).
- ``[browser]`` (``scan --browser``): ``enabled``, ``pages``, ``concurrency``, ``dwell``,
  ``viewport``, ``args`` (extra Chromium switches), ``timeout``, ``consent``; ``[[cookie]]``:
  the site's own cookies (``name`` pattern, ``purpose``, ``max_age``); ``[[third_party]]``
  entries gain ``cookies`` (name patterns) and ``consent``.
- ``[[waiver]]``: ``rule`` (a rule id or ``"*"``), ``reason``, ``page`` and/or ``host`` globs,
  ``expires`` (a TOML date such as ``2027-03-31``).

A rule id, in ``[rules]`` or a waiver, is any id of the catalogue (``linkguard.rules.RULES``),
the rules the scan raises included: ``internal-error`` can be waived for a page while a
linkguard bug is being fixed, as ``crawl-error`` can for a page that cannot be fetched.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import linkguard.config._checks as check
from linkguard.config._checks import Where
from linkguard.config._collect import collected, failing, gather
from linkguard.errors import ConfigError
from linkguard.extract.masking import ENGINES
from linkguard.model import Kind, Severity
from linkguard.policy import (
    DEFAULT_NOTICE_SELECTORS,
    DEFAULT_NOTICE_TEXT,
    BrowserConfig,
    ConsentConfig,
    CookieDecl,
    CrawlConfig,
    ExitNoticeConfig,
    HistoryConfig,
    Policy,
    SiteConfig,
    TemplatesConfig,
    ThirdPartyDecl,
    Waiver,
)
from linkguard.rules import RULES

# -- reading -----------------------------------------------------------------------------------


def load_policy(path: Path) -> Policy:
    """The policy in ``path``: a linkguard.toml, or a pyproject.toml's [tool.linkguard] table."""
    raw = _read(path)
    data = _parse_toml(raw, str(path))
    where = Where(str(path))
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        if not isinstance(tool, dict) or "linkguard" not in tool:
            fix = "add a [tool.linkguard] table, or put the policy in linkguard.toml"
            raise ConfigError(f"{path}: has no [tool.linkguard] table", tip=fix)
        data, where = tool["linkguard"], Where(str(path), "tool.linkguard")
    policy = collected(lambda: _policy_at(data, where))
    return replace(policy, path=str(path), sha256=hashlib.sha256(raw).hexdigest())


def discover_policy(target: Path | None, cwd: Path) -> Path | None:
    """The policy file a command uses when given no --config, or None.

    In order: ``linkguard.toml`` in ``target`` when it is a folder, ``linkguard.toml`` in
    ``cwd``, then ``cwd``'s pyproject.toml when it has a [tool.linkguard] table.
    """
    candidates = [target / "linkguard.toml"] if target is not None and target.is_dir() else []
    candidates.append(cwd / "linkguard.toml")
    found = next((path for path in candidates if path.is_file()), None)
    if found is None and (cwd / "pyproject.toml").is_file():
        found = cwd / "pyproject.toml" if _has_tool_table(cwd / "pyproject.toml") else None
    return found


def policy_from_mapping(data: Mapping[str, Any], *, source: str) -> Policy:
    """Validate parsed TOML into a Policy; errors name ``source`` as the file."""
    return collected(lambda: _policy_at(data, Where(source)))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fix = "pass the path of a linkguard.toml or a pyproject.toml"
        raise ConfigError(f"{path}: cannot read the policy file ({exc.strerror})", tip=fix) from exc


def _parse_toml(raw: bytes, file: str) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM some Windows editors write
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"{file}:{line}:{column}: not UTF-8 text (byte 0x{raw[exc.start]:02x})"
        raise ConfigError(message, tip="save the file as UTF-8: TOML files must be UTF-8") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(file, text, str(exc)) from exc
    except RecursionError as exc:  # tomllib recurses once per level of nesting
        fix = "a policy needs arrays and tables a few levels deep at most"
        raise ConfigError(
            f"{file}: invalid TOML: arrays or tables nested too deeply", tip=fix
        ) from exc


_TWICE = "a key or [table] is written twice; repeated entries use [[double brackets]]"
_SYNTAX_TIPS = (
    ("Invalid value", 'strings need double quotes (`origin = "https://..."`); '
     "numbers, dates and true/false take none"),
    ("Cannot overwrite", _TWICE),
    ("Cannot declare", _TWICE),
)  # fmt: skip


def _syntax_error(file: str, text: str, message: str) -> ConfigError:
    """``file:line:column: invalid TOML: reason``, the place taken from tomllib's message."""
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    end = re.search(r"\s*\(at end of document\)$", message)
    if at:
        place, reason = f"{at[1]}:{at[2]}", message[: at.start()]
    else:
        place = str(text.count("\n") + 1)
        reason = message[: end.start()] if end else message
    tip = next((t for start, t in _SYNTAX_TIPS if reason.startswith(start)), "see https://toml.io")
    return ConfigError(f"{file}:{place}: invalid TOML: {reason}", tip=tip)


def _has_tool_table(pyproject: Path) -> bool:
    """Whether pyproject.toml has [tool.linkguard]; a broken file is judged by its text, so
    that load_policy reports what is wrong with it."""
    try:
        raw = pyproject.read_bytes()
    except OSError:
        return False
    try:
        tool = tomllib.loads(raw.decode("utf-8-sig")).get("tool")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return re.search(rb"^\s*\[\s*tool\s*\.\s*linkguard\b", raw, re.MULTILINE) is not None
    return isinstance(tool, dict) and "linkguard" in tool


# -- validating --------------------------------------------------------------------------------

T = TypeVar("T")
# Bounds past any real site, so that a number past reason (``max_pages = 10**30``) is a
# clear error rather than a crash where it is used: 10 million pages is 200 times the
# largest crawl measured (50,000 pages, 570 MB); a page is held in memory whole, so 1 GiB.
MAX_PAGES = 10_000_000
MAX_DEPTH = 100_000
MAX_BYTES = 1024**3
_KINDS = {kind.value: kind for kind in Kind}
_SEVERITIES: dict[str, Severity | None] = {s.value: s for s in Severity} | {"off": None}


def _section(build: Callable[..., T], schema: check.Schema, **required: str) -> check.Checker[T]:
    """A checker that validates a table against ``schema`` and builds it with ``build``."""
    return lambda value, where: build(**check.check_table(value, where, schema, required))


def _rule_id(value: object, where: Where) -> str:
    """A waiver's rule: a rule id, or "*" for every rule."""
    rule = check.string(value, where)
    if rule != "*" and rule not in RULES:
        raise where.error(
            f"unknown rule id {rule!r}", check.suggest(rule, [*RULES, "*"], "rule ids")
        )
    return rule


def _rules(value: object, where: Where) -> tuple[tuple[str, Severity | None], ...]:
    """``[rules]``: rule id -> error | warning | info | off."""
    severity = check.choice(_SEVERITIES, "severity", "severities")
    known = RULES.keys()
    unknown = [rule for rule in value if rule not in known] if isinstance(value, dict) else []
    gather([
        (rule, failing(where.at(rule).error(
            f"unknown rule id `{rule}`", check.suggest(rule, known, "rule ids"))))
        for rule in unknown
    ])  # fmt: skip
    return tuple(check.check_table(value, where, dict.fromkeys(known, severity)).items())


def _kinds(value: object, where: Where) -> frozenset[Kind]:
    fix = "omit `kinds` to declare the vendor for any kind"
    return frozenset(
        check.array(check.choice(_KINDS, "kind", "kinds"), min_items=1, fix=fix)(value, where)
    )


def _exit_notice(value: object, where: Where) -> ExitNoticeConfig:
    """``[exit_notice]``; ``extend_defaults = true`` adds the site's selectors and text to the
    built-in conventions instead of replacing them."""
    fields = check.check_table(value, where, _EXIT_NOTICE)
    if fields.pop("extend_defaults", False):
        fields["selectors"] = _unique(DEFAULT_NOTICE_SELECTORS + fields.get("selectors", ()))
        fields["text"] = _unique(DEFAULT_NOTICE_TEXT + fields.get("text", ()))
    return ExitNoticeConfig(**fields)


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _third_parties(value: object, where: Where) -> tuple[ThirdPartyDecl, ...]:
    """``[[third_party]]`` entries; two with the same name are an error."""
    decls = check.tables(_THIRD_PARTY)(value, where)
    seen: dict[str, int] = {}
    twice: list[tuple[str, Callable[[], object]]] = []
    for i, decl in enumerate(decls):
        first = seen.setdefault(decl.name.strip().casefold(), i)
        if first != i:
            fix = f"merge it into {where.key}[{first}], or give each entry its own name"
            error = where.index(i).at("name").error(f"{decl.name!r} is declared twice", fix)
            twice.append((str(i), failing(error)))
    gather(twice)
    return decls


def _waiver(value: object, where: Where) -> Waiver:
    fields = check.check_table(value, where, _WAIVER, {
        "rule": 'write `rule = "exit-notice-missing"`, or "*" for every rule',
        "reason": 'write `reason = "..."`: why the finding is accepted, for the next reader',
    })  # fmt: skip
    if "page" not in fields and "host" not in fields:
        fix = 'add `page = "/path/*"` and/or `host = "*.example.net"`'
        raise where.error("a waiver needs `page` or `host`, or it would waive everywhere", fix)
    return Waiver(**fields)


def _cookie_name(value: object, where: Where) -> str:
    """A cookie name pattern: a name, or an fnmatch pattern such as ``_ga_*``."""
    name = check.string(value, where)
    if any(c.isspace() or c in ';=,"' for c in name):
        raise where.error(f"{name!r} is not a cookie name", 'write a name or pattern: "_ga_*"')
    return name


def _switch(value: object, where: Where) -> str:
    """An extra Chromium switch: ``--name`` or ``--name=value``."""
    switch = check.string(value, where)
    if not switch.startswith("--"):
        raise where.error(
            f"{switch!r} is not a Chromium switch", 'write "--ignore-certificate-errors"'
        )
    return switch


def _consent(value: object, where: Where) -> ConsentConfig:
    """``[browser.consent]``: at least one of the banner's buttons."""
    fields = check.check_table(value, where, _CONSENT)
    if not fields.get("accept") and not fields.get("reject"):
        fix = 'add `accept = "#accept-all"` and/or `reject = "#reject-all"` (CSS selectors)'
        raise where.error("names neither button of the consent banner", fix)
    return ConsentConfig(**fields)


def _history(value: object, where: Where) -> HistoryConfig:
    """``[history]``: ``enabled``, ``path`` (a file, relative to the policy file's folder),
    ``external_ttl_days``; a path given while history is off is a mistake worth naming."""
    fields = check.check_table(value, where, _HISTORY)
    if "path" in fields and not fields.get("enabled", False):
        fix = "add `enabled = true` to [history] to record runs there, or remove `path`"
        raise where.at("path").error("is set, but history is not enabled", fix)
    if fields.get("path", "x").endswith(("/", "\\")):
        fix = 'name a file, e.g. `path = ".linkguard/history.sqlite"`'
        raise where.at("path").error(f"names a folder ({fields['path']!r}), not a file", fix)
    return HistoryConfig(**fields)


_HISTORY: check.Schema = {
    "enabled": check.boolean,
    "path": check.string,
    "external_ttl_days": check.number(0, 3650, example=21),
}
_STRINGS = check.array(check.string)
_CONSENT: check.Schema = {
    "accept": check.css_selector,
    "reject": check.css_selector,
    "wait": check.number(0, above=True, example=5),
}
_VIEWPORTS = {"desktop": "desktop", "mobile": "mobile"}
_EXIT_NOTICE: check.Schema = {
    "selectors": check.array(check.css_selector),
    "text": _STRINGS,
    "interstitials": check.array(check.interstitial),
    "exempt": check.array(check.exempt_pattern),
    "drupal_extlink": check.boolean,
    "extend_defaults": check.boolean,
}
_THIRD_PARTY = _section(ThirdPartyDecl, {
    "name": check.string,
    "hosts": check.array(check.vendor_host, min_items=1,
                         fix='list a domain, host or URL prefix: `hosts = ["vendor.com"]`'),
    "purpose": check.any_string,
    "kinds": _kinds,
    "cookies": check.array(_cookie_name),
    "consent": check.choice({"required": "required", "exempt": "exempt"}, "consent", "values"),
}, name='write `name = "Vendor name"`', hosts='write `hosts = ["vendor.com"]`')  # fmt: skip
_COOKIE = _section(CookieDecl, {
    "name": _cookie_name,
    "purpose": check.any_string,
    "max_age": check.integer(0, example=31536000),
}, name='write `name = "session_id"` (a name, or a pattern such as "pref_*")')  # fmt: skip
_WAIVER: check.Schema = {
    "rule": _rule_id,
    "reason": check.string,
    "page": check.string,
    "host": check.host_glob,
    "expires": check.iso_date,
}
_SECTIONS: check.Schema = {
    "site": _section(SiteConfig, {
        "origin": check.origin,
        "first_party": check.array(check.domain_or_host),
    }),
    "crawl": _section(CrawlConfig, {
        "max_pages": check.integer(1, MAX_PAGES, example=5000),
        "max_depth": check.integer(0, MAX_DEPTH, example=25),
        "concurrency": check.integer(1, 256, example=8),
        "delay": check.number(0, example=0.5),
        "respect_robots": check.boolean,
        "include": check.array(check.regex),
        "exclude": check.array(check.regex),
        "timeout": check.number(0, above=True, example=20),
        "max_bytes": check.integer(1, MAX_BYTES, example=10 * 1024 * 1024),
        "user_agent": check.string,
        "contact": check.string,
        "ignore_params": _STRINGS,
        "sitemaps": check.boolean,
        "retries": check.integer(0, 10, example=3),
        "max_per_pattern": check.integer(0, MAX_PAGES, example=1000),
        "per_host": check.integer(0, 256, example=4),
        "max_failed_share": check.number(0, 1, example=0.5),
        "origins": check.array(check.origin),
    }),
    "exit_notice": _exit_notice,
    "third_party": _third_parties,
    "rules": _rules,
    "waiver": check.tables(_waiver),
    "cookie": check.tables(_COOKIE),
    "browser": _section(BrowserConfig, {
        "enabled": check.boolean,
        "pages": check.integer(0, example=50),
        "concurrency": check.integer(1, 32, example=2),
        "dwell": check.number(0, example=3),
        "viewport": check.choice(_VIEWPORTS, "viewport", "viewports"),
        "args": check.array(_switch),
        "timeout": check.number(0, above=True, example=30),
        "consent": _consent,
    }),
    "templates": _section(TemplatesConfig, {
        "paths": check.array(check.relative_glob),
        "exclude": check.array(check.relative_glob),
        "engine": check.choice({e: e for e in ENGINES}, "template engine", "engines"),
    }),
    "history": _history,
}  # fmt: skip
_POLICY_FIELDS = {"third_party": "third_parties", "waiver": "waivers", "cookie": "cookies"}


def _policy_at(data: object, where: Where) -> Policy:
    sections = check.check_table(data, where, _SECTIONS, what="tables")
    return Policy(**{_POLICY_FIELDS.get(key, key): value for key, value in sections.items()})
