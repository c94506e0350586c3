"""The HTML report: the auditors' document, one self-contained file.

Inline CSS and JS, no network: it opens offline from an email attachment and calls no third
party. Crawled data is shown as escaped text (Jinja2 autoescape is on for every template and
nothing crawled is marked safe), each piece isolated in ``<bdi>`` (the ``|bdi`` filter) so
that bidirectional characters in it stay inside it; a page URL becomes a link only when it
is http(s), and then with ``rel="noreferrer noopener"``. Findings are grouped into problems,
by rule and then by what the fix acts on (``_grouping.py``), so a template bug repeated on
500 pages is one row (ARCHITECTURE.md, «The HTML report at scale»).

The HTML holds the first screen of every list, which is the report without JavaScript; the
rest is in an inert JSON block (``_group_data.py``) that the report's script renders a screen
at a time, so a 10,000-page site is a file of a few megabytes with a few thousand elements
open. Rows of the inventory past the first screen wait in a ``<template>``.

The templates live in the ``linkguard.templates`` package (the top-level ``templates/``
folder) and are read with importlib.resources, so they load from a checkout, an editable
install or a wheel alike. The same result always renders to byte-identical HTML.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment, FunctionLoader, StrictUndefined
from markupsafe import Markup

from linkguard._version import __version__
from linkguard.classify import urls
from linkguard.model import DynamicReference, Finding, PageRecord, ScanResult
from linkguard.reporters._browser import (
    RUNTIME_FILTER,
    RUNTIME_LEGEND,
    browser_facts,
    lifetime_text,
    mention_text,
    rendered_facts,
    runtime_tags,
    runtime_text,
    set_by_text,
)
from linkguard.reporters._digest import (
    SEVERITIES,
    Vendor,
    active,
    coverage,
    needing_notice,
    percent,
    rule_for,
    severity_counts,
    suppressed,
    vendor_counts,
    vendors,
)
from linkguard.reporters._group_data import page_records, printable, report_data
from linkguard.reporters._grouping import Problem, RuleProblems, group_problems
from linkguard.reporters._history import history_view, open_since
from linkguard.results.verdict import Verdict, verdict_of
from linkguard.rules import Rule

TEMPLATES = "linkguard.templates"
# Rows per screen. The HTML holds the first screen of every list (what a reader without
# JavaScript gets); the script renders the rest from the data block, a screen at a time.
GROUPS_PER_PAGE = 25  # problems of one rule
PAGES_PER_PAGE = 50  # rows of the by-page view
ROWS_PER_PAGE = 25  # third parties, dynamic references, cookies
OCCURRENCES_SHOWN = 10  # places listed in a group or findings in a page row, without JS
SIZES = {"groups": GROUPS_PER_PAGE, "pages": PAGES_PER_PAGE, "rows": ROWS_PER_PAGE}
DYNAMIC_SHOWN = 1000
_WEB = frozenset({"http", "https"})


def render(result: ScanResult) -> str:
    """The result as one self-contained HTML document."""
    css, js = _asset("report.css"), _asset("report.js")
    template = _environment().get_template("report.html.j2")
    return template.render(report=build(result), css=css, js=js, csp=content_policy(css, js))


def content_policy(css: str, js: str) -> str:
    """A Content-Security-Policy that lets only our own inline CSS and JS run (by hash) and
    forbids every fetch: should crawled text ever slip through as markup, it still could
    neither run nor call anyone."""
    return (
        "default-src 'none'; "
        f"style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


# -- what the template sees ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GroupView:
    """One row of a rule's table: a problem (rule and subject) and where it occurs."""

    problem: Problem
    severity: str
    pages: int
    known: int
    reasons: tuple[str, ...]
    shown: tuple[Finding, ...]  # the first OCCURRENCES_SHOWN, for readers without scripts
    more: int
    runtime: tuple[tuple[str, str], ...] = ()  # the browser's verdicts: (code, words)
    since: str = ""  # open since this day (history), "" when new or unknown


@dataclass(frozen=True, slots=True)
class RuleView:
    rule: Rule
    index: int  # the rule's place in the data block
    severity: str
    count: int
    pages: int
    total: int  # problems (groups)
    groups: tuple[GroupView, ...]  # the first GROUPS_PER_PAGE


@dataclass(frozen=True, slots=True)
class PageView:
    """One row of the by-page view."""

    record: PageRecord
    counts: dict[str, int]
    findings: tuple[Finding, ...]  # the first OCCURRENCES_SHOWN
    more: int
    rules: tuple[str, ...]
    hosts: tuple[str, ...]

    @property
    def severities(self) -> tuple[str, ...]:
        return tuple(s for s, n in self.counts.items() if n)


@dataclass(frozen=True, slots=True)
class Coverage:
    outbound: int
    noticed: int
    exempt: int  # need no notice: neither noticed nor counted in ``needed``
    needed: int  # outbound links that need a notice: the share's denominator
    share: float | None
    label: str  # "92.3%" or "n/a"
    arc: float  # 0..100, the donut's filled part
    tone: str  # ok (every link), warn (90% or more), bad
    mechanisms: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Report:
    result: ScanResult
    version: str
    verdict: Verdict
    counts: dict[str, int]
    known: dict[str, int]
    total: int
    groups: int  # problems among the active findings
    bar: tuple[tuple[str, int, float, float], ...]  # severity, count, x, width (percent)
    coverage: Coverage
    vendors: tuple[Vendor, ...]
    declared: int
    undeclared: int
    linked: int
    rules: tuple[RuleView, ...]
    pages: tuple[PageView, ...]  # the first PAGES_PER_PAGE
    page_total: int
    suppressed: tuple[RuleView, ...]
    suppressed_count: int
    dynamic: tuple[DynamicReference, ...]
    rule_options: tuple[tuple[str, str], ...]
    data: Markup  # the embedded data block's text (report_data: already inert)
    runtime_legend: str  # what the browser's verdicts mean, when any finding has one
    rendered: str | None  # the exit notices as a browser rendered them (browser mode)
    sizes: dict[str, int]  # rows per screen of each list, shared with the script
    label: Callable[[str], str]
    href: Callable[[str], str | None]
    source: Callable[[Finding], str]
    when: Callable[[str], str]
    since: Callable[[Iterable[Finding]], str]  # open since (history), "" when new or unknown


def build(result: ScanResult) -> Report:
    """Everything the template shows, computed once (the template only lays it out)."""
    findings = active(result)
    silenced = suppressed(result)
    counts = severity_counts(findings)
    listed = vendors(result.third_parties, scanned=result.summary.pages)
    kinds = vendor_counts(listed)
    problems = group_problems(findings)
    hidden = group_problems(silenced)
    since = open_since(result)
    rules = _rule_views(problems, 0, since)
    every = (*findings, *silenced)
    origin = result.run.origin
    records = page_records(result, findings)

    def label(url: str) -> str:
        return _label(url, origin)

    sections = (("findings", problems), ("suppressed", hidden))
    data = report_data(records, sections, label, _href, since)
    return Report(
        result=result,
        version=result.run.tool_version or __version__,
        verdict=verdict_of(result),
        counts=counts,
        known=severity_counts(f for f in findings if f.known),
        total=len(findings),
        groups=sum(len(r.problems) for r in problems),
        bar=_bar(counts),
        coverage=_coverage(result),
        vendors=listed,
        declared=kinds["declared"],
        undeclared=kinds["undeclared"],
        linked=kinds["linked"],
        rules=rules,
        pages=_pages(records[:PAGES_PER_PAGE], findings),
        page_total=len(records),
        suppressed=_rule_views(hidden, len(problems), since),
        suppressed_count=len(silenced),
        dynamic=result.dynamic[:DYNAMIC_SHOWN],
        rule_options=tuple(sorted({(f.rule, rule_for(f.rule).name) for f in every})),
        data=Markup(data),
        runtime_legend=RUNTIME_LEGEND if any(f.runtime for f in every) else "",
        rendered=rendered_facts(result),
        sizes=dict(SIZES),
        label=label,
        href=_href,
        source=_source,
        when=when,
        since=since,
    )


def _rule_views(
    problems: Sequence[RuleProblems], first: int, since: Callable[[Iterable[Finding]], str]
) -> tuple[RuleView, ...]:
    return tuple(
        RuleView(
            rp.rule,
            first + n,
            str(rp.severity),
            rp.count,
            rp.pages,
            len(rp.problems),
            tuple(_group_view(p, since) for p in rp.problems[:GROUPS_PER_PAGE]),
        )
        for n, rp in enumerate(problems)
    )


def _group_view(problem: Problem, since: Callable[[Iterable[Finding]], str]) -> GroupView:
    return GroupView(
        problem,
        str(problem.severity),
        problem.pages,
        problem.known,
        problem.reasons,
        problem.findings[:OCCURRENCES_SHOWN],
        max(0, len(problem.findings) - OCCURRENCES_SHOWN),
        runtime_tags(problem.findings),
        since(problem.findings),
    )


def _pages(records: Sequence[PageRecord], findings: Sequence[Finding]) -> tuple[PageView, ...]:
    shown = {r.url for r in records}
    by_page: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.page in shown:
            by_page.setdefault(finding.page, []).append(finding)
    views = []
    for record in records:
        items = sorted(
            by_page.get(record.url, ()), key=lambda f: (-f.severity.rank, f.line, f.rule)
        )
        views.append(
            PageView(
                record,
                severity_counts(items),
                tuple(items[:OCCURRENCES_SHOWN]),
                max(0, len(items) - OCCURRENCES_SHOWN),
                _distinct(f.rule for f in items),
                _distinct(f.host for f in items if f.host),
            )
        )
    return tuple(views)


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def _bar(counts: dict[str, int]) -> tuple[tuple[str, int, float, float], ...]:
    total = sum(counts.values())
    parts, x = [], 0.0
    for severity in map(str, SEVERITIES):
        width = round(100 * counts[severity] / total, 2) if total else 0.0
        parts.append((severity, counts[severity], round(x, 2), width))
        x += width
    return tuple(parts)


def _coverage(result: ScanResult) -> Coverage:
    summary = result.summary
    share = coverage(result)
    arc = int(share * 1000) / 10 if share is not None else 0.0
    tone = "ok" if share is None or share >= 1.0 else "warn" if share >= 0.9 else "bad"
    return Coverage(
        summary.outbound_links,
        summary.outbound_with_notice,
        summary.outbound_exempt,
        needing_notice(result),
        share,
        percent(share),
        arc,
        tone,
        tuple(sorted(summary.notice_mechanisms.items())),
    )


def _label(url: str, origin: str) -> str:
    """A page as people read it: its path on the site's origin, else the whole URL."""
    if origin and urls.origin_of(url) == origin:
        return urls.path_of(url)
    return url


def _href(url: str) -> str | None:
    """The URL as a browser would send it, when it is safe to link to (http or https);
    None otherwise, and the URL is shown as text only."""
    if urls.scheme_of(url) not in _WEB:
        return None
    parsed = urls.parse(url)
    if parsed is None:
        return None
    href: str = parsed.href
    return href if urls.scheme_of(href) in _WEB else None


def when(stamp: str) -> str:
    """``2026-03-02 10:00:00 UTC`` for an ISO 8601 time; anything else as it is."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _source(finding: Finding) -> str:
    """``templates/x.html:12`` for a finding in a source file (template and folder scans)."""
    if finding.file:
        return f"{finding.file}:{finding.line}" if finding.line > 0 else finding.file
    return ""


# -- templates -----------------------------------------------------------------------------
def _load(name: str) -> str | None:
    resource = files(TEMPLATES).joinpath(name)
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8")


def _asset(name: str) -> Markup:
    """A static CSS or JS file of our own, inlined verbatim (never crawled data)."""
    text = _load(name)
    if text is None:
        raise FileNotFoundError(f"{TEMPLATES}/{name} is missing from the installation")
    return Markup(text)


def _printable(value: object) -> object:
    """Every printed value without the control characters HTML forbids (NUL, BEL, ...)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def isolated(value: object) -> Markup:
    """Untrusted text escaped and set apart in ``<bdi>``: a right-to-left override or an
    isolate in a crawled URL, file name or message cannot reorder the report's own words
    around it (the element's text is still escaped: the template's ``|bdi`` filter)."""
    return Markup("<bdi>{}</bdi>").format(_printable(value))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FunctionLoader(_load),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_printable,
    )
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["bdi"] = isolated
    env.filters["lifetime"] = lifetime_text
    env.filters["set_by"] = set_by_text
    env.filters["runtime"] = runtime_text
    env.globals["mention_text"] = mention_text
    env.globals["runtime_filter"] = RUNTIME_FILTER
    env.globals["browser_facts"] = browser_facts
    env.globals["history_view"] = history_view
    return env
