"""The rule catalogue: every rule's id, default severity, rationale and how to fix it.

Reports and the README's rule table are generated from this one place. A rule's ``check``
is a small pure function over one page's classified references and the policy; rules with no
``check`` are raised by the scan itself (``crawl-error``, ``unused-declaration``,
``broken-outbound-link``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from linkguard.boundary import Scope
from linkguard.config import Policy
from linkguard.model import ClassifiedReference, Finding, Severity


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
    id: str
    name: str
    severity: Severity
    rationale: str  # one line, shown beside every finding of the rule
    fix: str  # how to fix a violation
    bad: str  # an HTML snippet that violates the rule
    good: str  # the same snippet, fixed
    check: Check | None = None


def _catalogue() -> tuple[Rule, ...]:
    return (
        Rule(
            "exit-notice-missing", "Outbound link without exit notice", Severity.ERROR,
            "Visitors must be told when a link takes them to a site the company is not "
            "responsible for.",
            "Mark the link with a configured notice class or attribute, add a notice phrase to "
            "its text (a visually hidden span is enough), or route it through the exit "
            "interstitial.",
            '<a href="https://partner.example.net/">Our partner</a>',
            '<a class="ext" href="https://partner.example.net/">Our partner '
            '<span class="visually-hidden">(link is external)</span></a>',
        ),
        Rule(
            "undeclared-script", "Undeclared third-party script", Severity.ERROR,
            "A third-party script observes visitors; the privacy policy must name it and its "
            "purpose.",
            "Declare the vendor in a [[third_party]] entry with its purpose, or remove the tag.",
            '<script src="https://tracker.example.net/t.js"></script>',
            '[[third_party]]\nname = "Example Tracker"\nhosts = ["tracker.example.net"]\n'
            'purpose = "Usage statistics (privacy policy section 6)"\nkinds = ["script"]',
        ),
        Rule(
            "undeclared-frame", "Undeclared third-party frame", Severity.ERROR,
            "An embedded frame runs a third party's page inside ours, with its own cookies.",
            "Declare the embed's vendor with kinds = [\"frame\"], or replace the frame with a link.",
            '<iframe src="https://video.example.net/embed/1"></iframe>',
            '[[third_party]]\nname = "Example Video"\nhosts = ["video.example.net"]\n'
            'purpose = "Product videos"\nkinds = ["frame"]',
        ),
        Rule(
            "undeclared-form-target", "Form posts to an undeclared third party", Severity.ERROR,
            "Data typed into a form must go only to us or to a declared processor.",
            "Post the form to a first-party endpoint, or declare the processor with "
            "kinds = [\"form\"].",
            '<form action="https://forms.example.net/submit" method="post">',
            '<form action="/contact/submit" method="post">',
        ),
        Rule(
            "undeclared-resource", "Undeclared third-party resource", Severity.WARNING,
            "Every third-party request (image, font, stylesheet, preconnect) tells that party "
            "who visited.",
            "Serve the resource from a first-party host, or declare the vendor.",
            '<img src="https://pixel.example.net/p.gif" alt="">',
            '<img src="/img/p.gif" alt="">',
        ),
        Rule(
            "insecure-form", "Form not sent encrypted", Severity.ERROR,
            "The policy promises that form data is sent encrypted.",
            "Serve the page over https and post the form to an https URL.",
            '<form action="http://www.example.com/contact" method="post">',
            '<form action="https://www.example.com/contact" method="post">',
        ),
        Rule(
            "mixed-content", "Mixed content", Severity.WARNING,
            "An https page that loads an http resource can be altered or watched in transit.",
            "Load the resource over https.",
            '<script src="http://cdn.example.net/lib.js"></script>',
            '<script src="https://cdn.example.net/lib.js"></script>',
        ),
        Rule(
            "missing-sri", "Third-party script or stylesheet without integrity", Severity.WARNING,
            "Without Subresource Integrity, whoever controls the third party's host controls "
            "our page.",
            "Add an integrity attribute (and crossorigin) with the file's hash, or self-host it.",
            '<script src="https://cdn.example.net/lib@1.2.3/lib.min.js"></script>',
            '<script src="https://cdn.example.net/lib@1.2.3/lib.min.js"\n'
            '        integrity="sha384-..." crossorigin="anonymous"></script>',
        ),
        Rule(
            "unsafe-target-blank", "target=_blank without noopener", Severity.WARNING,
            "A third-party page opened with target=_blank can navigate our tab "
            "(reverse tabnabbing) in older browsers.",
            "Add rel=\"noopener noreferrer\" to the link.",
            '<a href="https://partner.example.net/" target="_blank">Partner</a>',
            '<a href="https://partner.example.net/" target="_blank" rel="noopener">Partner</a>',
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
    )


RULES: dict[str, Rule] = {rule.id: rule for rule in _catalogue()}


@dataclass(frozen=True, slots=True)
class PageVerdict:
    """What the rules make of one page: findings plus the exit-notice coverage figures."""

    findings: tuple[Finding, ...]
    outbound: int = 0
    noticed: int = 0
    exempt: int = 0
    mechanisms: tuple[tuple[str, int], ...] = ()


def evaluate(ctx: PageContext, policy: Policy) -> PageVerdict:
    """Run every rule with a check over one page.

    A rule that raises does not stop the scan: its exception becomes an ``internal-error``
    finding on the page (sqlfluff's habit), so the bug is visible and the rest is judged.
    """
    from linkguard.rules.engine import evaluate_page

    return evaluate_page(ctx, policy)


def make_finding(rule: str, cref: ClassifiedReference, ctx: PageContext, message: str) -> Finding:
    """A finding of ``rule`` about one reference, at its default severity.

    The scan applies the policy's severity overrides, ``data-linkguard-ignore`` (marked here)
    and waivers afterwards, and computes the fingerprint.
    """
    ref = cref.ref
    ignored = rule in ref.ignore or "*" in ref.ignore
    return Finding(
        rule=rule,
        severity=RULES[rule].severity,
        page=ctx.url,
        line=ref.line,
        target=cref.boundary.url or ref.raw,
        host=cref.boundary.host,
        element=ref.element,
        message=message,
        kind=str(ref.kind),
        file=ctx.file,
        suppressed_by="data-linkguard-ignore" if ignored else None,
    )
