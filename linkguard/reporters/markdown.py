"""Markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Short on purpose: the verdict, counts, exit-notice coverage and the 20 most important
groups of findings. Crawled text (URLs, elements, messages) is hostile until proven
otherwise: it is shown in code spans, so it can neither become a link, an image or HTML nor
break the table, and with ``linkguard.display``'s escapes, so no control or bidirectional
character reorders what a reviewer reads.
"""

from __future__ import annotations

import re

from linkguard.classify import urls
from linkguard.display import shown
from linkguard.model import ScanResult
from linkguard.reporters._browser import (
    RUNTIME_LEGEND,
    browser_facts,
    mention_text,
    rendered_facts,
    runtime_tags,
)
from linkguard.reporters._digest import (
    SEVERITIES,
    FindingGroup,
    active,
    coverage,
    group_findings,
    needing_notice,
    percent,
    severity_counts,
    suppressed,
    top_groups,
    vendor_counts,
    vendors,
)
from linkguard.reporters._history import markdown_facts, open_since
from linkguard.results.verdict import verdict_of

TOP = 20
_BACKTICKS = re.compile("`+")
_LIMIT = 120


def render(result: ScanResult, top: int = TOP) -> str:
    """The result as GitHub-flavoured Markdown."""
    verdict = verdict_of(result)
    findings = active(result)
    counts = severity_counts(findings)
    known = severity_counts(f for f in findings if f.known)
    silenced = suppressed(result)
    out = [f"## linkguard: {verdict.status}", ""]
    origin = code(result.run.origin, in_table=False)
    out.append(
        f"**{verdict.status}**: {shown(verdict.reason)} on {origin} "
        f"({_n(result.summary.pages, 'page')} scanned, fail-on {result.run.fail_on})."
    )
    if verdict.gap:
        label = "NOTHING CHECKED" if verdict.unchecked else "INCOMPLETE SCAN"
        why = verdict.unchecked or verdict.gap
        out += ["", f"**{label}**: {shown(why)}, so this is not a clean bill of health."]
    out += ["", "| severity | findings | known (baseline) |", "|---|---:|---:|"]
    out += [f"| {s} | {counts[s]} | {known[s]} |" for s in map(str, SEVERITIES)]
    out.append(f"| suppressed | {len(silenced)} | |")
    out += ["", *_facts(result)]
    groups = top_groups(group_findings(findings))
    if groups:
        # browser mode's verdicts and the history's dates, as columns when there are any
        since = open_since(result)
        extra = {
            "browser": [", ".join(w for _, w in runtime_tags(g.findings)) for g in groups[:top]],
            "open since": [since(g.findings) for g in groups[:top]],
        }
        extra = {name: cells for name, cells in extra.items() if any(cells)}
        head = "".join(f" {name} |" for name in extra)
        out += [
            "",
            "### Findings",
            "",
            f"| severity | rule | target | pages | first seen |{head}",
            "|---|---|---|---:|---|" + "---|" * len(extra),
        ]
        out += [
            _row(g, result.run.origin) + "".join(f" {cells[n]} |" for cells in extra.values())
            for n, g in enumerate(groups[:top])
        ]
        if "browser" in extra:
            out += ["", RUNTIME_LEGEND]
        rest = groups[top:]
        if rest:
            hidden = sum(len(g.findings) for g in rest)
            out += [
                "",
                f"and {len(rest)} more {_plural(len(rest), 'group')} "
                f"({_n(hidden, 'finding')}): see the HTML report.",
            ]
    return "\n".join(out) + "\n"


def _facts(result: ScanResult) -> list[str]:
    summary = result.summary
    share = coverage(result)
    listed = vendors(result.third_parties)
    kinds = vendor_counts(listed)
    notices = (
        f"- Exit notices: {summary.outbound_with_notice} of "
        f"{_n(summary.outbound_links, 'outbound link')} ({percent(share)})."
    )
    if summary.outbound_exempt:  # they need no notice: the share is of the others
        notices = (
            f"- Exit notices: {summary.outbound_with_notice} of "
            f"{_n(needing_notice(result), 'outbound link')} that need one ({percent(share)}); "
            f"{summary.outbound_exempt} more to exempt destinations, which need none."
        )
    facts = [
        notices,
        f"- Third parties: {len(listed)} ({kinds['declared']} declared, "
        f"{kinds['undeclared']} undeclared, {kinds['linked']} only linked to) "
        f"on {_n(summary.third_party_hosts, 'host')}.",
    ]
    if summary.baseline is not None:
        base = summary.baseline
        facts.append(
            f"- Baseline: {base.get('new', 0)} new, {base.get('known', 0)} known, "
            f"{base.get('fixed', 0)} fixed."
        )
    if summary.not_crawled:
        limits = ", ".join(f"`crawl.{k}` {v}" for k, v in sorted(summary.not_crawled.items()))
        facts.append(f"- Not scanned, kept out by a crawl limit: {limits}.")
    if summary.dynamic_references:
        facts.append(f"- Dynamic references (not judged): {summary.dynamic_references}.")
    facts += markdown_facts(result, code)
    browsed = browser_facts(result)
    if browsed:
        facts.append(f"- {browsed[0].upper()}{browsed[1:]}")
    rendered = rendered_facts(result)
    if rendered:
        facts.append(f"- Exit notices {rendered}.")
    facts += _mentions(result)
    return facts


def _mentions(result: ScanResult) -> list[str]:
    """The hosts inline scripts mention, by what the browser's visits said of them."""
    facts = []
    for verdict in ("confirmed", "not-loaded"):
        hosts = sorted(t.host for t in result.third_parties if t.mention == verdict)
        if hosts:
            listed = ", ".join(code(host) for host in hosts[:10])
            more = f" and {len(hosts) - 10:,} more" if len(hosts) > 10 else ""
            words = mention_text(t for t in result.third_parties if t.mention == verdict)
            facts.append(f"- {words[0].upper()}{words[1:]}: {listed}{more}.")
    return facts


def _row(group: FindingGroup, origin: str) -> str:
    first = group.first
    page = urls.path_of(first.page) if urls.origin_of(first.page) == origin else first.page
    if first.file:
        where = code(f"{first.file}:{first.line}" if first.line > 0 else first.file)
    else:
        where = code(page) + (f" line {first.line}" if first.line > 0 else "")
    return (
        f"| {group.severity} | {code(group.rule)} | {code(group.target)} "
        f"| {group.pages} | {where} |"
    )


def code(text: str, limit: int = _LIMIT, *, in_table: bool = True) -> str:
    """Crawled text as an inert inline code span, safe inside a table cell.

    The fence is longer than any run of backticks in the text (CommonMark), control,
    bidirectional and line-break characters are shown escaped, pipes are escaped for GFM
    tables, and long text is shortened.
    """
    text = shown(text).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if not text:
        return "(none)"
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


def _n(count: int, noun: str) -> str:
    return f"{count:,} {_plural(count, noun)}"
