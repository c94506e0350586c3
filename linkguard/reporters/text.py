"""One line per finding for CI logs and editors: ``path:line:col: severity: message [rule]``.

The shape gcc, ruff and most problem matchers parse, so a CI log links each line to the
template or page to fix. ``path`` is the source file when the scan read files (template and
folder scans), else the page URL; linkguard knows no column, so it is always 1. Known
(baseline) and suppressed findings are left out; the last line counts what was shown.
"""

from __future__ import annotations

import re

from linkguard.model import Finding, ScanResult
from linkguard.reporters._digest import active, rule_for
from linkguard.results.verdict import verdict_of

_CONTROL = re.compile("[\x00-\x1f\x7f\u2028\u2029]+")


def _clean(text: str) -> str:
    """Crawled text on one line: control characters and line breaks become spaces."""
    return _CONTROL.sub(" ", text).strip()


def line_for(finding: Finding) -> str:
    path = finding.file or finding.page
    target = f" ({_clean(finding.target)})" if finding.target else ""
    return (
        f"{_clean(path)}:{max(finding.line, 1)}:1: {finding.severity}: "
        f"{_clean(finding.message)}{target} [{finding.rule}]"
    )


def render(result: ScanResult) -> str:
    """Every new, unsuppressed finding as a line, most severe first, then the verdict."""
    shown = [f for f in active(result) if not f.known]
    shown.sort(key=lambda f: (-f.severity.rank, f.file or f.page, f.line, f.rule, f.target))
    lines = [line_for(f) for f in shown]
    for rule in sorted({f.rule for f in shown}):
        lines.append(f"  fix [{rule}]: {_clean(rule_for(rule).fix)}")
    verdict = verdict_of(result)
    lines.append(f"linkguard: {verdict.status}: {len(shown)} findings; {verdict.reason}")
    return "\n".join(lines) + "\n"
