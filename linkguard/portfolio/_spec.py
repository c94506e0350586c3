"""``portfolio.toml``: the sites a portfolio run scans, read and checked before any work.

    [[site]]
    name = "shop"                       # a folder name: letters, digits, '.', '_', '-'
    target = "https://shop.example/"    # a URL, or a folder relative to this file
    config = "policies/shop.toml"       # the site's policy file, relative to this file
    browser = true                      # optional: browser mode (the target must be a URL)
    tags = ["brand:acme", "country:ch"] # optional

Every error names the file, the key (``site[2].config``) and the fix, and exits 2. Each
site's policy file is loaded here too, so a typo in one of twenty policies stops the run
before the first page rather than failing one site an hour in.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkguard.config import load_policy
from linkguard.errors import ConfigError
from linkguard.scan import is_url

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KEYS = ("name", "target", "config", "browser", "tags")
_EXAMPLE = '[[site]]\nname = "shop"\ntarget = "https://shop.example.com/"\nconfig = "shop.toml"'


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """One site of the portfolio, its paths absolute (they are resolved against the
    portfolio file, so a worker anywhere that sees the same paths reads the same files)."""

    name: str
    target: str
    config: str
    browser: bool = False
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "target": self.target,
            "config": self.config,
            "browser": self.browser,
            "tags": list(self.tags),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Site:
        return cls(
            name=str(data["name"]),
            target=str(data["target"]),
            config=str(data["config"]),
            browser=bool(data.get("browser", False)),
            tags=tuple(str(t) for t in data.get("tags", ())),
        )


def load_portfolio(path: Path) -> tuple[Site, ...]:
    """The sites ``path`` lists, checked; a ConfigError (exit code 2) naming file, key and
    fix for the first thing wrong."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{file}: cannot read the portfolio file ({exc.strerror})",
            tip="pass the path of a portfolio.toml",
        ) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text", tip="save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})", tip="fix the TOML syntax") from exc
    for key in data:
        if key != "site":
            raise ConfigError.at(
                file, key, "is not a portfolio key", "list sites as [[site]] tables, nothing else"
            )
    sites = data.get("site")
    if not isinstance(sites, list) or not sites:
        raise ConfigError(f"{file}: lists no site", tip=f"add a site:\n{_EXAMPLE}")
    base = path.resolve().parent
    checked = [_site(item, f"site[{i}]", file, base) for i, item in enumerate(sites)]
    seen: dict[str, int] = {}
    for i, site in enumerate(checked):
        if site.name.lower() in seen:
            raise ConfigError.at(
                file,
                f"site[{i}].name",
                f"{site.name!r} is also site[{seen[site.name.lower()]}]'s name",
                "give every site its own name: it is the folder its reports go to",
            )
        seen[site.name.lower()] = i
    return tuple(checked)


def _site(item: object, key: str, file: str, base: Path) -> Site:
    if not isinstance(item, dict):
        raise ConfigError.at(file, key, "is not a table", f"write it as:\n{_EXAMPLE}")
    for name in item:
        if name not in _KEYS:
            raise ConfigError.at(
                file, f"{key}.{name}", "is not a site key", f"use only {', '.join(_KEYS)}"
            )
    for name in ("name", "target", "config"):
        if not isinstance(item.get(name), str) or not item[name]:
            raise ConfigError.at(
                file, f"{key}.{name}", "is missing or not a string", f"write it as:\n{_EXAMPLE}"
            )
    name = item["name"]
    if not _NAME.fullmatch(name):
        raise ConfigError.at(
            file,
            f"{key}.name",
            f"{name!r} cannot be a folder name",
            "use letters, digits, '.', '_' and '-' (at most 64), starting with a letter or digit",
        )
    browser = item.get("browser", False)
    if not isinstance(browser, bool):
        raise ConfigError.at(file, f"{key}.browser", "is not true or false", "write browser = true")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError.at(
            file, f"{key}.tags", "is not a list of strings", 'write tags = ["brand:x", "ch"]'
        )
    target = item["target"]
    if is_url(target):
        pass
    elif "://" in target:
        raise ConfigError.at(
            file, f"{key}.target", f"{target!r} is not an http(s) URL", "use http:// or https://"
        )
    else:
        folder = base / target
        if not folder.is_dir():
            raise ConfigError.at(
                file,
                f"{key}.target",
                f"{folder} is not a folder",
                "pass a URL or a folder of built HTML (relative to the portfolio file)",
            )
        if browser:
            raise ConfigError.at(
                file,
                f"{key}.browser",
                "browser mode visits pages over HTTP, and the target is a folder",
                "serve the folder and give its URL as target, or drop browser = true",
            )
        target = str(folder)
    config = base / item["config"]
    if not config.is_file():
        raise ConfigError.at(
            file,
            f"{key}.config",
            f"{config} is not a file",
            "give the site's policy file (linkguard.toml), relative to the portfolio file",
        )
    load_policy(config)  # its own errors name its file and key
    return Site(
        name=name,
        target=target,
        config=str(config),
        browser=browser,
        tags=tuple(sorted(set(tags))),
    )
