"""What every rule module builds on: ``Rule`` and the ``rule`` decorator, what a check sees
of a page (``PageContext``), what the engine makes of it (``PageVerdict``) and ``make_finding``.

This module imports nothing from ``linkguard.rules``: the check modules import it, and the
catalogue imports the check modules, so anything here that reached back would close a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.model import (
    Boundary,
    ClassifiedReference,
    Finding,
    Party,
    Severity,
    fingerprint_of_path,
)
from linkguard.policy import Policy

# Keys of PageContext.facts that the scan fills from the extracted page.
FACT_DRUPAL_EXTLINK = "drupal_extlink"  # linkguard.extract.DrupalExtlink | None
FACT_PAGE_TEXT = "page_text"  # the page's visible text, lower case, bounded


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a rule sees of one page."""

    url: str
    refs: tuple[ClassifiedReference, ...]
    scope: Scope
    file: str | None = None
    facts: dict[str, object] = field(default_factory=dict, hash=False, compare=False)
    # The references to third parties, in document order: most checks judge only those (a
    # third of a page's references), and each check looping over every reference cost 2%
    # of a page's analysis.
    third: tuple[ClassifiedReference, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        third = tuple(cref for cref in self.refs if cref.boundary.party is Party.THIRD)
        object.__setattr__(self, "third", third)


Check = Callable[[PageContext, Policy], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the catalogue (Ruff/sqlfluff style: id, severity, why, anti-pattern/better).

    A rule with a ``check`` judges pages; one without is raised by the scan itself
    (``linkguard.rules.raised_by_scan``).
    """

    id: str
    name: str
    severity: Severity  # the default; the policy's [rules] table may change it
    rationale: str  # one line, shown beside every finding of the rule
    fix: str  # how to fix a violation
    bad: str  # an HTML snippet (or situation) that violates the rule
    good: str  # the same, fixed
    check: Check | None = None


def rule(
    rule_id: str,
    /,
    *,
    name: str,
    severity: Severity,
    rationale: str,
    fix: str,
    bad: str,
    good: str,
) -> Callable[[Check], Rule]:
    """Declare the decorated check function as a rule: its name is bound to the ``Rule``.

    The metadata sits on the check it describes, so the two cannot drift apart; the check
    passes its own name (now the Rule) to ``make_finding``. Listing the rule in
    ``linkguard.rules._catalogue`` is what makes the engine run it.
    """

    def declare(check: Check) -> Rule:
        return Rule(rule_id, name, severity, rationale, fix, bad, good, check)

    return declare


@dataclass(frozen=True, slots=True)
class PageVerdict:
    """What the rules make of one page: findings plus the exit-notice coverage figures.

    ``outbound`` counts navigations (links, refreshes, redirects) that take the visitor to a
    third party, directly or through an interstitial; ``noticed`` those a notice carries;
    ``exempt`` those to an exempt destination that show none (they need none, and are not
    counted in ``noticed``). Coverage is ``noticed / (outbound - exempt)``; ``mechanisms``
    (text, selector, interstitial, drupal-extlink) sums to ``noticed``.

    ``destinations`` are the third parties reached through an interstitial (host, site, kind,
    url), for the inventory; ``via_interstitial`` pairs each such link's interstitial URL with
    the finding to raise if the crawl finds that URL broken.
    """

    findings: tuple[Finding, ...]
    outbound: int = 0
    noticed: int = 0
    exempt: int = 0
    mechanisms: tuple[tuple[str, int], ...] = ()
    destinations: tuple[tuple[str, str, str, str], ...] = ()
    via_interstitial: tuple[tuple[str, Finding], ...] = ()


def make_finding(
    rule: Rule,
    cref: ClassifiedReference,
    ctx: PageContext,
    message: str,
    *,
    destination: Boundary | None = None,
) -> Finding:
    """A finding of ``rule`` about one reference, at the rule's default severity.

    ``destination`` reports the finding against another URL than the reference's own (a link
    through an interstitial is reported against where it leads). The target is the URL, never
    anything with a line number, so fingerprints survive edits. The scan applies the policy's
    severity overrides and waivers afterwards; the fingerprint and
    ``data-linkguard-ignore`` are settled here.
    """
    ref = cref.ref
    boundary = destination or cref.boundary
    ignored = rule.id in ref.ignore or "*" in ref.ignore
    target = boundary.url or ref.raw
    kind = str(ref.kind)
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        page=ctx.url,
        line=ref.line,
        target=target,
        host=boundary.host,
        element=ref.element,
        message=message,
        kind=kind,
        file=ctx.file,
        # Here rather than by copying each finding afterwards (dataclasses.replace cost 3%
        # of a page's analysis on the benchmark site, ~11 findings a page). Findings made
        # elsewhere (linkguard.rules.raised_by_scan) get theirs in the ResultBuilder.
        fingerprint=fingerprint_of_path(rule.id, _path_of(ctx.url), target, kind),
        suppressed_by="data-linkguard-ignore" if ignored else None,
    )


@lru_cache(maxsize=64)
def _path_of(page: str) -> str:
    return urls.path_of(page)
