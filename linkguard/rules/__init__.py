"""The rule catalogue: every rule's id, default severity, rationale and how to fix it.

Reports, ``linkguard rules`` and the README's rule table come from this one place. A rule's
``check`` is a small pure function over one page's classified references and the policy,
one module per concern:

    exit_notice.py    exit-notice-missing (mechanisms: selector, text, interstitial,
                      drupal-extlink; exempt destinations)
    declarations.py   undeclared-script, -frame, -form-target, -resource
    transport.py      insecure-form, mixed-content, missing-sri, unsafe-target-blank
    engine.py         runs them over a page and counts exit-notice coverage

Rules with no ``check`` are raised by the scan itself: ``unused-declaration`` (needs the
whole crawl), ``crawl-error`` (a page that failed), ``broken-outbound-link``
(``--check-external``), and ``exit-notice-missing`` for links through an interstitial that
the crawl found broken.
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


Check = Callable[[PageContext, Policy], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the catalogue (Ruff/sqlfluff style: id, severity, why, anti-pattern/better)."""

    id: str
    name: str
    severity: Severity
    rationale: str  # one line, shown beside every finding of the rule
    fix: str  # how to fix a violation
    bad: str  # an HTML snippet that violates the rule
    good: str  # the same snippet, fixed
    check: Check | None = None


@dataclass(frozen=True, slots=True)
class PageVerdict:
    """What the rules make of one page: findings plus the exit-notice coverage figures.

    ``outbound`` counts navigations (links, refreshes, redirects) that take the visitor to a
    third party, directly or through an interstitial; ``noticed`` those that need nothing
    more: a notice carries them, or their destination is exempt (also counted in
    ``exempt``). Coverage is ``noticed / outbound``; ``mechanisms`` (text, selector,
    interstitial, drupal-extlink, exempt) sums to ``noticed``.

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


def evaluate(ctx: PageContext, policy: Policy) -> PageVerdict:
    """Run every rule with a check over one page.

    A rule that raises does not stop the scan: its exception becomes an ``internal-error``
    finding on the page (sqlfluff's habit), so the bug is visible and the rest is judged.
    """
    from linkguard.rules.engine import evaluate_page

    return evaluate_page(ctx, policy)


def make_finding(
    rule: str,
    cref: ClassifiedReference,
    ctx: PageContext,
    message: str,
    *,
    destination: Boundary | None = None,
) -> Finding:
    """A finding of ``rule`` about one reference, at its default severity.

    ``destination`` reports the finding against another URL than the reference's own (a link
    through an interstitial is reported against where it leads). The target is the URL, never
    anything with a line number, so fingerprints survive edits. The scan applies the policy's
    severity overrides and waivers afterwards; the fingerprint and
    ``data-linkguard-ignore`` are settled here.
    """
    ref = cref.ref
    boundary = destination or cref.boundary
    ignored = rule in ref.ignore or "*" in ref.ignore
    target = boundary.url or ref.raw
    kind = str(ref.kind)
    return Finding(
        rule=rule,
        severity=RULES[rule].severity,
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
        # elsewhere (crawl-error, internal-error) get theirs in the ResultBuilder.
        fingerprint=fingerprint_of_path(rule, _path_of(ctx.url), target, kind),
        suppressed_by="data-linkguard-ignore" if ignored else None,
    )


@lru_cache(maxsize=64)
def _path_of(page: str) -> str:
    return urls.path_of(page)


def rules_table() -> str:
    """The catalogue as a Markdown table: id, default severity, name, why."""
    rows = ["| rule | default | what | why |", "|---|---|---|---|"]
    for rule in RULES.values():
        rows.append(f"| `{rule.id}` | {rule.severity} | {rule.name} | {rule.rationale} |")
    return "\n".join(rows) + "\n"


def _catalogue() -> tuple[Rule, ...]:
    # Imported here: the check modules import PageContext and make_finding from this module.
    from linkguard.rules import declarations, exit_notice, transport

    return (
        Rule(
            "exit-notice-missing", "Outbound link without exit notice", Severity.ERROR,
            "Visitors must be told when a link, refresh or redirect takes them to a site the "
            "company is not responsible for.",
            "Mark the link with a configured notice class or attribute, add a notice phrase to "
            "its text (a visually hidden span or aria-label is enough), route it through the "
            "exit interstitial, or list the destination under [exit_notice].exempt.",
            '<a href="https://partner.example.net/">Our partner</a>',
            '<a class="ext" href="https://partner.example.net/">Our partner '
            '<span class="visually-hidden">(link is external)</span></a>',
            exit_notice.check_exit_notices,
        ),
        Rule(
            "undeclared-script", "Undeclared third-party script", Severity.ERROR,
            "A third-party script runs with the page's full power and observes visitors; the "
            "privacy policy must name it and its purpose.",
            "Declare the vendor in a [[third_party]] entry with its purpose (kinds including "
            '"script"), or remove the tag.',
            '<script src="https://tracker.example.net/t.js"></script>',
            '[[third_party]]\nname = "Example Tracker"\nhosts = ["tracker.example.net"]\n'
            'purpose = "Usage statistics (privacy policy section 6)"\nkinds = ["script"]',
            declarations.check_undeclared_scripts,
        ),
        Rule(
            "undeclared-frame", "Undeclared third-party frame", Severity.ERROR,
            "An embedded frame runs a third party's page inside ours, with its own cookies.",
            'Declare the embed\'s vendor with kinds = ["frame"], or replace the frame with a '
            "link.",
            '<iframe src="https://video.example.net/embed/1"></iframe>',
            '[[third_party]]\nname = "Example Video"\nhosts = ["video.example.net"]\n'
            'purpose = "Product videos"\nkinds = ["frame"]',
            declarations.check_undeclared_frames,
        ),
        Rule(
            "undeclared-form-target", "Form posts to an undeclared third party", Severity.ERROR,
            "Data typed into a form must go only to us or to a declared processor.",
            "Post the form to a first-party endpoint, or declare the processor with "
            'kinds = ["form"].',
            '<form action="https://forms.example.net/submit" method="post">',
            '<form action="/contact/submit" method="post">',
            declarations.check_undeclared_form_targets,
        ),
        Rule(
            "undeclared-resource", "Undeclared third-party resource", Severity.WARNING,
            "Every third-party request (image, font, stylesheet, media, preconnect) tells that "
            "party who visited.",
            "Serve the resource from a first-party host, or declare the vendor.",
            '<img src="https://pixel.example.net/p.gif" alt="">',
            '<img src="/img/p.gif" alt="">',
            declarations.check_undeclared_resources,
        ),
        Rule(
            "insecure-form", "Form not sent encrypted", Severity.ERROR,
            "The policy promises that form data is sent encrypted: the page and the form's "
            "target must both be https.",
            "Serve the page over https and post the form to an https URL.",
            '<form action="http://www.example.com/contact" method="post">',
            '<form action="https://www.example.com/contact" method="post">',
            transport.check_insecure_forms,
        ),
        Rule(
            "mixed-content", "Mixed content", Severity.WARNING,
            "An https page that loads an http resource can be altered or watched in transit.",
            "Load the resource over https.",
            '<script src="http://cdn.example.net/lib.js"></script>',
            '<script src="https://cdn.example.net/lib.js"></script>',
            transport.check_mixed_content,
        ),
        Rule(
            "missing-sri", "Third-party script or stylesheet without integrity", Severity.WARNING,
            "Without Subresource Integrity, whoever controls the third party's host controls "
            "our page.",
            "Add an integrity attribute (and crossorigin) with the file's hash, self-host it, "
            "or waive it for a vendor whose files cannot be pinned.",
            '<script src="https://cdn.example.net/lib@1.2.3/lib.min.js"></script>',
            '<script src="https://cdn.example.net/lib@1.2.3/lib.min.js"\n'
            '        integrity="sha384-..." crossorigin="anonymous"></script>',
            transport.check_missing_sri,
        ),
        Rule(
            "unsafe-target-blank", "target=_blank without noopener", Severity.WARNING,
            "A third-party page opened with target=_blank can navigate our tab "
            "(reverse tabnabbing) in older browsers.",
            'Add rel="noopener noreferrer" to the link.',
            '<a href="https://partner.example.net/" target="_blank">Partner</a>',
            '<a href="https://partner.example.net/" target="_blank" rel="noopener">Partner</a>',
            transport.check_unsafe_target_blank,
        ),
        Rule(
            "unused-declaration", "Declared third party never seen", Severity.INFO,
            "The register of third parties should be kept current: an entry nobody uses "
            "overstates who receives data.",
            "Remove the [[third_party]] entry, or check that the scan reached the pages using it.",
            '[[third_party]]\nname = "Old Chat Widget"\nhosts = ["chat.example.net"]',
            "(entry removed)",
        ),
        Rule(
            "broken-outbound-link", "Broken outbound link", Severity.WARNING,
            "A link that sends visitors to a dead third-party page breaks the site's promise "
            "of where it leads.",
            "Update or remove the link.",
            '<a class="ext" href="https://gone.example.net/page">Old resource</a>',
            '<a class="ext" href="https://new.example.net/page">New resource</a>',
        ),
        Rule(
            "crawl-error", "Page could not be scanned", Severity.WARNING,
            "A page that could not be fetched or parsed was not checked: its promises are "
            "unknown.",
            "Fix the page or the server, or exclude the URL with [crawl].exclude.",
            "HTTP 500 on /news/",
            "HTTP 200 on /news/",
        ),
    )  # fmt: skip


RULES: dict[str, Rule] = {rule.id: rule for rule in _catalogue()}
