"""Two results compared: ``--baseline`` (which findings are known) and ``linkguard diff``.

Findings are matched by fingerprint (rule, page path, target, element kind: never a line
number, so unrelated edits do not make a known finding new). Each occurrence has its own:
a page that had one unnoticed link to ``x.example`` and now has two has one known finding
(the first, whose fingerprint is unchanged) and one new one (``model.numbered``). Results
written before occurrences were told apart repeat a fingerprint; they are numbered the same
way when read here, so an old baseline with two such links still knows both. Fingerprints
are counted, not just collected, which keeps the same answer for anything else that
repeats one.

- ``apply_baseline(result, baseline)`` marks each finding ``known`` when the baseline had it,
  and sets ``summary.baseline`` to ``{"new", "known", "fixed"}``. Known findings are reported
  but do not fail the run. Only the baseline's unsuppressed findings count as known: a
  waiver that expires brings its finding back as new. A finding that is now suppressed is
  not counted as fixed.
- ``diff(old, new)`` lists new and fixed findings (present in one run and not the other,
  suppressed or not, so a new waiver is not a fix) and new and gone third-party hosts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from linkguard.classify.urls import path_of
from linkguard.display import json_text, log_line, shown
from linkguard.model import Finding, ScanResult, ThirdParty, fingerprint, numbered


def print_of(finding: Finding) -> str:
    """A finding's fingerprint (computed for results written without one)."""
    return finding.fingerprint or fingerprint(
        finding.rule, finding.page, finding.target, finding.kind
    )


def _numbered(result: ScanResult) -> ScanResult:
    """``result`` with each occurrence of a finding under its own fingerprint."""
    every = numbered((*result.findings, *result.suppressed))
    split = len(result.findings)
    return replace(result, findings=every[:split], suppressed=every[split:])


def apply_baseline(result: ScanResult, baseline: ScanResult) -> ScanResult:
    """``result`` with findings the baseline already had marked ``known``."""
    result, baseline = _numbered(result), _numbered(baseline)
    known = Counter(print_of(f) for f in baseline.findings)
    unmatched = Counter(known)
    marked: list[Finding] = []
    for finding in sorted(result.findings, key=Finding.sort_key):
        key = print_of(finding)
        is_known = unmatched[key] > 0
        unmatched[key] -= is_known
        marked.append(replace(finding, known=is_known))
    still_there = Counter(print_of(f) for f in (*result.findings, *result.suppressed))
    fixed = sum(max(0, count - still_there[key]) for key, count in known.items())
    known_now = sum(f.known for f in marked)
    counts = {"new": len(marked) - known_now, "known": known_now, "fixed": fixed}
    return replace(result, findings=tuple(marked), summary=replace(result.summary, baseline=counts))


@dataclass(frozen=True, slots=True)
class ResultsDiff:
    """What changed between two results."""

    new_findings: tuple[Finding, ...]
    fixed_findings: tuple[Finding, ...]
    new_third_parties: tuple[ThirdParty, ...]
    gone_third_parties: tuple[ThirdParty, ...]

    @property
    def changed(self) -> bool:
        return bool(
            self.new_findings
            or self.fixed_findings
            or self.new_third_parties
            or self.gone_third_parties
        )


def diff(old: ScanResult, new: ScanResult) -> ResultsDiff:
    """New and fixed findings, new and gone third parties, from ``old`` to ``new``."""
    old, new = _numbered(old), _numbered(new)
    old_all = (*old.findings, *old.suppressed)
    new_all = (*new.findings, *new.suppressed)
    old_hosts = {t.host for t in old.third_parties}
    new_hosts = {t.host for t in new.third_parties}
    return ResultsDiff(
        new_findings=_beyond(new.findings, old_all),
        fixed_findings=_beyond(old_all, new_all),
        new_third_parties=tuple(t for t in new.third_parties if t.host not in old_hosts),
        gone_third_parties=tuple(t for t in old.third_parties if t.host not in new_hosts),
    )


def _beyond(these: Iterable[Finding], those: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings of ``these`` that ``those`` does not account for (fingerprints counted)."""
    budget = Counter(print_of(f) for f in those)
    extra: list[Finding] = []
    for finding in sorted(these, key=Finding.sort_key):
        key = print_of(finding)
        if budget[key] > 0:
            budget[key] -= 1
        else:
            extra.append(finding)
    return tuple(extra)


def render_diff(changes: ResultsDiff, old_name: str, new_name: str) -> str:
    """The diff as text for a terminal or a CI log."""
    lines = [f"linkguard diff {old_name} -> {new_name}"]
    sections = (
        ("new findings", "+", changes.new_findings),
        ("fixed findings", "-", changes.fixed_findings),
    )
    for title, sign, findings in sections:
        lines.append(f"{title}: {len(findings)}")
        lines += [f"  {sign} {_finding_line(f)}" for f in findings]
    hosts = (
        ("new third parties", "+", changes.new_third_parties),
        ("gone third parties", "-", changes.gone_third_parties),
    )
    for title, sign, parties in hosts:
        lines.append(f"{title}: {len(parties)}")
        lines += [f"  {sign} {_host_line(t)}" for t in parties]
    return "\n".join(map(log_line, map(shown, lines))) + "\n"  # pages name these: a CI log


def _finding_line(finding: Finding) -> str:
    where = f"{path_of(finding.page)}:{finding.line}" if finding.line else path_of(finding.page)
    return f"{finding.severity:<7} {finding.rule:<22} {where}  {finding.target}"


def _host_line(party: ThirdParty) -> str:
    declared = f"declared by {party.declared_by}" if party.declared_by else "undeclared"
    named = f", {party.name}" if party.name else ""
    return f"{party.host} ({', '.join(party.kinds)}; {declared}{named})"


def diff_to_json(changes: ResultsDiff) -> str:
    """The diff as JSON: findings as in the results contract, hosts by name."""

    def finding(f: Finding) -> dict[str, object]:
        return {"rule": f.rule, "severity": str(f.severity), "page": f.page, "line": f.line,
                "target": f.target, "kind": f.kind, "message": f.message,
                "fingerprint": print_of(f)}  # fmt: skip

    return (
        json_text(
            {
                "new_findings": [finding(f) for f in changes.new_findings],
                "fixed_findings": [finding(f) for f in changes.fixed_findings],
                "new_third_parties": [t.host for t in changes.new_third_parties],
                "gone_third_parties": [t.host for t in changes.gone_third_parties],
            },
            indent=2,
        )
        + "\n"
    )
