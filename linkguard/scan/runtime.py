"""Browser mode's half of the analysis: which crawled pages to visit, and one visit judged.

A ``Visit`` (``linkguard.browser``) is turned into a ``PageContext`` whose references are the
third-party requests it made, with the cookies as a fact, and judged by
``rules/runtime.py``; the result is a small ``RuntimeAnalysis`` that the ResultBuilder folds
beside the page analyses (``aggregate.py``, ``add_runtime``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from linkguard.browser import BrowserRequest, Visit
from linkguard.classify.scope import Scope
from linkguard.model import (
    NAVIGATION_KINDS,
    ClassifiedReference,
    Cookie,
    FetchedPage,
    Finding,
    Kind,
    PageRecord,
    Party,
    Reference,
    StorageItem,
)
from linkguard.policy import Policy
from linkguard.rules import FACT_DRUPAL_EXTLINK, PageContext, crawl_error
from linkguard.rules.declarations import declaration_for
from linkguard.rules.runtime import (
    BROWSER,
    FACT_CHAINS,
    FACT_COOKIES,
    FACT_PHASE,
    cookie_declaration,
    judge_rendered,
    judge_visit,
)
from linkguard.scan.analysis import SeenThirdParty, read_page

# Chromium's resource types as reference kinds, which decide the rule that judges them: the
# markup's kinds where there is one; whatever a script asks for itself (fetch, XHR,
# sendBeacon's "ping", websockets, event streams) is a "request" (Kind.PING is <a ping>).
_KINDS = {
    "script": Kind.SCRIPT,
    "document": Kind.FRAME,  # the main document is left out: it is the page itself
    "stylesheet": Kind.STYLESHEET,
    "font": Kind.FONT,
    "manifest": Kind.MANIFEST,
    "image": Kind.IMAGE,
    "media": Kind.MEDIA,
    "texttrack": Kind.MEDIA,
}
_HTML = ("text/html", "application/xhtml+xml")
# What a script may add to a page that no request shows (a form) or that the requests may
# not show as such: judged as the markup's are, with browser evidence
_ADDED = frozenset({Kind.SCRIPT, Kind.FRAME, Kind.FORM})


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """The outbound navigations of a page as a browser rendered it after the dwell."""

    mechanisms: tuple[tuple[str, int], ...] = ()  # (notice mechanism, navigations it covers)
    outbound: int = 0  # navigations to third parties (exempt ones included)
    noticed: frozenset[str] = frozenset()  # their URLs where a notice is shown (or exempt)
    bare: frozenset[str] = frozenset()  # their URLs where none is


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeAnalysis:
    """One visit reduced to what the results need."""

    page: str
    findings: tuple[Finding, ...] = ()
    third_party: tuple[SeenThirdParty, ...] = ()
    cookies: tuple[Cookie, ...] = ()
    storage: tuple[StorageItem, ...] = ()
    requests: int = 0  # requests the visit made (the page's own document left out)
    # every URL the visit asked for (redirected ones too), as the markup's findings name
    # their targets: what confirms, or not, what the markup says the page loads
    loaded: frozenset[str] = frozenset()
    rendered: Rendered | None = None  # None: the rendered DOM was not read (a consent phase)


def pages_to_visit(records: Iterable[PageRecord], limit: int) -> list[str]:
    """The HTML pages the crawl read, shallowest first then by URL (the same choice on every
    run), at most ``limit`` of them (0: all)."""
    chosen = sorted(
        (r.depth, r.url)
        for r in records
        if r.error is None
        and r.status is not None
        and r.status < 400
        and (r.content_type or "text/html") in _HTML
    )
    return [url for _, url in (chosen[:limit] if limit else chosen)]


def kind_of(request: BrowserRequest) -> Kind:
    """The reference kind of a request, by its resource type."""
    return _KINDS.get(request.resource_type, Kind.REQUEST)


def analyze_visit(visit: Visit, page: str, policy: Policy, scope: Scope) -> RuntimeAnalysis:
    """What one visit (of ``page``, as the results name it) adds to the scan."""
    refs: dict[tuple[Kind, str], ClassifiedReference] = {}
    chains: dict[str, tuple[str, ...]] = {}
    # in a fixed order, so a URL asked for twice (two frames, two initiators) is reported the
    # same way on every run, whichever request happened to come first
    ordered = sorted(visit.requests, key=lambda r: (r.url, r.resource_type, r.frame, r.chain))
    for request in ordered:
        chains.setdefault(request.url, request.chain)
        boundary = scope.classify(request.url)
        key = (kind_of(request), boundary.url or request.url)
        if boundary.party is Party.THIRD and key not in refs:
            refs[key] = ClassifiedReference(_reference(request, key[0]), boundary)
    rendered: Rendered | None = None
    seen_rendered: tuple[Finding, ...] = ()
    if visit.rendered:
        added, rendered, seen_rendered = _rendered(visit, page, policy, scope)
        for cref in added:  # a form, or a script or frame whose request was not seen
            refs.setdefault((cref.ref.kind, cref.boundary.url or ""), cref)
    cookies = tuple(_declared(cookie, page, policy) for cookie in visit.cookies)
    facts: dict[str, object] = {FACT_COOKIES: cookies, FACT_CHAINS: chains, FACT_PHASE: visit.phase}
    ctx = PageContext(page, tuple(refs.values()), scope, None, facts)
    findings = judge_visit(ctx, policy) + seen_rendered
    if visit.error is not None:
        findings += (replace(crawl_error(page, visit.error), evidence=BROWSER),)
    seen = {
        SeenThirdParty(
            c.boundary.host,
            c.boundary.site,
            str(kind),
            getattr(declaration_for(url, c.boundary.host, kind, policy), "name", ""),
        )
        for (kind, url), c in refs.items()
    }
    return RuntimeAnalysis(
        page=page,
        findings=findings,
        third_party=tuple(sorted(seen)),
        cookies=cookies,
        storage=tuple(replace(item, page=page) for item in visit.storage),
        requests=len(visit.requests),
        loaded=frozenset(
            scope.classify(url).url or url
            for request in visit.requests
            for url in (*request.redirects, request.url)
        ),
        rendered=rendered,
    )


def _rendered(
    visit: Visit, page: str, policy: Policy, scope: Scope
) -> tuple[list[ClassifiedReference], Rendered, tuple[Finding, ...]]:
    """The page as rendered after the dwell, read as the markup is (``read_page``) and
    held against the page as served: the third-party scripts, frames and forms the markup
    did not have, the exit notices its links show, and the links that show none."""

    def read(body: bytes, charset: str | None) -> tuple[ClassifiedReference, ...]:
        cap = policy.crawl.max_bytes  # as the crawl reads a page: a DOM scripts grew too
        fetched = FetchedPage(
            url=page, final_url=page, status=200, depth=0, body=body[:cap], charset=charset
        )
        return read_page(fetched, policy, scope).refs

    shown = read(visit.rendered.encode("utf-8"), "utf-8")  # the DOM, serialised as UTF-8
    added: list[ClassifiedReference] = []
    if visit.document:
        served = {(c.ref.kind, c.boundary.url) for c in read(visit.document, None)}
        for cref in shown:
            key = (cref.ref.kind, cref.boundary.url)
            if cref.party is Party.THIRD and key[0] in _ADDED and key not in served:
                ref = replace(cref.ref, line=0, element=f"{cref.ref.element} (rendered)")
                added.append(ClassifiedReference(ref, cref.boundary))
    navigations = tuple(c for c in shown if c.ref.kind in NAVIGATION_KINDS)
    # no Drupal extlink inference: what its script did is in the DOM itself
    ctx = PageContext(page, navigations, scope, None, {FACT_DRUPAL_EXTLINK: None})
    findings, assessment = judge_rendered(ctx, policy)
    noticed = {n.cref.boundary.url or "": n.mechanism is not None for n in assessment.navigations}
    rendered = Rendered(
        mechanisms=assessment.mechanisms,
        outbound=len(assessment.navigations),
        noticed=frozenset(url for url, shows in noticed.items() if shows),
        bare=frozenset(url for url, shows in noticed.items() if not shows),
    )
    return added, rendered, findings


# The markup's kinds whose URL a visitor's browser requests as the page loads (a preload
# hint, a form or a ping may rightly never be requested)
_LOADS = frozenset(
    {Kind.SCRIPT, Kind.FRAME, Kind.STYLESHEET, Kind.IMAGE, Kind.MEDIA, Kind.FONT, Kind.MANIFEST}
)


def confirmation(finding: Finding, analysis: RuntimeAnalysis) -> str:
    """What a visit of its page says of a finding of the markup: ``confirmed`` (the visit
    loaded its target, or rendered its link without a notice), ``not-loaded`` (the visit
    never asked for its target), ``noticed`` (the link, as rendered, shows a notice: a
    script applied it), or "" (the visit cannot tell)."""
    if finding.evidence != "html":
        return ""
    if finding.kind in _LOADS:
        return "confirmed" if finding.target in analysis.loaded else "not-loaded"
    rendered = analysis.rendered
    if rendered is None or finding.rule != "exit-notice-missing":
        return ""
    if finding.target in rendered.noticed:
        return "noticed"
    return "confirmed" if finding.target in rendered.bare else ""


def _reference(request: BrowserRequest, kind: Kind) -> Reference:
    where = f" in frame {request.frame}" if request.frame and request.frame != request.url else ""
    return Reference(
        kind=kind,
        tag="browser",
        attr=request.resource_type,
        raw=request.url,
        url=request.url,
        line=0,
        element=f"{request.resource_type} {request.method}{where} (browser)",
    )


def _declared(cookie: Cookie, page: str, policy: Policy) -> Cookie:
    decl = cookie_declaration(cookie, policy)
    return replace(cookie, page=page, declared_by=decl.name if decl is not None else None)


def fold_cookies(
    folded: dict[tuple[str, str, str, str], Cookie], cookies: Iterable[Cookie]
) -> None:
    """Fold one visit's cookies into ``folded`` by (domain, name, path, phase): the first
    page by URL names it, and ``pages`` counts the visits that left it."""
    for cookie in cookies:
        key = (cookie.domain, cookie.name, cookie.path, cookie.phase)
        known = folded.get(key)
        if known is None:
            folded[key] = cookie
        else:
            first = cookie if cookie.page < known.page else known
            folded[key] = replace(first, pages=known.pages + 1)


def fold_storage(
    folded: dict[tuple[str, str, str, str], StorageItem], items: Iterable[StorageItem]
) -> None:
    """``fold_cookies`` for storage keys, by (origin, area, key, phase)."""
    for item in items:
        key = (item.origin, item.area, item.key, item.phase)
        known = folded.get(key)
        if known is None:
            folded[key] = item
        else:
            first = item if item.page < known.page else known
            folded[key] = replace(first, pages=known.pages + 1)
