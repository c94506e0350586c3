"""Runs the catalogue's checks over one page."""

from __future__ import annotations

from linkguard.config import Policy
from linkguard.model import NAVIGATION_KINDS, Finding, Party, Severity
from linkguard.rules import RULES, PageContext, PageVerdict


def evaluate_page(ctx: PageContext, policy: Policy) -> PageVerdict:
    findings: list[Finding] = []
    for rule in RULES.values():
        if rule.check is None or policy.severity_of(rule.id, rule.severity) is None:
            continue
        try:
            findings.extend(rule.check(ctx, policy))
        except Exception as exc:  # a bug in one rule must not lose the page
            findings.append(
                Finding("internal-error", Severity.ERROR, ctx.url, 0, ctx.url, "", "",
                        f"rule {rule.id} failed: {type(exc).__name__}: {exc}")
            )
    outbound = sum(
        1 for c in ctx.refs if c.ref.kind in NAVIGATION_KINDS and c.party is Party.THIRD
    )
    return PageVerdict(tuple(findings), outbound=outbound)
