"""The portfolio report's content, from each site's results: what every format says.

- each site: verdict, pages, exit-notice coverage, findings by severity, its report;
- the vendor-by-site matrix: each third party (by registrable domain) the sites' pages make
  the browser send data to (links and mentions left out) and, per site, whether the site
  declares it, does not, or declares only some of its hosts;
- the findings shared by sites: the same rule and target on two sites or more, which one
  fix in a shared template closes everywhere.

Every list is sorted, so the same results always give the same report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from linkguard.model import ScanResult, Severity
from linkguard.portfolio._spec import Site
from linkguard.results.verdict import verdict_of

SCHEMA = "linkguard/portfolio/v1"
_RANK = {str(s): i for i, s in enumerate(Severity)}  # as the enum lists them
# Kinds by which a host receives nothing from the visitor's browser until they choose to
# go there (or not even then): a link target is not a vendor the site sends data to.
_NAVIGATION = frozenset({"link", "refresh", "redirect", "mention"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteRow:
    site: Site
    status: str  # PASS | FAIL | INCOMPLETE | NOT SCANNED
    exit_code: int
    error: str | None  # why the site could not be scanned
    pages: int = 0
    needing_notice: int = 0
    noticed: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    report: str | None = None  # the site's HTML report, relative to the portfolio's folder

    @property
    def coverage(self) -> str:
        if self.needing_notice <= 0:
            return "n/a"
        share = min(1.0, self.noticed / self.needing_notice)
        return f"{int(share * 1000) / 10:.1f}%"  # truncated: 99.96% is not 100%

    @property
    def failed(self) -> bool:
        return self.status == "NOT SCANNED"


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorRow:
    vendor: str  # registrable domain
    name: str | None  # who runs it, per the bundled snapshot, when all its hosts agree
    cells: dict[str, str]  # site name -> declared | undeclared | partly

    @property
    def sites(self) -> int:
        return len(self.cells)

    @property
    def undeclared_sites(self) -> int:
        return sum(1 for cell in self.cells.values() if cell != "declared")


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedFinding:
    rule: str
    target: str
    severity: str
    message: str
    sites: dict[str, int]  # site name -> occurrences


@dataclass(frozen=True, slots=True, kw_only=True)
class Portfolio:
    started: str
    finished: str
    sites: tuple[SiteRow, ...]
    vendors: tuple[VendorRow, ...]
    shared: tuple[SharedFinding, ...]

    @property
    def exit_code(self) -> int:
        """4 when no site could be scanned, 3 when one could not (or is incomplete), 1 when
        a site's findings fail it, else 0."""
        if all(row.failed for row in self.sites):
            return 4
        codes = {row.exit_code for row in self.sites}
        if any(row.failed for row in self.sites) or codes & {3, 4}:
            return 3
        return 1 if 1 in codes else 0

    @property
    def status(self) -> str:
        return {0: "PASS", 1: "FAIL"}.get(self.exit_code, "INCOMPLETE")


def site_row(site: Site, result: ScanResult | None, error: str | None) -> SiteRow:
    if result is None:
        return SiteRow(site=site, status="NOT SCANNED", exit_code=3, error=error or "failed")
    verdict = verdict_of(result)
    summary = result.summary
    counts = {str(s): 0 for s in Severity}
    for finding in result.findings:
        counts[str(finding.severity)] += 1
    return SiteRow(
        site=site,
        status="NOT SCANNED" if verdict.unchecked else verdict.status,
        exit_code=verdict.exit_code,
        error=f"nothing was checked: {verdict.unchecked}" if verdict.unchecked else None,
        pages=summary.pages,
        needing_notice=max(0, summary.outbound_links - summary.outbound_exempt),
        noticed=summary.outbound_with_notice,
        findings=counts,
        report=f"sites/{site.name}/report.html",
    )


def build(
    outcomes: Sequence[tuple[Site, ScanResult | None, str | None]], started: str, finished: str
) -> Portfolio:
    """The portfolio from each site's results (None, with why, for a site not scanned)."""
    rows = tuple(site_row(site, result, error) for site, result, error in outcomes)
    scanned = [(site.name, result) for site, result, _ in outcomes if result is not None]
    return Portfolio(
        started=started,
        finished=finished,
        sites=rows,
        vendors=_vendors(scanned),
        shared=_shared(scanned),
    )


def _vendors(scanned: Sequence[tuple[str, ScanResult]]) -> tuple[VendorRow, ...]:
    declared: dict[str, dict[str, set[bool]]] = {}
    names: dict[str, set[str | None]] = {}
    for name, result in scanned:
        for party in result.third_parties:
            if _NAVIGATION.issuperset(party.kinds):
                continue
            vendor = party.site or party.host
            declared.setdefault(vendor, {}).setdefault(name, set()).add(party.declared)
            names.setdefault(vendor, set()).add(party.company or party.name)
    rows = []
    for vendor, by_site in declared.items():
        cells = {
            site: "declared" if kinds == {True} else "undeclared" if kinds == {False} else "partly"
            for site, kinds in sorted(by_site.items())
        }
        known = names[vendor]
        rows.append(
            VendorRow(
                vendor=vendor, name=next(iter(known)) if len(known) == 1 else None, cells=cells
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.sites, -r.undeclared_sites, r.vendor)))


def _shared(scanned: Sequence[tuple[str, ScanResult]]) -> tuple[SharedFinding, ...]:
    seen: dict[tuple[str, str], dict[str, int]] = {}
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for name, result in scanned:
        for finding in result.findings:
            key = (finding.rule, finding.target)
            by_site = seen.setdefault(key, {})
            by_site[name] = by_site.get(name, 0) + 1
            severity, message = first.get(key, (str(finding.severity), finding.message))
            if _RANK[str(finding.severity)] < _RANK[severity]:
                severity = str(finding.severity)
            first[key] = (severity, message)
    shared = [
        SharedFinding(
            rule=rule,
            target=target,
            severity=first[(rule, target)][0],
            message=first[(rule, target)][1],
            sites=dict(sorted(sites.items())),
        )
        for (rule, target), sites in seen.items()
        if len(sites) > 1
    ]
    return tuple(sorted(shared, key=lambda s: (-len(s.sites), _RANK[s.severity], s.rule, s.target)))


def to_dict(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio as JSON: what ``portfolio report`` reads back, and what tools read."""
    return {
        "schema": SCHEMA,
        "run": {"started": portfolio.started, "finished": portfolio.finished},
        "status": portfolio.status,
        "exit_code": portfolio.exit_code,
        "sites": [
            {
                **row.site.to_dict(),
                "status": row.status,
                "exit_code": row.exit_code,
                "error": row.error,
                "pages": row.pages,
                "outbound_needing_notice": row.needing_notice,
                "outbound_with_notice": row.noticed,
                "coverage": row.coverage,
                "findings": row.findings,
                "results": row.report and f"sites/{row.site.name}/results.json",
                "report": row.report,
            }
            for row in portfolio.sites
        ],
        "vendors": [
            {
                "vendor": v.vendor,
                "name": v.name,
                "sites": v.sites,
                "undeclared_sites": v.undeclared_sites,
                "cells": v.cells,
            }
            for v in portfolio.vendors
        ],
        "shared_findings": [
            {
                "rule": s.rule,
                "target": s.target,
                "severity": s.severity,
                "message": s.message,
                "sites": s.sites,
            }
            for s in portfolio.shared
        ],
    }
