"""One page, analysed: read (extract -> classify) then judged (rules), reduced to a small
``PageAnalysis``.

``analyze_page`` is a pure function of one source result, the policy and the scope, so it
can run in a worker process; its result is small and picklable (and serialisable to JSON, for
the crawl state of ``--resume``). ``read_page`` is its first half, for commands that list
references rather than judge them (``linkguard links``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from linkguard._frozen import quick_init
from linkguard.classify import urls
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
    UnreadFile,
    loaded,
)
from linkguard.policy import Policy
from linkguard.rules import FACT_DRUPAL_EXTLINK, FACT_PAGE_TEXT, PageContext, crawl_error, evaluate
from linkguard.rules.declarations import register_of
from linkguard.rules.raised_by_scan import page_truncated
from linkguard.sources._files import serves

# Reference kinds the crawler follows to find more first-party pages.
FOLLOWED = frozenset({Kind.LINK, Kind.FRAME, Kind.REFRESH})


class SeenThirdParty(NamedTuple):
    """A third-party host a page uses, for the inventory."""

    host: str
    site: str  # registrable domain
    kind: str  # the reference kind it was used as
    declared_by: str  # the name of the [[third_party]] entry that covers it, or ""


class OutboundLink(NamedTuple):
    """A link to a third party, for ``--check-external``."""

    url: str
    line: int
    element: str


class MissingLink(NamedTuple):
    """A link, frame or refresh to a first-party page that the scanned folder lacks."""

    url: str  # without its fragment
    line: int
    element: str
    kind: str
    ignored: bool  # data-linkguard-ignore names missing-page (or *) on it or an ancestor


class InterstitialLink(NamedTuple):
    """A link through an exit interstitial, with the finding to file if that URL is broken."""

    url: str  # the interstitial's URL
    finding: Finding


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadPage:
    """One page read: its references classified, and what the rules need besides."""

    refs: tuple[ClassifiedReference, ...]
    facts: dict[str, object] = field(default_factory=dict)
    dynamic: tuple[DynamicReference, ...] = ()  # template mode: destinations unknown here
    follow: tuple[str, ...] = ()  # first-party URLs the page leads to
    unread: str = ""  # why part of the page could not be read as a browser reads it


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class PageAnalysis:
    """One page reduced to what the results need: small, picklable."""

    record: PageRecord
    findings: tuple[Finding, ...] = ()
    third_party: tuple[SeenThirdParty, ...] = ()
    follow: tuple[str, ...] = ()
    references: int = 0
    exempt: int = 0
    mechanisms: tuple[tuple[str, int], ...] = ()  # (notice mechanism, links it covered)
    dynamic: tuple[DynamicReference, ...] = ()
    via_interstitial: tuple[InterstitialLink, ...] = ()
    outbound_links: tuple[OutboundLink, ...] = ()
    missing: tuple[MissingLink, ...] = ()  # folder scans: pages linked to, not in the folder
    read: ReadPage | None = None  # the page's references, when asked for (init's survey)

    def __reduce__(self) -> tuple[Callable[..., PageAnalysis], tuple[object, ...]]:
        """Pickled (by an analysis worker) with its named tuples as plain tuples, which
        pickle writes and reads in C; each named tuple's own pickling is a Python call both
        ways, and was a third of the time a page's analysis took to travel back."""
        return _unpickled, (
            self.record, self.findings, _plain(self.third_party), self.follow,
            self.references, self.exempt, self.mechanisms, self.dynamic,
            _plain(self.via_interstitial), _plain(self.outbound_links), _plain(self.missing),
            self.read,
        )  # fmt: skip


def _plain(rows: tuple[tuple[object, ...], ...]) -> tuple[tuple[object, ...], ...]:
    return tuple(map(tuple, rows))


def _unpickled(
    record: PageRecord,
    findings: tuple[Finding, ...],
    third_party: tuple[tuple[str, str, str, str], ...],
    follow: tuple[str, ...],
    references: int,
    exempt: int,
    mechanisms: tuple[tuple[str, int], ...],
    dynamic: tuple[DynamicReference, ...],
    via_interstitial: tuple[tuple[str, Finding], ...],
    outbound_links: tuple[tuple[str, int, str], ...],
    missing: tuple[tuple[str, int, str, str, bool], ...],
    read: ReadPage | None,
) -> PageAnalysis:
    """The PageAnalysis that :meth:`PageAnalysis.__reduce__` pickled."""
    return PageAnalysis(
        record=record,
        findings=findings,
        third_party=tuple(map(SeenThirdParty._make, third_party)),
        follow=follow,
        references=references,
        exempt=exempt,
        mechanisms=mechanisms,
        dynamic=dynamic,
        via_interstitial=tuple(map(InterstitialLink._make, via_interstitial)),
        outbound_links=tuple(map(OutboundLink._make, outbound_links)),
        missing=tuple(map(MissingLink._make, missing)),
        read=read,
    )


# -- one page ------------------------------------------------------------------------------
def analyze_page(
    result: SourceResult, policy: Policy, scope: Scope, *, keep_references: bool = False
) -> PageAnalysis:
    """Everything linkguard learns from one source result (and, with ``keep_references``,
    the classified references it was judged on)."""
    folder = result.root if isinstance(result, UnreadFile) else ""
    result = loaded(result)
    if isinstance(result, FailedPage):
        return _failed(result)
    if isinstance(result, SkippedPage):
        record = PageRecord(
            url=result.url,
            status=result.status,
            depth=result.depth,
            content_type=result.content_type,
        )
        return PageAnalysis(record=record)
    read = read_page(result, policy, scope)
    analysis = _judged(result, read, policy, scope, keep_references)
    if folder:
        analysis = replace(analysis, missing=missing_links(read.refs, Path(folder), policy, scope))
    return analysis


def _failed(page: FailedPage) -> PageAnalysis:
    record = PageRecord(url=page.url, status=page.status, depth=page.depth, error=page.error)
    return PageAnalysis(record=record, findings=(crawl_error(page.url, page.error),))


def read_page(
    page: FetchedPage, policy: Policy, scope: Scope, *, every_text: bool = False
) -> ReadPage:
    """The page's references, classified; the accessible text of links is read only for
    links that leave the site (the only ones judged by their words) unless ``every_text``."""
    refs: list[Reference] = [_redirect_reference(hop) for hop in page.redirects]
    facts: dict[str, object] = {}
    unread = ""
    if page.body:
        extracted = extract_references(
            page.body,
            page.final_url,
            charset=page.charset,
            notice_selectors=policy.exit_notice.selectors,
            text_for=None if every_text else lambda url: scope.classify(url).party is Party.THIRD,
        )
        refs.extend(extracted.references)
        facts[FACT_DRUPAL_EXTLINK] = extracted.drupal_extlink
        facts[FACT_PAGE_TEXT] = extracted.interstitial_text
        unread = extracted.unread
    dynamic: tuple[DynamicReference, ...] = ()
    if page.template:
        refs, dynamic = _split_dynamic(refs, page)
    classify, classified, follow = scope.classify, [], []
    for ref in refs:  # one pass: a page has a hundred references, a crawl millions
        boundary = classify(ref.url)
        classified.append(ClassifiedReference(ref, boundary))
        if boundary.party is Party.FIRST and boundary.url and ref.kind in FOLLOWED:
            follow.append(boundary.url)
    if page.redirects and not page.body:
        follow.append(page.final_url)
    return ReadPage(
        refs=tuple(classified), facts=facts, dynamic=dynamic, follow=tuple(follow), unread=unread
    )


def _judged(
    page: FetchedPage, read: ReadPage, policy: Policy, scope: Scope, keep: bool
) -> PageAnalysis:
    classified = read.refs
    ctx = PageContext(page.url, classified, scope, page.file, read.facts)
    verdict = evaluate(ctx, policy)
    seen = {
        (c.boundary.host, c.boundary.site, str(c.ref.kind), c.boundary.url or "")
        for c in classified
        if c.party is Party.THIRD
    } | set(verdict.destinations)  # reached through an exit interstitial
    record = PageRecord(
        url=page.url,
        status=page.status,
        depth=page.depth,
        content_type=page.content_type or None,
        outbound=verdict.outbound,
        noticed=verdict.noticed,
        file=page.file,
        truncated=page.truncated,
        exempt=verdict.exempt,
        error=read.unread or None,  # not scanned whole: counted as a page that failed
    )
    findings = verdict.findings
    if page.truncated:  # what was read is judged; what was not is said
        findings += (page_truncated(page.url, len(page.body), file=page.file),)
    if read.unread:
        findings += (replace(crawl_error(page.url, read.unread), file=page.file),)
    return PageAnalysis(
        record=record,
        findings=findings,
        third_party=tuple(sorted(_declared(seen, policy))),
        follow=read.follow,
        references=len(classified) + len(read.dynamic),
        exempt=verdict.exempt,
        mechanisms=verdict.mechanisms,
        dynamic=read.dynamic,
        via_interstitial=tuple(InterstitialLink(url, f) for url, f in verdict.via_interstitial),
        outbound_links=tuple(
            OutboundLink(c.boundary.url, c.ref.line, c.ref.element)
            for c in classified
            if c.ref.kind is Kind.LINK and c.party is Party.THIRD and c.boundary.url
        ),
        read=read if keep else None,
    )


def missing_links(
    refs: tuple[ClassifiedReference, ...], root: Path, policy: Policy, scope: Scope
) -> tuple[MissingLink, ...]:
    """The links, frames and refreshes to pages on the site's origin that no file of the
    folder ``root`` serves (``sources._files.serves``; query and fragment ignored), bar
    URLs the crawl settings keep out (``[crawl].include``/``exclude``): the pages a build
    lacks, which a folder scan would otherwise pass over in silence."""
    found: list[MissingLink] = []
    crawl = policy.crawl
    for cref in refs:
        url, ref = cref.boundary.url, cref.ref
        if ref.kind not in FOLLOWED or cref.party is not Party.FIRST or not url:
            continue
        path = _expected_path(url, scope.origin, crawl.include, crawl.exclude)
        if path is None or serves(root, path):
            continue
        found.append(
            MissingLink(
                url.partition("#")[0], ref.line, ref.element, str(ref.kind),
                "missing-page" in ref.ignore or "*" in ref.ignore,
            )
        )  # fmt: skip
    return tuple(found)


@lru_cache(maxsize=16_384)  # a site's navigation repeats the same URLs on every page
def _expected_path(
    url: str, origin: str, include: tuple[str, ...], exclude: tuple[str, ...]
) -> str | None:
    """The path of ``url`` when the build should hold it: on ``origin``, and crawlable by
    the crawl settings (as the HTTP crawler decides it); None otherwise."""
    parsed = urls.parse(url)
    if parsed is None or parsed.origin != origin:
        return None
    if include or exclude:
        key = urls.normalize(url)
        if include and not any(re.search(p, key) for p in include):
            return None
        if any(re.search(p, key) for p in exclude):
            return None
    path: str = parsed.pathname
    return path


def _declared(seen: set[tuple[str, str, str, str]], policy: Policy) -> set[SeenThirdParty]:
    """(host, site, kind, url) seen -> each host with the declaration that covers it: the
    inventory's input, judged here so the folding process only counts. A mention is covered
    by any entry naming its host, whatever its kinds: no entry declares mentions, and a
    vendor a script only names is still the vendor the policy declared."""
    named = register_of(policy.third_parties).named
    return {
        SeenThirdParty(host, site, kind, named(url, host, _DECLARED_KINDS[kind]))
        for host, site, kind, url in seen
    }


# A kind as ``seen`` holds it -> as declarations are asked about it (a mention: any kind).
_DECLARED_KINDS: dict[str, Kind | None] = {
    str(kind): None if kind is Kind.MENTION else kind for kind in Kind
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
                DynamicReference(
                    page=page.url,
                    file=page.file,
                    line=ref.line,
                    kind=str(ref.kind),
                    raw=shown(ref.raw),
                )
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
