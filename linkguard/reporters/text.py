"""One line per finding for CI logs and editors: ``path:line:col: severity: message [rule]``.

The shape gcc, ruff and most problem matchers parse, so a CI log links each line to the
template or page to fix. ``path`` is the source file when the scan read files (template and
folder scans), else the page URL; linkguard knows no column, so it is always 1. Known
(baseline) and suppressed findings are left out; the last line counts what was shown.

Every part taken from a page or a file name is shown with ``linkguard.display``'s escapes,
and no line starts with ``::``: a CI log that prints this report reads no command from it.
"""

from __future__ import annotations

from linkguard.display import log_line, shown
from linkguard.model import Finding, ScanResult
from linkguard.reporters._digest import active, rule_for
from linkguard.results.verdict import verdict_of


def line_for(finding: Finding) -> str:
    """``path:line:1: severity: message (target) [rule]``, safe to print in a CI log."""
    path = finding.file or finding.page
    target = f" ({shown(finding.target)})" if finding.target else ""
    return log_line(
        f"{shown(path)}:{max(finding.line, 1)}:1: {finding.severity}: "
        f"{shown(finding.message)}{target} [{shown(finding.rule)}]"
    )


def render(result: ScanResult) -> str:
    """Every new, unsuppressed finding as a line, most severe first, then the verdict."""
    listed = [f for f in active(result) if not f.known]
    listed.sort(key=lambda f: (-f.severity.rank, f.file or f.page, f.line, f.rule, f.target))
    lines = [line_for(f) for f in listed]
    for rule in sorted({f.rule for f in listed}):
        lines.append(f"  fix [{shown(rule)}]: {shown(rule_for(rule).fix)}")
    verdict = verdict_of(result)
    lines.append(f"linkguard: {verdict.status}: {len(listed)} findings; {shown(verdict.reason)}")
    return "\n".join(lines) + "\n"
