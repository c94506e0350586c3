"""The portfolio report drawn: Markdown and one self-contained HTML file, with the site
report's conventions (``linkguard.reporters.html``): autoescaped Jinja2, crawled text set
apart in ``<bdi>``, inline CSS allowed by its hash in a Content-Security-Policy that
forbids every fetch and every script; there is no JavaScript at all, so nothing depends on
it. And ``saved``: a portfolio's folder read back, for ``linkguard portfolio report``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from linkguard._version import __version__
from linkguard.errors import ConfigError
from linkguard.model import ScanResult, Severity
from linkguard.portfolio._spec import Site
from linkguard.portfolio._summary import SCHEMA, Portfolio, build
from linkguard.results import from_json

# Jinja2 and the HTML reporter (~30 ms of imports) load when a portfolio is rendered, not
# with every command of the CLI, which imports this package to register its own.
if TYPE_CHECKING:
    from jinja2 import Environment

SEVERITIES = tuple(str(s) for s in Severity)


def markdown(portfolio: Portfolio) -> str:
    """The portfolio as Markdown (a pull request comment, a wiki page)."""
    from linkguard.reporters.html import when

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ").replace("`", "'")

    out = [
        f"# linkguard portfolio: {portfolio.status}",
        "",
        f"{len(portfolio.sites)} sites, run {when(portfolio.started)} to "
        f"{when(portfolio.finished)}.",
        "",
        "## Sites",
        "",
        "| site | verdict | pages | exit notices | " + " | ".join(SEVERITIES) + " | report |",
        "|---|---|---:|---:|" + "---:|" * len(SEVERITIES) + "---|",
    ]
    for row in portfolio.sites:
        counts = " | ".join(str(row.findings.get(s, 0)) for s in SEVERITIES)
        report = f"[report]({row.report})" if row.report else cell(row.error or "")
        out.append(
            f"| {cell(row.site.name)} | {row.status} | {row.pages} | {row.coverage} | "
            f"{counts} | {report} |"
        )
    out += ["", "## Third parties by site", ""]
    if portfolio.vendors:
        names = [row.site.name for row in portfolio.sites]
        out.append("| vendor | sites | undeclared on | " + " | ".join(map(cell, names)) + " |")
        out.append("|---|---:|---:|" + "---|" * len(names))
        marks = {"declared": "declared", "undeclared": "**undeclared**", "partly": "partly"}
        for vendor in portfolio.vendors:
            label = cell(vendor.vendor) + (f" ({cell(vendor.name)})" if vendor.name else "")
            cells = " | ".join(marks.get(vendor.cells.get(n, ""), "") for n in names)
            out.append(f"| {label} | {vendor.sites} | {vendor.undeclared_sites} | {cells} |")
    else:
        out.append("No site sends data to a third party.")
    out += ["", "## Findings shared by sites", ""]
    if portfolio.shared:
        out.append("| sites | severity | rule | target | where |")
        out.append("|---:|---|---|---|---|")
        for shared in portfolio.shared:
            where = ", ".join(f"{cell(n)} ({c})" for n, c in shared.sites.items())
            out.append(
                f"| {len(shared.sites)} | {shared.severity} | {shared.rule} | "
                f"`{cell(shared.target)}` | {where} |"
            )
    else:
        out.append("No finding appears on more than one site.")
    return "\n".join(out) + "\n"


def html(portfolio: Portfolio) -> str:
    """The portfolio as one self-contained HTML document."""
    from markupsafe import Markup

    env = _environment()
    css = Markup(env.get_template("portfolio.css.j2").render())
    policy = (
        "default-src 'none'; "
        f"style-src '{_sha256(css)}'; script-src 'none'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    return env.get_template("portfolio.html.j2").render(
        p=portfolio, css=css, csp=policy, severities=SEVERITIES, version=__version__
    )


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _load(name: str) -> str | None:
    from importlib.resources import files

    resource = files("linkguard.templates").joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    from linkguard.reporters.html import isolated, when

    env = Environment(
        loader=FunctionLoader(_load),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["bdi"] = isolated
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["when"] = when
    return env


def saved(folder: Path) -> Portfolio:
    """The portfolio a run wrote to ``folder`` (its ``portfolio.json`` and each site's
    ``sites/NAME/results.json``), rebuilt from the saved results; a ConfigError (exit
    code 2) naming the file when one is missing or not what a run writes."""
    index = folder / "portfolio.json"
    tip = "pass the --output folder of a `linkguard portfolio run`"
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{index}: cannot read the portfolio index ({exc})", tip=tip) from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ConfigError(f"{index}: not a linkguard portfolio index", tip=tip)
    outcomes: list[tuple[Site, ScanResult | None, str | None]] = []
    try:
        for entry in data["sites"]:
            site = Site.from_dict(entry)
            results = folder / "sites" / site.name / "results.json"
            if entry.get("status") == "NOT SCANNED" and not results.is_file():
                outcomes.append((site, None, entry.get("error")))
                continue
            try:
                text = results.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"{results}: cannot read ({exc.strerror})", tip=tip) from exc
            outcomes.append((site, from_json(text, source=str(results)), None))
        run = data["run"]
        return build(outcomes, str(run["started"]), str(run["finished"]))
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{index}: malformed portfolio index ({exc!r})", tip=tip) from exc
