"""Findings as problems: one row per thing to fix, however many pages it is on.

A finding is one broken promise on one page; an auditor fixes problems. The HTML report
groups findings by rule and by the **subject** the fix acts on (ARCHITECTURE.md, «The HTML
report at scale»):

- the rules that ask for a declaration (an undeclared script, frame, form target, resource,
  tracking before consent) are fixed by one ``[[third_party]]`` entry for the host, so their
  subject is the host: the same CDN script with seven ``integrity`` values, or a vendor's
  script with one file per property, is one problem;
- every other rule is about a URL: its subject is the URL normalised as the crawl frontier
  normalises it (fragment dropped, query sorted, visit-only parameters dropped), and for what
  a page loads (not a navigation) without its query, which for a subresource is a version or
  cache key: ``jquery.min.js?v=3`` and ``?v=4`` are one problem;
- a target that is not a URL (a cookie, a declaration's name) is its own subject.

The element is not part of the key (the same script tag with another ``alt`` or ``nonce`` is
the same problem); a group keeps its distinct elements and targets to show them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from linkguard.classify import urls
from linkguard.model import NAVIGATION_KINDS, Finding, Severity
from linkguard.reporters._digest import rule_for
from linkguard.rules import Rule

# Rules whose fix is a declaration of the host (``[[third_party]]``).
HOST_RULES = frozenset(
    {
        "undeclared-script",
        "undeclared-frame",
        "undeclared-form-target",
        "undeclared-resource",
        "tracking-before-consent",
    }
)
_NAVIGATIONS = frozenset(str(k) for k in NAVIGATION_KINDS) | {"form"}
_WEB = ("http", "https", "ws", "wss")


def subject_of(finding: Finding) -> str:
    """What fixing ``finding`` acts on: a host, a normalised URL, or the target itself."""
    if finding.rule in HOST_RULES and finding.host:
        return finding.host
    target = finding.target
    if urls.scheme_of(target) not in _WEB:
        return target
    normal = urls.normalize(target)
    if finding.kind not in _NAVIGATIONS:
        normal = normal.partition("?")[0]
    return normal


@dataclass(frozen=True, slots=True)
class Problem:
    """Every finding of one rule about one subject, sorted by page and line."""

    rule: str
    subject: str
    findings: tuple[Finding, ...]
    severity: Severity
    by_host: bool  # the subject is a host (a declaration fixes it), else a URL or name

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def host(self) -> str:
        return self.findings[0].host

    @property
    def message(self) -> str:
        return self.findings[0].message

    @property
    def pages(self) -> int:
        return len({f.page for f in self.findings})

    @property
    def known(self) -> int:
        return sum(1 for f in self.findings if f.known)

    @property
    def element(self) -> str:
        """The element most of its findings have (the first in page order on a tie)."""
        counts = Counter(f.element for f in self.findings)
        best = max(counts.values())
        return next(f.element for f in self.findings if counts[f.element] == best)

    @property
    def elements(self) -> int:
        return len({f.element for f in self.findings})

    @property
    def targets(self) -> tuple[str, ...]:
        """The distinct exact targets, most frequent first."""
        counts = Counter(f.target for f in self.findings)
        return tuple(sorted(counts, key=lambda t: (-counts[t], t)))

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(sorted({f.suppressed_by for f in self.findings if f.suppressed_by}))


@dataclass(frozen=True, slots=True)
class RuleProblems:
    """One rule and its problems, most severe then most widespread first."""

    rule: Rule
    problems: tuple[Problem, ...]
    severity: Severity
    count: int  # findings
    pages: int


def group_problems(findings: Sequence[Finding]) -> tuple[RuleProblems, ...]:
    """Findings by rule (most severe, then most findings first), then by subject."""
    buckets: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        buckets[finding.rule][subject_of(finding)].append(finding)
    rules = []
    for rule_id, by_subject in buckets.items():
        problems = []
        for subject, items in by_subject.items():
            items.sort(key=Finding.sort_key)
            severity = max((f.severity for f in items), key=lambda s: s.rank)
            by_host = rule_id in HOST_RULES and subject == items[0].host
            problems.append(Problem(rule_id, subject, tuple(items), severity, by_host))
        problems.sort(key=lambda p: (-p.severity.rank, -len(p.findings), p.subject))
        severity = max((p.severity for p in problems), key=lambda s: s.rank)
        count = sum(len(p.findings) for p in problems)
        pages = len({f.page for p in problems for f in p.findings})
        rules.append(RuleProblems(rule_for(rule_id), tuple(problems), severity, count, pages))
    rules.sort(key=lambda r: (-r.severity.rank, -r.count, r.rule.id))
    return tuple(rules)
