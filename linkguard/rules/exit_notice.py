"""``exit-notice-missing``: every navigation to a third party tells the visitor they are leaving.

An outbound navigation is a ``link`` (a, area), a ``refresh`` (meta refresh) or a
``redirect`` (an HTTP redirect the crawler followed) whose destination is third party. Its
notice is carried by the first mechanism that holds, in this order (ARCHITECTURE.md,
«Exit notices»):

``text``
    a configured phrase in the text a visitor perceives of the link (text, visually hidden
    spans, aria-label, title, img alt, aria-describedby target; never text hidden from
    everyone: ``extract/_visible.py``), NFKC-normalised and case-folded; for a meta refresh
    with a delay, a phrase in the page's perceived text.
``selector``
    a configured CSS selector matches the link or an ancestor.
``interstitial``
    the link is a first-party interstitial route (``/leaving?url={url}``); it is judged
    against the decoded destination (a first-party destination is not outbound). Every
    navigation on the interstitial page itself is noticed by it.
``drupal-extlink``
    Drupal's extlink module would decorate the link: its settings are on the page and so is
    its script (``extract/_drupal.py``); settings alone decorate nothing (``rules/extlink.py``).

``exempt``
    no notice, but the destination is ``[exit_notice].exempt``: it needs none.

Anything else is a finding. Of a redirect chain only the hop that leaves the site is judged.

Coverage (the results' ``outbound_links``, ``outbound_with_notice``, ``outbound_exempt``,
``notice_mechanisms``): ``outbound`` counts every outbound navigation; ``exempt`` those that
need no notice and show none; ``noticed`` those that show one (an exempt destination's link
that shows a notice is noticed, not exempt), so the two never overlap and coverage is
``noticed / (outbound - exempt)``: a site whose only "covered" links are exempt covers 0%
of the links that need a notice. The mechanisms above, ``exempt`` aside, sum to ``noticed``.

A declared interstitial that the crawl finds broken shows no notice: each link through it
carries a prepared ``exit-notice-missing`` finding that the scan raises when the
interstitial's URL fails (``PageVerdict.via_interstitial``). A folder scan, which fetches
nothing, cannot see that.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from linkguard.classify import urls
from linkguard.extract import DrupalExtlink
from linkguard.model import (
    NAVIGATION_KINDS,
    Boundary,
    ClassifiedReference,
    Finding,
    Kind,
    Party,
    Severity,
)
from linkguard.policy import Policy
from linkguard.rules._base import (
    FACT_DRUPAL_EXTLINK,
    FACT_PAGE_TEXT,
    PageContext,
    make_finding,
    rule,
)
from linkguard.rules.extlink import Extlink, extlink_for
from linkguard.rules.mechanisms import NoticePolicy, notice_policy

_ASSESSMENT = "_exit_notice"  # PageContext.facts key: the page's assessment, computed once
EXEMPT = "exempt"  # not a notice: the destination needs none
_REFRESH_DELAY = re.compile(r'content="\s*(\d+(?:\.\d*)?)')


@dataclass(frozen=True, slots=True)
class Navigation:
    """One outbound navigation and what, if anything, tells the visitor they are leaving."""

    cref: ClassifiedReference
    destination: Boundary  # where the visitor ends up (decoded, through an interstitial)
    mechanism: str | None  # text | selector | interstitial | drupal-extlink | exempt
    via: str | None = None  # the interstitial URL it goes through
    undecided: str = ""  # the Drupal extlink patterns that left its notice undecided


@dataclass(frozen=True, slots=True)
class Assessment:
    """A page's outbound navigations, judged."""

    navigations: tuple[Navigation, ...]

    @property
    def noticed(self) -> int:
        """Navigations that show a notice (exempt ones, which need none, are not counted)."""
        return sum(1 for n in self.navigations if n.mechanism not in (None, EXEMPT))

    @property
    def exempt(self) -> int:
        """Navigations to an exempt destination that show no notice: they need none."""
        return sum(1 for n in self.navigations if n.mechanism == EXEMPT)

    @property
    def mechanisms(self) -> tuple[tuple[str, int], ...]:
        """How many navigations each notice mechanism carries; they sum to ``noticed``."""
        counts = Counter(n.mechanism for n in self.navigations if n.mechanism not in (None, EXEMPT))
        return tuple(sorted(counts.items()))


def assess(ctx: PageContext, policy: Policy) -> Assessment:
    """The page's outbound navigations and their notices; computed once per page."""
    found = ctx.facts.get(_ASSESSMENT)
    if isinstance(found, Assessment):
        return found
    notice = notice_policy(policy.exit_notice)
    assessment = Assessment(tuple(_navigations(ctx, notice, _extlink(ctx, notice))))
    ctx.facts[_ASSESSMENT] = assessment
    return assessment


def _navigations(
    ctx: PageContext, notice: NoticePolicy, extlink: Extlink | None
) -> Iterator[Navigation]:
    on_interstitial = bool(notice.routes) and notice.is_interstitial_page(ctx.url)
    left = False  # a redirect chain has left the site: later hops are the third party's own
    for cref in ctx.refs:
        kind = cref.ref.kind
        if kind not in NAVIGATION_KINDS or (kind is Kind.REDIRECT and left):
            continue
        destination, via = cref.boundary, None
        if notice.routes and cref.party is Party.FIRST and cref.boundary.url:
            routed = notice.destination(cref.boundary.url)
            if routed is not None:
                destination = ctx.scope.classify(urls.resolve(routed[1], cref.boundary.url))
                via = cref.boundary.url
        if destination.party is not Party.THIRD:
            continue
        left = left or kind is Kind.REDIRECT
        if via is not None or on_interstitial:
            mechanism: str | None = "interstitial"
        else:
            mechanism = _mechanism(cref, ctx, notice, extlink)
        if mechanism is None and notice.exempt.covers(destination.host):
            mechanism = EXEMPT
        undecided = ""
        if mechanism is None and extlink is not None and kind is Kind.LINK and cref.boundary.url:
            undecided = extlink.undecided(cref.boundary.url)
        yield Navigation(cref, destination, mechanism, via, undecided)


def _mechanism(
    cref: ClassifiedReference, ctx: PageContext, notice: NoticePolicy, extlink: Extlink | None
) -> str | None:
    """The mechanism that carries a direct navigation's notice, strongest first."""
    ref = cref.ref
    if ref.kind is Kind.REFRESH:
        text = ctx.facts.get(FACT_PAGE_TEXT)
        shown = _refresh_delay(ref.element) > 0
        return "text" if shown and isinstance(text, str) and notice.has_phrase(text) else None
    if ref.kind is not Kind.LINK:
        return None
    if notice.has_phrase(ref.text):
        return "text"
    if notice.selectors.intersection(ref.notice_selectors):
        return "selector"
    if extlink is not None and cref.boundary.url and extlink.notices(cref.boundary.url):
        return "drupal-extlink"
    return None


def _extlink(ctx: PageContext, notice: NoticePolicy) -> Extlink | None:
    settings = ctx.facts.get(FACT_DRUPAL_EXTLINK)
    if not notice.drupal_extlink or not isinstance(settings, DrupalExtlink) or not settings.loaded:
        return None  # settings alone decorate nothing: the module's script must be on the page
    parsed = urls.parse(ctx.url)
    host: str = parsed.host if parsed is not None else ""
    return extlink_for(settings, host)


def _refresh_delay(element: str) -> float:
    """Seconds before a meta refresh fires, read from its start tag (0 if unreadable)."""
    match = _REFRESH_DELAY.search(element)
    return float(match[1]) if match else 0.0


@rule(
    "exit-notice-missing",
    name="Outbound link without exit notice",
    severity=Severity.ERROR,
    rationale="Visitors must be told when a link, refresh or redirect takes them to a site the "
    "company is not responsible for.",
    fix="Mark the link with a configured notice class or attribute, add a notice phrase to "
    "its text (a visually hidden span or aria-label is enough), route it through the exit "
    "interstitial, or list the destination under [exit_notice].exempt.",
    bad='<a href="https://partner.example.net/">Our partner</a>',
    good='<a class="ext" href="https://partner.example.net/">Our partner '
    '<span class="visually-hidden">(link is external)</span></a>',
)
def exit_notice_missing(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each link, refresh or redirect that takes the visitor to a third party
    with no exit notice and to a destination that is not exempt.

    A privacy policy that says "sites run by third parties are beyond our responsibility"
    promises that visitors are told when they leave.
    """
    for navigation in assess(ctx, policy).navigations:
        if navigation.mechanism is None:
            yield _finding(navigation, ctx)


def _finding(navigation: Navigation, ctx: PageContext) -> Finding:
    host = navigation.destination.host
    kind = navigation.cref.ref.kind
    if kind is Kind.REDIRECT:
        message = f"An HTTP redirect sends visitors from this page to third party {host} " \
                  "with no exit notice."  # fmt: skip
    elif kind is Kind.REFRESH:
        message = f"A meta refresh sends visitors to third party {host} with no exit notice."
    else:
        message = (
            f"Link to third party {host} has no exit notice: no notice class or attribute on "
            "it or an ancestor, and no notice phrase in its text, aria-label or title."
        )
    if navigation.undecided:
        message += (
            f" Drupal extlink's {navigation.undecided} pattern could not be evaluated (a "
            "backreference, a lookaround or an invalid pattern, which linkguard does not run "
            "from a page), so its notice is not credited."
        )
    return make_finding(exit_notice_missing, navigation.cref, ctx, message)


def broken_interstitial_findings(
    ctx: PageContext, policy: Policy
) -> tuple[tuple[str, Finding], ...]:
    """For each link through an interstitial: (interstitial URL, the finding to raise if the
    crawl finds that URL broken)."""
    prepared: list[tuple[str, Finding]] = []
    for navigation in assess(ctx, policy).navigations:
        if navigation.via is None:
            continue
        path = urls.path_of(navigation.via).partition("?")[0]
        message = (
            f"Link to third party {navigation.destination.host} goes through the exit "
            f"interstitial {path}, which the crawl found broken: the notice never shows."
        )
        finding = make_finding(exit_notice_missing, navigation.cref, ctx, message,
                               destination=navigation.destination)  # fmt: skip
        prepared.append((navigation.via, finding))
    return tuple(prepared)
