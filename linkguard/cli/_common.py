"""What every command shares: the error boundary, reading results files, and turning the
policy file and command-line options into the Policy and CrawlConfig the core runs with."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import ParamSpec

import typer

from linkguard._localfile import shown_name
from linkguard.config import (
    MAX_DEPTH,
    MAX_PAGES,
    CrawlConfig,
    Policy,
    PolicyErrors,
    discover_policy,
    load_policy,
    policy_from_mapping,
)
from linkguard.display import log_line, shown
from linkguard.errors import ConfigError, LinkguardError
from linkguard.model import ScanResult
from linkguard.results import from_json
from linkguard.scan import is_url
from linkguard.scan.request import DEFAULT_FOLDER_ORIGIN, origin_assumed

P = ParamSpec("P")


def say(text: str) -> None:
    """Print ``text`` on stderr, line by line, with what came from a page, a file name or a
    server shown escaped: a target, an error or a tip can quote any of them, and a terminal
    or a CI log must not obey them (linkguard.display)."""
    typer.echo("\n".join(log_line(shown(line)) for line in text.split("\n")), err=True)


def explain(error: LinkguardError) -> int:
    """Print the error as one line (and its tip) on stderr; its exit code, for the caller to
    exit with. A mistake the user can fix gets words, never a traceback; each mistake of a
    policy file gets its own line and tip, and a count follows them."""
    if isinstance(error, PolicyErrors):
        for each in error.errors:
            say(f"linkguard: error: {each}")
        say(f"linkguard: {len(error.errors)} mistakes in the policy; fix them and run again")
        return error.exit_code
    say(f"linkguard: error: {error}")
    return error.exit_code


def error_boundary(command: Callable[P, None]) -> Callable[P, None]:
    """The command, with any LinkguardError it raises explained and turned into its exit
    code (2 for the user's configuration, 3 for a scan that could not run).

    Every command goes through this one boundary, so they all fail the same way; anything
    else that escapes is a bug and keeps its traceback.
    """

    @functools.wraps(command)  # Typer reads the options from the wrapped signature
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except LinkguardError as error:
            raise typer.Exit(explain(error)) from None

    return run


def read_results(path: Path) -> ScanResult:
    """The results file at ``path``; a ConfigError (exit code 2) when it cannot be read or
    is not a linkguard results file."""
    tip = "pass a file written by `linkguard scan --format json`"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read results file ({exc.strerror})", tip=tip) from exc
    except UnicodeDecodeError as exc:
        message = f"{path}: not a results file: not UTF-8 text (byte 0x{exc.object[exc.start]:02x})"
        raise ConfigError(message, tip=tip) from exc
    return from_json(text, source=str(path))


def policy_for(config: Path | None, target: str | None) -> Policy:
    """The policy in ``--config``, else the one found next to a folder target or in the
    current directory, else the defaults."""
    if config is not None:
        utf8_name(str(config), "policy file")
        if not config.exists():
            raise ConfigError(
                f"{config}: no such config file",
                tip="pass the path of a linkguard.toml, or omit --config",
            )
        return load_policy(config)
    folder = Path(target) if target and not is_url(target) else None
    found = discover_policy(folder, Path.cwd())
    return load_policy(found) if found else Policy()


_COUNTS = {"max_pages": MAX_PAGES, "max_depth": MAX_DEPTH, "concurrency": 256, "retries": 10}
_LISTS = ("include", "exclude")


def crawl_options(policy: Policy, **overrides: object) -> CrawlConfig:
    """The policy's crawl settings with the options that were given (None: not given):
    option > policy file > default. Counts below 1 (retries: below 0) are refused rather
    than read as "no limit", and counts past the policy file's bounds as they are there; a
    regular expression, a timeout and a User-Agent are checked as the file's are."""
    given = {k: v for k, v in overrides.items() if v is not None and v != []}
    for name, most in _COUNTS.items():
        value = given.get(name)
        option = f"--{name.replace('_', '-')}"
        least = 0 if name == "retries" else 1
        if isinstance(value, int) and value < least:
            raise ConfigError(f"{option} must be at least {least}, not {value}")
        if isinstance(value, int) and value > most:
            raise ConfigError(
                f"{option} must be from {least} to {most}, not {value}",
                tip="no site needs more; the policy file's [crawl] keys have the same bounds",
            )
    for name in _LISTS:
        patterns = given.get(name)
        if isinstance(patterns, list | tuple):
            given[name] = tuple(_regex(f"--{name}", str(p)) for p in patterns)
    timeout = given.get("timeout")
    if isinstance(timeout, float) and not (math.isfinite(timeout) and timeout > 0):
        raise ConfigError(f"--timeout must be a number of seconds above 0, not {timeout:g}")
    agent = given.get("user_agent")
    if isinstance(agent, str) and (not agent.strip() or not agent.isprintable()):
        raise ConfigError("--user-agent must be one line of printable text, not empty")
    return replace(policy.crawl, **given)  # type: ignore[arg-type]


def _regex(option: str, pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"{option} {pattern!r} is not a valid regular expression: {exc}",
            tip="use Python re syntax, quoted for the shell: --exclude '\\.pdf$'",
        ) from exc
    return pattern


_SHOWN = ("max_pages", "max_depth", "concurrency", "delay", "timeout", "retries", "include",
          "exclude", "user_agent", "respect_robots")  # fmt: skip


def crawl_settings(policy: Policy, crawl: CrawlConfig) -> str:
    """The crawl settings a run uses and where each came from, for ``-vv``: an option, the
    policy file, or the default."""
    default = CrawlConfig()
    lines = []
    for name in _SHOWN:
        value, filed = getattr(crawl, name), getattr(policy.crawl, name)
        where = (
            "option"
            if value != filed
            else "policy file"
            if filed != getattr(default, name)
            else "default"
        )
        lines.append(f"  crawl.{name} = {value!r} ({where})")
    return "\n".join(["crawl settings:", *lines])


def with_site(policy: Policy, origin: str | None, first_party: list[str] | None) -> Policy:
    """The policy with --origin and --first-party applied, checked like the policy file."""
    given: dict[str, object] = {}
    if origin is not None:
        given["origin"] = origin
    if first_party:
        given["first_party"] = list(first_party)
    if not given:
        return policy
    checked = policy_from_mapping({"site": given}, source="command line").site
    site = policy.site
    if origin is not None:
        site = replace(site, origin=checked.origin)
    if first_party:
        site = replace(site, first_party=site.first_party + checked.first_party)
    return replace(policy, site=site)


def utf8_name(path: str, what: str) -> str:
    """``path`` when its name is UTF-8 text; a ConfigError (exit code 2) when it is not: the
    results record it, and no UTF-8 output can carry it."""
    shown = shown_name(path)
    if shown != path:
        raise ConfigError(
            f"{shown}: the {what}'s name is not UTF-8 text",
            tip="rename it in UTF-8, or run linkguard from where a relative path to it is UTF-8",
        )
    return path


def checked_target(target: str) -> str:
    """``target`` when it is an http(s) URL or a folder; a ConfigError (exit code 2) when it
    is neither, so a mistyped path is not read as a site with no pages."""
    utf8_name(target, "target")
    if not is_url(target) and not Path(target).is_dir():
        raise ConfigError(
            f"{target}: neither an http(s) URL nor a folder",
            tip="pass https://www.example.com/ or a folder of built HTML",
        )
    return target


def warn_without_origin(target: str, policy: Policy) -> None:
    """Warn on stderr when a folder is read with no site origin: it is then judged as
    served from plain-http ``http://localhost``, which no one wants to learn from a report
    full of ``insecure-form`` findings."""
    if not origin_assumed(target, policy):
        return
    say(
        f"linkguard: warning: no site origin is set, so {target} is read as "
        f"{DEFAULT_FOLDER_ORIGIN}: its pages are judged as served over plain http "
        "(every form is an insecure-form)\n"
        "  tip: set `origin` in the [site] table of linkguard.toml, "
        "or pass --origin https://www.example.com"
    )


def say_nothing_checked(why: str, target: str, *, templates: bool = False) -> None:
    """Say on stderr that the run checked nothing, why, and where to look."""
    if templates:
        tip = f"check --templates {target} and the policy's [templates] paths and exclude"
    elif is_url(target):
        tip = (
            f"check that {target} answers with an HTML page from where linkguard runs "
            "(the URL, the server, a firewall, a login wall)"
        )
    else:
        tip = f"check that {target} is the folder the build writes its .html files to"
    say(f"linkguard: error: nothing was checked: {why}\n  tip: {tip}")
