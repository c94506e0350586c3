"""What every reporter says the same way: the rule behind a finding, groups, vendors.

A report must never disagree with another report of the same run, so the grouping of
repeated findings and the vendor inventory are computed once here, from the ScanResult
alone. The verdict, which the CLI's exit code shares too, is ``linkguard.results.verdict``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from linkguard.model import UNDECLARED_KINDS, Finding, ScanResult, Severity, ThirdParty
from linkguard.rules import RULES, Rule

SEVERITIES: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def rule_for(rule_id: str) -> Rule:
    """The catalogue entry of a rule id; an unknown id (an older or newer results file)
    gets a placeholder that says so instead of breaking the report."""
    found = RULES.get(rule_id)
    if found is not None:
        return found
    return Rule(
        rule_id,
        rule_id,
        Severity.WARNING,
        "This rule is not in this version's catalogue.",
        "",
        "",
        "",
    )


def active(result: ScanResult) -> tuple[Finding, ...]:
    """Findings that are not suppressed (results list suppressed ones separately; a finding
    carrying a suppression reason in the main list is treated as suppressed all the same)."""
    return tuple(f for f in result.findings if f.suppressed_by is None)


def suppressed(result: ScanResult) -> tuple[Finding, ...]:
    extra = tuple(f for f in result.findings if f.suppressed_by is not None)
    return tuple(sorted((*result.suppressed, *extra), key=Finding.sort_key))


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {str(s): 0 for s in SEVERITIES}
    for finding in findings:
        counts[str(finding.severity)] = counts.get(str(finding.severity), 0) + 1
    return counts


def needing_notice(result: ScanResult) -> int:
    """Outbound links that need an exit notice: all but those to exempt destinations."""
    return max(0, result.summary.outbound_links - result.summary.outbound_exempt)


def coverage(result: ScanResult) -> float | None:
    """Share of the outbound links that need an exit notice that carry one, 0..1; None when
    none needs one. Exempt links are neither noticed nor missing a notice, so they are left
    out of both sides (ARCHITECTURE.md, «Exit notices»)."""
    total = needing_notice(result)
    if total <= 0:
        return None
    return min(1.0, result.summary.outbound_with_notice / total)


def percent(share: float | None) -> str:
    """92.3% (never rounds a shortfall up to 100%)."""
    if share is None:
        return "n/a"
    value = int(share * 1000) / 10  # truncate: 99.96% is not 100%
    return f"{value:.1f}%"


# -- groups of repeated findings -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FindingGroup:
    """One (rule, target, element): a template bug repeated on 500 pages is one group."""

    rule: str
    target: str
    element: str
    findings: tuple[Finding, ...]  # sorted by page, line

    @property
    def severity(self) -> Severity:
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    @property
    def host(self) -> str:
        return self.findings[0].host

    @property
    def message(self) -> str:
        return self.findings[0].message

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def pages(self) -> int:
        return len({f.page for f in self.findings})

    @property
    def known(self) -> int:
        return sum(1 for f in self.findings if f.known)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(sorted({f.suppressed_by for f in self.findings if f.suppressed_by}))


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """Every finding of one rule, in groups."""

    rule: Rule
    groups: tuple[FindingGroup, ...]

    @property
    def severity(self) -> Severity:
        return max((g.severity for g in self.groups), key=lambda s: s.rank)

    @property
    def count(self) -> int:
        return sum(len(g.findings) for g in self.groups)


def group_findings(findings: Sequence[Finding]) -> tuple[RuleGroup, ...]:
    """Findings by rule (most severe, then most frequent first), then by (target, element)."""
    buckets: dict[str, dict[tuple[str, str], list[Finding]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for finding in findings:
        buckets[finding.rule][(finding.target, finding.element)].append(finding)
    rules = []
    for rule_id, by_target in buckets.items():
        groups = [
            FindingGroup(rule_id, target, element, tuple(sorted(items, key=Finding.sort_key)))
            for (target, element), items in by_target.items()
        ]
        groups.sort(key=lambda g: (-g.severity.rank, -len(g.findings), g.target, g.element))
        rules.append(RuleGroup(rule_for(rule_id), tuple(groups)))
    rules.sort(key=lambda r: (-r.severity.rank, -r.count, r.rule.id))
    return tuple(rules)


def top_groups(rules: Sequence[RuleGroup]) -> tuple[FindingGroup, ...]:
    """All groups, most severe and most widespread first (for short summaries)."""
    groups = [g for r in rules for g in r.groups]
    groups.sort(key=lambda g: (-g.severity.rank, -len(g.findings), g.rule, g.target, g.element))
    return tuple(groups)


# -- the third-party inventory -------------------------------------------------------------
_NAVIGATION = frozenset(str(kind) for kind in UNDECLARED_KINDS)  # and mentions
DECLARED, UNDECLARED, LINKED = "declared", "undeclared", "linked"


@dataclass(frozen=True, slots=True)
class Vendor:
    """One third party: the policy's declaration name, or the registrable domain.

    It is named, and given a company and category, only by what all its hosts share: an
    undeclared ``google.com`` whose hosts are Google Plus and an unnamed Google Forms frame
    is not "Google Plus, social". What its hosts do not share is shown host by host.
    """

    name: str
    declared: bool
    hosts: tuple[ThirdParty, ...]
    scanned: int = 0  # pages the scan read, the most a vendor can be on (0: unknown)

    @property
    def status(self) -> str:
        """declared; linked (only navigated to, or named by a script without being loaded:
        it needs exit notices, not a declaration); or undeclared (it receives visitors' data
        without being named in the policy)."""
        if self.declared:
            return DECLARED
        return LINKED if set(self.kinds) <= _NAVIGATION else UNDECLARED

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({k for h in self.hosts for k in h.kinds}))

    @property
    def known_as(self) -> str | None:
        """Another name all its hosts go by (a third-party-web entity), if they share one."""
        name = _shared(h.name for h in self.hosts)
        return name if name != self.name else None

    @property
    def company(self) -> str | None:
        """The company behind every one of its hosts, if they share one."""
        return _shared(h.company for h in self.hosts)

    @property
    def category(self) -> str | None:
        """The category of every one of its hosts, if they share one."""
        return _shared(h.category for h in self.hosts)

    @property
    def mixed(self) -> bool:
        """Its hosts are not all named alike: each host's own name is worth showing."""
        return len({(h.name, h.company, h.category) for h in self.hosts}) > 1

    @property
    def pages_min(self) -> int:
        """At least this many pages use the vendor: exactly this many when the results
        count distinct pages per vendor (``ThirdParty.vendor_pages``), else its busiest
        host's pages."""
        counted = self._counted()
        return counted if counted is not None else max((h.pages for h in self.hosts), default=0)

    @property
    def pages_max(self) -> int:
        """At most this many pages: the hosts' pages may overlap, and no vendor is on more
        pages than were scanned."""
        counted = self._counted()
        if counted is not None:
            return counted
        total = sum(h.pages for h in self.hosts)
        return max(self.pages_min, min(total, self.scanned)) if self.scanned else total

    def _counted(self) -> int | None:
        counts = {h.vendor_pages for h in self.hosts}
        return counts.pop() if len(counts) == 1 and 0 not in counts else None


def _shared(values: Iterable[str | None]) -> str | None:
    """The one value all of them have, else None (none, or not the same for all)."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def vendors(third_parties: Iterable[ThirdParty], *, scanned: int = 0) -> tuple[Vendor, ...]:
    """Hosts folded into vendors (``ThirdParty.vendor_key``): declared ones by declaration,
    the rest by registrable domain. Undeclared vendors come first (what an auditor acts on),
    then declared ones, then those only linked to. ``scanned`` (the pages read) caps a
    vendor's page count where the results do not count its distinct pages."""
    buckets: dict[tuple[bool, str], list[ThirdParty]] = defaultdict(list)
    for host in third_parties:
        buckets[host.vendor_key].append(host)
    found = [
        Vendor(name, declared, tuple(sorted(hosts, key=lambda h: h.host)), scanned)
        for (declared, name), hosts in buckets.items()
    ]
    order = {UNDECLARED: 0, DECLARED: 1, LINKED: 2}
    found.sort(key=lambda v: (order[v.status], v.name.lower(), v.name))
    return tuple(found)


def vendor_counts(listed: Iterable[Vendor]) -> dict[str, int]:
    """How many vendors are declared, undeclared and linked only."""
    counts = {DECLARED: 0, UNDECLARED: 0, LINKED: 0}
    for vendor in listed:
        counts[vendor.status] += 1
    return counts
