"""Runs the catalogue's checks over one page and counts its exit-notice coverage."""

from __future__ import annotations

from linkguard.model import Finding
from linkguard.policy import Policy
from linkguard.rules._base import PageContext, PageVerdict
from linkguard.rules._catalogue import RULES
from linkguard.rules.exit_notice import assess, broken_interstitial_findings
from linkguard.rules.raised_by_scan import internal_error


def evaluate(ctx: PageContext, policy: Policy) -> PageVerdict:
    """Every enabled rule with a check over ``ctx``, plus its exit-notice coverage.

    A rule that raises does not stop the scan: its exception becomes an ``internal-error``
    finding on the page (sqlfluff's habit), so the bug is visible and the rest is judged.
    """
    findings: list[Finding] = []
    for rule in RULES.values():
        if rule.check is None or policy.severity_of(rule.id, rule.severity) is None:
            continue
        try:
            findings.extend(rule.check(ctx, policy))
        except Exception as exc:  # a bug in one rule must not lose the page
            findings.append(internal_error(ctx.url, rule.id, exc, file=ctx.file))
    try:
        notices = assess(ctx, policy)
        broken = broken_interstitial_findings(ctx, policy)
    except Exception as exc:  # the coverage figures are lost, the findings are not
        lost = internal_error(ctx.url, "exit-notice coverage", exc, file=ctx.file)
        return PageVerdict((*findings, lost))
    return PageVerdict(
        tuple(findings),
        outbound=len(notices.navigations),
        noticed=notices.noticed,
        exempt=notices.exempt,
        mechanisms=notices.mechanisms,
        destinations=tuple(
            sorted({(n.destination.host, n.destination.site, str(n.cref.ref.kind),
                     n.destination.url or "") for n in notices.navigations if n.via})
        ),
        via_interstitial=broken,
    )  # fmt: skip
