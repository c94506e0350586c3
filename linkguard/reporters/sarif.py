"""SARIF 2.1.0: findings for GitHub code scanning and other SARIF viewers.

Every finding is a result located at its source file (template and folder scans set
``file``, relative to the repository) or else at its page URL, with a partial fingerprint
that stays put when lines move, a baseline state when the run had a baseline, and a
suppression (with its reason) when a waiver or ``data-linkguard-ignore`` silenced it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from linkguard._version import __version__
from linkguard.model import Finding, ScanResult, Severity, fingerprint
from linkguard.reporters._digest import rule_for
from linkguard.reporters._digest import suppressed as suppressed_findings
from linkguard.results.verdict import verdict_of
from linkguard.rules import RULES, Rule

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "linkguard/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# Characters a URI may hold as they are; anything else (spaces, <, >, quotes) is %-encoded.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
IGNORE_ATTRIBUTE = "data-linkguard-ignore"


def render(result: ScanResult) -> str:
    """The result as one SARIF 2.1.0 log with one run."""
    return json.dumps(to_sarif(result), indent=2, ensure_ascii=False) + "\n"


def to_sarif(result: ScanResult) -> dict[str, Any]:
    findings = [f for f in result.findings if f.suppressed_by is None]
    silenced = list(suppressed_findings(result))
    rules = _rules(f.rule for f in (*findings, *silenced))
    index = {rule.id: n for n, rule in enumerate(rules)}
    with_baseline = result.summary.baseline is not None
    results = [
        _result(f, index[f.rule], with_baseline)
        for f in sorted((*findings, *silenced), key=Finding.sort_key)
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "linkguard",
                "version": result.run.tool_version or __version__,
                "semanticVersion": result.run.tool_version or __version__,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(result)],
        "results": results,
        "properties": {
            "origin": result.run.origin,
            "target": result.run.target,
            "firstParty": list(result.run.first_party),
            "complete": result.run.complete,
            "failOn": result.run.fail_on,
            "config": result.run.config,
            "configSha256": result.run.config_sha256,
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _invocation(result: ScanResult) -> dict[str, Any]:
    gap = verdict_of(result).gap
    invocation: dict[str, Any] = {"executionSuccessful": not gap}
    if gap:  # why the run cannot vouch for the site, where SARIF viewers show tool problems
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": gap}}]
    if result.run.started:
        invocation["startTimeUtc"] = result.run.started
    if result.run.finished:
        invocation["endTimeUtc"] = result.run.finished
    return invocation


def _rules(used: Iterable[str]) -> list[Rule]:
    """The whole catalogue (stable rule indexes), then any other rule the results name."""
    extra = sorted({rule_id for rule_id in used if rule_id not in RULES})
    return [*RULES.values(), *(rule_for(rule_id) for rule_id in extra)]


def _descriptor(rule: Rule) -> dict[str, Any]:
    full = rule.rationale + (f" How to fix: {rule.fix}" if rule.fix else "")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.rationale},
        "fullDescription": {"text": full},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"tags": ["privacy", "linkguard"]},
    }


def _help_text(rule: Rule) -> str:
    parts = [rule.rationale]
    if rule.fix:
        parts.append(f"How to fix: {rule.fix}")
    if rule.bad:
        parts.append(f"Instead of:\n{_indent(rule.bad)}")
    if rule.good:
        parts.append(f"Write:\n{_indent(rule.good)}")
    return "\n\n".join(parts)


def _help_markdown(rule: Rule) -> str:
    parts = [rule.rationale]
    if rule.fix:
        parts.append(f"**How to fix:** {rule.fix}")
    if rule.bad:
        parts.append(f"Instead of:\n\n{_fence(rule.bad)}")
    if rule.good:
        parts.append(f"Write:\n\n{_fence(rule.good)}")
    return "\n\n".join(parts)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _fence(code: str) -> str:
    lang = "html" if code.lstrip().startswith("<") else "toml" if "[[" in code else "text"
    return f"```{lang}\n{code}\n```"


def _result(finding: Finding, rule_index: int, with_baseline: bool) -> dict[str, Any]:
    uri = finding.file if finding.file else finding.page
    region: dict[str, Any] = {"startLine": max(1, finding.line)}
    if finding.element:
        region["snippet"] = {"text": finding.element}
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message or rule_for(finding.rule).name},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": to_uri(uri)},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {
            FINGERPRINT_KEY: finding.fingerprint
            or fingerprint(finding.rule, finding.page, finding.target, finding.kind)
        },
        "properties": {
            "page": finding.page,
            "target": finding.target,
            "host": finding.host,
            "kind": finding.kind,
        },
    }
    if with_baseline:
        entry["baselineState"] = "unchanged" if finding.known else "new"
    if finding.suppressed_by is not None:
        in_source = finding.suppressed_by == IGNORE_ATTRIBUTE
        entry["suppressions"] = [
            {
                "kind": "inSource" if in_source else "external",
                "status": "accepted",
                "justification": finding.suppressed_by,
            }
        ]
    return entry


def to_uri(location: str) -> str:
    """A file path or URL as a valid URI reference: backslashes become slashes and
    characters a URI cannot hold are percent-encoded (a hostile page URL stays inert)."""
    return quote(location.replace("\\", "/"), safe=_URI_SAFE)
