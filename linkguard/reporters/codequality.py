"""GitLab Code Quality: the Code Climate JSON subset GitLab reads into merge requests.

A JSON array with one issue per finding in a file (template and folder scans), located by
its path from the repository's top level and its line, and one per rule and target for
findings on crawled pages (which are no files), located at the first page. Each issue's
``fingerprint`` is linkguard's own: stable across runs and line moves, so GitLab tells new
issues from resolved ones by comparing the merge request's report with the target branch's.
Suppressed findings are left out; known (baseline) findings stay, since GitLab does its own
comparison.
"""

from __future__ import annotations

import json
from typing import Any

from linkguard.model import ScanResult, Severity
from linkguard.reporters._digest import active, rule_for
from linkguard.reporters._locations import Group, entry_fingerprint, group, repository_path

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(result: ScanResult) -> str:
    issues = [_issue(result, g) for g in group(active(result))]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _issue(result: ScanResult, entry: Group) -> dict[str, Any]:
    first = entry.first
    rule = rule_for(first.rule)
    severity = max((f.severity for f in entry.findings), key=lambda s: s.rank)
    description = first.message or rule.name
    if first.target:
        description += f" ({first.target})"
    count = len(entry.findings)
    if count > 1:
        description += f" Found on {count} pages."
    path = repository_path(result.run, first)
    return {
        "type": "issue",
        "check_name": first.rule,
        "description": description,
        "content": {"body": rule.fix or rule.rationale},
        "categories": ["Security"],
        "severity": SEVERITIES[severity],
        "fingerprint": entry_fingerprint(entry),
        "location": {
            "path": first.page if path is None else path,
            "lines": {"begin": max(first.line, 1)},
        },
    }
