"""SARIF 2.1.0: findings for GitHub code scanning and other SARIF viewers.

A finding in a file (template and folder scans) is a result located at that file, named
from the repository's top level (``uriBaseId`` ``%SRCROOT%``, which ``originalUriBaseIds``
maps to git's top level), so code scanning places it on the pull request's diff. Findings on
crawled pages are folded: one result per rule and target, at its first page, with the other
pages as related locations, because page URLs are no files of the repository and a bug in a
shared footer would otherwise be one result per page (109,157 results, 127 MB, for a
10,000-page site). The log stays within what GitHub accepts (``MAX_RESULTS`` results per run,
``MAX_RELATED`` locations shown per result, a file of a few MB), and the run says what was
folded or left out (``properties.folding`` and a tool notification).

Each result carries a partial fingerprint that stays put when lines move, a baseline state
when the run had a baseline, and a suppression (with its reason) when a waiver or
``data-linkguard-ignore`` silenced it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from linkguard._version import __version__
from linkguard.model import Finding, ScanResult, Severity
from linkguard.reporters._digest import rule_for
from linkguard.reporters._digest import suppressed as suppressed_findings
from linkguard.reporters._locations import (
    Group,
    entry_fingerprint,
    group,
    most_severe,
    repository_path,
)
from linkguard.results.verdict import verdict_of
from linkguard.rules import RULES, Rule

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "linkguard/v1"
SRCROOT = "%SRCROOT%"
# GitHub code scanning's documented limits: 25,000 results per run (more is rejected), 1,000
# locations per result of which 100 are shown; the upload is at most 10 MB gzipped.
MAX_RESULTS = 25_000
MAX_RELATED = 100
RELATED_BUDGET = 50_000  # related locations in the whole run: keeps the file modest
COMPACT_OVER = 1_000
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# Characters a URI may hold as they are; anything else (spaces, <, >, quotes) is %-encoded.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
IGNORE_ATTRIBUTE = "data-linkguard-ignore"


def render(result: ScanResult) -> str:
    """The result as one SARIF 2.1.0 log with one run: indented for people to read, compact
    past ``COMPACT_OVER`` results (a 10,000-page crawl's log: 22 MB instead of 41 MB)."""
    log = to_sarif(result)
    indent = 2 if len(log["runs"][0]["results"]) <= COMPACT_OVER else None
    separators = None if indent else (",", ":")
    return json.dumps(log, indent=indent, separators=separators, ensure_ascii=False) + "\n"


def to_sarif(result: ScanResult) -> dict[str, Any]:
    findings = [f for f in result.findings if f.suppressed_by is None]
    silenced = list(suppressed_findings(result))
    rules = _rules(f.rule for f in (*findings, *silenced))
    index = {rule.id: n for n, rule in enumerate(rules)}
    with_baseline = result.summary.baseline is not None
    every = [*findings, *silenced]
    groups = group(every)
    fold_files = len(groups) > MAX_RESULTS  # then files are folded by rule and target too
    if fold_files:
        groups = group(every, fold_files=True)
    kept = most_severe(groups, MAX_RESULTS)
    related_cap = _related_cap([len(g.findings) - 1 for g in kept])
    emit = _Emitter(result, index, with_baseline, related_cap)
    results = [emit.result(g) for g in kept]
    folding = {
        "findings": len(every),
        "results": len(results),
        "foldedResults": sum(1 for g in kept if g.folded),
        "filesFolded": fold_files,
        "resultsLeftOut": len(groups) - len(kept),
        "findingsLeftOut": len(every) - sum(len(g.findings) for g in kept),
        "relatedLocationsPerResult": related_cap,
        "relatedLocationsLeftOut": emit.related_left_out,
    }
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "linkguard",
                "version": result.run.tool_version or __version__,
                "semanticVersion": result.run.tool_version or __version__,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(result, folding)],
        "results": results,
        "properties": {
            "origin": result.run.origin,
            "target": result.run.target,
            "firstParty": list(result.run.first_party),
            "complete": result.run.complete,
            "failOn": result.run.fail_on,
            "config": result.run.config,
            "configSha256": result.run.config_sha256,
            "folding": folding,
        },
    }
    if result.run.repository is not None:
        top = Path(result.run.repository).as_uri().rstrip("/") + "/"
        run["originalUriBaseIds"] = {
            SRCROOT: {"uri": top, "description": {"text": "the git repository's top level"}}
        }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _related_cap(others: list[int]) -> int:
    """The most related locations each result may list (at most ``MAX_RELATED``) while all of
    them together stay within ``RELATED_BUDGET``: a result with few others lists them all,
    and the budget they leave goes to the widespread ones."""
    low, high = 0, MAX_RELATED
    while low < high:
        mid = (low + high + 1) // 2
        if sum(min(n, mid) for n in others) <= RELATED_BUDGET:
            low = mid
        else:
            high = mid - 1
    return low


def _folding_note(folding: dict[str, Any]) -> str | None:
    """What the run folded or left out, in words; None when every finding is its own result."""
    parts = []
    if folding["foldedResults"]:
        scope = "all findings" if folding["filesFolded"] else "findings on crawled pages"
        parts.append(
            f"{scope} are reported as one result per rule and target, at its first location, "
            f"with up to {folding['relatedLocationsPerResult']} more as related locations"
        )
    if folding["relatedLocationsLeftOut"]:
        parts.append(f"{folding['relatedLocationsLeftOut']} further locations are not listed")
    if folding["resultsLeftOut"]:
        parts.append(
            f"{folding['resultsLeftOut']} results ({folding['findingsLeftOut']} findings), the "
            f"least severe, are left out to stay within {MAX_RESULTS} results per run"
        )
    if not parts:
        return None
    return "; ".join(parts) + ". The JSON and HTML reports list every finding."


def _invocation(result: ScanResult, folding: dict[str, Any]) -> dict[str, Any]:
    gap = verdict_of(result).gap
    invocation: dict[str, Any] = {"executionSuccessful": not gap}
    notes = []
    if gap:  # why the run cannot vouch for the site, where SARIF viewers show tool problems
        notes.append({"level": "error", "message": {"text": gap}})
    note = _folding_note(folding)
    if note:
        notes.append({"level": "note", "message": {"text": note}})
    if notes:
        invocation["toolExecutionNotifications"] = notes
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


class _Emitter:
    """Builds results, counting the related locations the budget left out."""

    def __init__(
        self, result: ScanResult, index: dict[str, int], with_baseline: bool, related_cap: int
    ) -> None:
        self.scan = result
        self.index = index
        self.with_baseline = with_baseline
        self.related_cap = related_cap
        self.related_left_out = 0

    def location(self, finding: Finding, *, snippet: bool = True) -> dict[str, Any]:
        path = repository_path(self.scan.run, finding)
        artifact: dict[str, Any] = {"uri": to_uri(path if path is not None else finding.page)}
        if path is not None and self.scan.run.repository is not None:
            artifact["uriBaseId"] = SRCROOT
        region: dict[str, Any] = {"startLine": max(1, finding.line)}
        if finding.element and snippet:
            region["snippet"] = {"text": finding.element}
        return {"physicalLocation": {"artifactLocation": artifact, "region": region}}

    def result(self, entry: Group) -> dict[str, Any]:
        first = entry.first
        count = len(entry.findings)
        message = first.message or rule_for(first.rule).name
        if count > 1:
            message += f" Found in {count} places: the first is shown, the others are related."
        out: dict[str, Any] = {
            "ruleId": first.rule,
            "ruleIndex": self.index[first.rule],
            "level": _LEVELS[max((f.severity for f in entry.findings), key=lambda s: s.rank)],
            "message": {"text": message},
            "locations": [self.location(first)],
            "partialFingerprints": {FINGERPRINT_KEY: entry_fingerprint(entry)},
            "properties": {
                "page": first.page,
                "target": first.target,
                "host": first.host,
                "kind": first.kind,
                "occurrences": count,
            },
        }
        others = entry.findings[1:]
        if others:
            listed = others[: self.related_cap]
            self.related_left_out += len(others) - len(listed)
            out["relatedLocations"] = [
                {"id": n, **self.location(f, snippet=False), "message": {"text": f.page}}
                for n, f in enumerate(listed, start=1)
            ]
        if self.with_baseline:
            new = any(not f.known for f in entry.findings)
            out["baselineState"] = "new" if new else "unchanged"
        if first.suppressed_by is not None:
            in_source = first.suppressed_by == IGNORE_ATTRIBUTE
            out["suppressions"] = [
                {
                    "kind": "inSource" if in_source else "external",
                    "status": "accepted",
                    "justification": first.suppressed_by,
                }
            ]
        return out


def to_uri(location: str) -> str:
    """A file path or URL as a valid URI reference: backslashes become slashes and
    characters a URI cannot hold are percent-encoded (a hostile page URL stays inert)."""
    return quote(location.replace("\\", "/"), safe=_URI_SAFE)
