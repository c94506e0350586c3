"""One page, analysed: extract -> classify -> rules, reduced to a small ``PageAnalysis``.

``analyze_page`` is a pure function of one source result, the policy and the scope, so it
can run in a worker process; its result is small and picklable (and serialisable to JSON, for
the crawl state of ``--resume``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from linkguard.classify.scope import Scope
from linkguard.extract import extract_references
from linkguard.extract.masking import destination_is_known, is_templated, shown
from linkguard.model import (
    ClassifiedReference,
    DynamicReference,
    FailedPage,
    FetchedPage,
    Finding,
    Kind,
    PageRecord,
    Party,
    Reference,
    SkippedPage,
    SourceResult,
    loaded,
)
from linkguard.policy import Policy
from linkguard.rules import FACT_DRUPAL_EXTLINK, FACT_PAGE_TEXT, PageContext, crawl_error, evaluate
from linkguard.rules.declarations import declaration_for

# Reference kinds the crawler follows to find more first-party pages.
FOLLOWED = frozenset({Kind.LINK, Kind.FRAME, Kind.REFRESH})


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """One page reduced to what the results need: small, picklable."""

    record: PageRecord
    findings: tuple[Finding, ...]
    # (host, site, kind, name of the declaration covering it or "") for each third party seen
    third_party: tuple[tuple[str, str, str, str], ...]
    follow: tuple[str, ...]
    references: int = 0
    exempt: int = 0
    mechanisms: tuple[tuple[str, int], ...] = ()
    dynamic: tuple[DynamicReference, ...] = ()
    via_interstitial: tuple[tuple[str, Finding], ...] = ()  # raised if that URL is broken
    outbound_links: tuple[tuple[str, int, str], ...] = ()  # (url, line, element), for
    # --check-external


# -- one page ------------------------------------------------------------------------------
def analyze_page(result: SourceResult, policy: Policy, scope: Scope) -> PageAnalysis:
    """Everything linkguard learns from one source result."""
    result = loaded(result)
    if isinstance(result, FailedPage):
        return _failed(result)
    if isinstance(result, SkippedPage):
        record = PageRecord(result.url, result.status, result.depth, None, result.content_type)
        return PageAnalysis(record, (), (), ())
    return _fetched(result, policy, scope)


def _failed(page: FailedPage) -> PageAnalysis:
    record = PageRecord(page.url, page.status, page.depth, page.error)
    return PageAnalysis(record, (crawl_error(page.url, page.error),), (), ())


def _fetched(page: FetchedPage, policy: Policy, scope: Scope) -> PageAnalysis:
    refs: list[Reference] = [_redirect_reference(hop) for hop in page.redirects]
    facts: dict[str, object] = {}
    if page.body:
        extracted = extract_references(
            page.body,
            page.final_url,
            charset=page.charset,
            notice_selectors=policy.exit_notice.selectors,
            text_for=lambda url: scope.classify(url).party is Party.THIRD,
        )
        refs.extend(extracted.references)
        facts[FACT_DRUPAL_EXTLINK] = extracted.drupal_extlink
        facts[FACT_PAGE_TEXT] = extracted.interstitial_text
    dynamic: tuple[DynamicReference, ...] = ()
    if page.template:
        refs, dynamic = _split_dynamic(refs, page)
    classified = tuple(ClassifiedReference(ref, scope.classify(ref.url)) for ref in refs)
    ctx = PageContext(page.url, classified, scope, page.file, facts)
    verdict = evaluate(ctx, policy)
    seen = {
        (c.boundary.host, c.boundary.site, str(c.ref.kind), c.boundary.url or "")
        for c in classified
        if c.party is Party.THIRD
    } | set(verdict.destinations)  # reached through an exit interstitial
    third = tuple(sorted(_declared(seen, policy)))
    follow = tuple(
        c.boundary.url
        for c in classified
        if c.party is Party.FIRST and c.boundary.url and c.ref.kind in FOLLOWED
    )
    if page.redirects and not page.body:
        follow += (page.final_url,)
    record = PageRecord(
        page.url,
        page.status,
        page.depth,
        None,
        page.content_type or None,
        outbound=verdict.outbound,
        noticed=verdict.noticed,
        file=page.file,
    )
    return PageAnalysis(
        record,
        verdict.findings,
        third,
        follow,
        len(refs) + len(dynamic),
        verdict.exempt,
        verdict.mechanisms,
        dynamic,
        verdict.via_interstitial,
        tuple(
            (c.boundary.url, c.ref.line, c.ref.element)
            for c in classified
            if c.ref.kind is Kind.LINK and c.party is Party.THIRD and c.boundary.url
        ),
    )


def _declared(
    seen: set[tuple[str, str, str, str]], policy: Policy
) -> set[tuple[str, str, str, str]]:
    """(host, site, kind, url) seen -> (host, site, kind, the declaration that covers it or
    ""): the inventory's input, judged here so the folding process only counts."""
    return {
        (host, site, kind, getattr(declaration_for(url, host, Kind(kind), policy), "name", ""))
        for host, site, kind, url in seen
    }


def _split_dynamic(
    refs: list[Reference], page: FetchedPage
) -> tuple[list[Reference], tuple[DynamicReference, ...]]:
    """Template mode: set aside references whose destination depends on template code.

    A templated URL with a literal scheme and host (``https://forms.example.com/f/{{ id }}``)
    stays and is judged like any literal URL; ``{{ url }}`` is dynamic.
    """
    kept: list[Reference] = []
    dynamic: list[DynamicReference] = []
    for ref in refs:
        if not is_templated(ref.raw) and not is_templated(ref.element):
            kept.append(ref)
        elif is_templated(ref.raw) and not destination_is_known(ref.raw):
            dynamic.append(
                DynamicReference(page.url, page.file, ref.line, str(ref.kind), shown(ref.raw))
            )
        else:
            kept.append(
                replace(
                    ref,
                    raw=shown(ref.raw),
                    element=shown(ref.element),
                    url=shown(ref.url) if ref.url else None,
                )
            )
    return kept, tuple(dynamic)


def _redirect_reference(hop: tuple[str, str, int]) -> Reference:
    source, target, status = hop
    return Reference(
        kind=Kind.REDIRECT,
        tag="http",
        attr="location",
        raw=target,
        url=target,
        line=0,
        element=f"HTTP {status} {source} -> {target}",
    )


def reference_rows(result: SourceResult, policy: Policy, scope: Scope) -> list[dict[str, object]]:
    """The rows ``linkguard links`` prints for one page: every reference with its party."""
    result = loaded(result)
    if not isinstance(result, FetchedPage):
        return []
    refs = [_redirect_reference(hop) for hop in result.redirects]
    if result.body:
        refs.extend(
            extract_references(
                result.body,
                result.final_url,
                charset=result.charset,
                notice_selectors=policy.exit_notice.selectors,
            ).references
        )
    rows: list[dict[str, object]] = []
    for ref in refs:
        boundary = scope.classify(ref.url)
        rows.append(
            {
                "page": result.url,
                "line": ref.line,
                "kind": str(ref.kind),
                "tag": ref.tag,
                "attr": ref.attr,
                "href": ref.raw,
                "url": ref.url,
                "host": boundary.host,
                "party": str(boundary.party),
            }
        )
    return rows
