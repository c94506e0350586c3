"""The orchestration: source -> extract -> classify -> rules -> results.

``analyze_page`` is a pure function of one fetched page, the policy and the scope, so it
can run in a worker process; ``ResultBuilder`` folds each page's analysis into counters and
findings as it arrives (references are never all kept), and ``run_scan`` wires a source to
both and turns Ctrl-C or SIGTERM into a partial, clearly incomplete result.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from pathlib import Path

import httpx

from linkguard import urls
from linkguard.boundary import Scope
from linkguard.config import CrawlConfig, Policy
from linkguard.extract import extract_references
from linkguard.masking import destination_is_known, is_templated, shown
from linkguard.model import (
    ClassifiedReference,
    CrawlStats,
    DynamicReference,
    FailedPage,
    FetchedPage,
    Finding,
    Kind,
    PageRecord,
    Party,
    Reference,
    RunInfo,
    ScanResult,
    Severity,
    SkippedPage,
    SourceResult,
    Summary,
    ThirdParty,
    fingerprint,
)
from linkguard.rules import FACT_DRUPAL_EXTLINK, FACT_PAGE_TEXT, RULES, PageContext, evaluate
from linkguard.rules.declarations import declaration_for
from linkguard.sources import Source
from linkguard.sources.external import check_links
from linkguard.sources.folder import FolderSource
from linkguard.sources.http import HttpCrawler, user_agent
from linkguard.sources.templates import TemplateSource
from linkguard.vendors import vendor_of
from linkguard.workers import Analyzer

DEFAULT_FOLDER_ORIGIN = "http://localhost"
# Reference kinds the crawler follows to find more first-party pages.
_FOLLOWED = frozenset({Kind.LINK, Kind.FRAME, Kind.REFRESH})


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """Everything one scan needs, resolved from the CLI and the policy."""

    target: str
    policy: Policy
    scope: Scope
    crawl: CrawlConfig
    fail_on: str = "error"
    transport: httpx.AsyncBaseTransport | None = None  # tests inject faults here
    templates: tuple[Path, ...] | None = None  # template mode: these files, judged in place
    partial: bool = False  # a deliberate subset (--changed-since): no unused-declaration
    workers: int | None = None  # processes that analyse pages; None: one per core
    check_external: bool = False  # request each outbound link once: broken-outbound-link


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """One page reduced to what the results need: small, picklable."""

    record: PageRecord
    findings: tuple[Finding, ...]
    third_party: tuple[tuple[str, str, str, str], ...]  # (host, site, kind, url) seen
    follow: tuple[str, ...]
    references: int = 0
    exempt: int = 0
    mechanisms: tuple[tuple[str, int], ...] = ()
    dynamic: tuple[DynamicReference, ...] = ()
    via_interstitial: tuple[tuple[str, Finding], ...] = ()  # raised if that URL is broken
    outbound_links: tuple[tuple[str, int, str], ...] = ()  # (url, line, element), for
    # --check-external


def is_url(target: str) -> bool:
    return urls.scheme_of(target) in urls.WEB_SCHEMES


def origin_for(target: str, policy: Policy) -> str:
    """The origin a scan runs under: the policy's, else the target URL's, else localhost."""
    if policy.site.origin:
        return policy.site.origin
    if is_url(target):
        return urls.origin_of(target)
    return DEFAULT_FOLDER_ORIGIN


def make_scope(target: str, policy: Policy) -> Scope:
    """The first-party boundary: the origin, the policy's first-party list, and the host of a
    crawled target (the live site, or a staging copy on 127.0.0.1, is ours by definition)."""
    first_party = policy.site.first_party
    if is_url(target) and urls.host_of(target):
        first_party = (*first_party, urls.host_of(target))
    return Scope.build(origin_for(target, policy), first_party)


@dataclass(frozen=True, slots=True)
class Mirror:
    """Reports a site crawled from a copy (staging, or 127.0.0.1) under its real origin.

    When the policy's ``site.origin`` differs from the crawled target's origin, page URLs are
    rewritten to the site origin before they are parsed (so references resolve, and findings
    are fingerprinted, as on the live site, exactly like a folder scan), and the links to
    follow are rewritten back to the copy.
    """

    served: str  # the crawled copy's origin: http://127.0.0.1:8123
    origin: str  # the site's origin: https://www.example.com

    @classmethod
    def between(cls, target: str, origin: str) -> Mirror | None:
        served = urls.origin_of(target) if is_url(target) else ""
        return cls(served, origin) if served and served != origin else None

    def to_site(self, url: str) -> str:
        return _rebase(url, self.served, self.origin)

    def to_served(self, url: str) -> str:
        return _rebase(url, self.origin, self.served)

    def serves(self, url: str) -> bool:
        """Whether ``url`` (on the site's origin) is a page of the copy."""
        return url == self.origin or url.startswith(self.origin + "/")

    def page(self, result: SourceResult) -> SourceResult:
        hops = (
            tuple((self.to_site(a), self.to_site(b), s) for a, b, s in result.redirects)
            if not isinstance(result, SkippedPage)
            else ()
        )
        if isinstance(result, FetchedPage):
            return replace(
                result,
                url=self.to_site(result.url),
                final_url=self.to_site(result.final_url),
                redirects=hops,
            )
        if isinstance(result, FailedPage):
            return replace(result, url=self.to_site(result.url), redirects=hops)
        return replace(result, url=self.to_site(result.url))


def _rebase(url: str, old: str, new: str) -> str:
    if url == old or url.startswith(old + "/"):
        return new + url[len(old) :]
    return url


# -- one page ------------------------------------------------------------------------------
def analyze_page(result: SourceResult, policy: Policy, scope: Scope) -> PageAnalysis:
    """Everything linkguard learns from one source result."""
    if isinstance(result, FailedPage):
        return _failed(result)
    if isinstance(result, SkippedPage):
        record = PageRecord(result.url, result.status, result.depth, None, result.content_type)
        return PageAnalysis(record, (), (), ())
    return _fetched(result, policy, scope)


def _failed(page: FailedPage) -> PageAnalysis:
    record = PageRecord(page.url, page.status, page.depth, page.error)
    finding = Finding(
        "crawl-error",
        RULES["crawl-error"].severity,
        page.url,
        0,
        page.url,
        urls.host_of(page.url),
        "",
        f"Page could not be scanned: {page.error}",
        kind="page",
    )
    return PageAnalysis(record, (finding,), (), ())


def _fetched(page: FetchedPage, policy: Policy, scope: Scope) -> PageAnalysis:
    refs: list[Reference] = [_redirect_reference(hop) for hop in page.redirects]
    facts: dict[str, object] = {}
    if page.body:
        extracted = extract_references(
            page.body,
            page.final_url,
            charset=page.charset,
            notice_selectors=policy.exit_notice.selectors,
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
    third = tuple(
        sorted(
            {
                (c.boundary.host, c.boundary.site, str(c.ref.kind), c.boundary.url or "")
                for c in classified
                if c.party is Party.THIRD
            }
            | set(verdict.destinations)  # reached through an exit interstitial
        )
    )
    follow = tuple(
        c.boundary.url
        for c in classified
        if c.party is Party.FIRST and c.boundary.url and c.ref.kind in _FOLLOWED
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


# -- the whole scan ------------------------------------------------------------------------
@dataclass(slots=True)
class ResultBuilder:
    """Folds page analyses into the final ScanResult, keeping counters, not references."""

    policy: Policy
    scope: Scope
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    pages: list[PageRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    references: int = 0
    exempt: int = 0
    mechanisms: Counter[str] = field(default_factory=Counter)
    hosts: dict[str, tuple[str, set[str]]] = field(default_factory=dict)  # host -> site, kinds
    host_pages: Counter[str] = field(default_factory=Counter)
    used_declarations: set[str] = field(default_factory=set)
    declared_hosts: dict[str, str | None] = field(default_factory=dict)
    dynamic: list[DynamicReference] = field(default_factory=list)
    # Links through an exit interstitial, by its URL: an exit-notice-missing finding each,
    # filed at the end if the crawl found that URL broken (HTTP 4xx/5xx).
    via_interstitial: dict[str, list[Finding]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    # --check-external: outbound URL -> where it is linked (page, line, element, file)
    outbound: dict[str, list[tuple[str, int, str, str | None]]] | None = None

    def add(self, analysis: PageAnalysis) -> None:
        self.pages.append(analysis.record)
        if self.outbound is not None:
            for url, line, element in analysis.outbound_links:
                where = (analysis.record.url, line, element, analysis.record.file)
                self.outbound.setdefault(url, []).append(where)
        if analysis.record.status is not None and analysis.record.status >= 400:
            self.broken.add(urls.normalize(analysis.record.url))
        for url, finding in analysis.via_interstitial:
            self.via_interstitial.setdefault(urls.normalize(url), []).append(finding)
        self.references += analysis.references
        self.exempt += analysis.exempt
        self.mechanisms.update(dict(analysis.mechanisms))
        self.dynamic.extend(analysis.dynamic)
        for finding in analysis.findings:
            self._file(finding)
        for host in {h for h, _, _, _ in analysis.third_party}:
            self.host_pages[host] += 1
        for host, site, kind, url in analysis.third_party:
            self.hosts.setdefault(host, (site, set()))[1].add(kind)
            decl = declaration_for(url, host, Kind(kind), self.policy)
            if decl is not None:
                self.used_declarations.add(decl.name)
                current = self.declared_hosts.get(host)
                if current is None or self._rank(decl.name) < self._rank(current):
                    self.declared_hosts[host] = decl.name  # the same whatever order pages came
            else:
                self.declared_hosts.setdefault(host, None)

    def file_broken_links(self, problems: dict[str, str | None]) -> None:
        """A ``broken-outbound-link`` finding wherever a link that failed is linked."""
        for url, places in (self.outbound or {}).items():
            problem = problems.get(url)
            if problem is None:
                continue
            for page, line, element, file in places:
                self._file(
                    Finding(
                        "broken-outbound-link",
                        RULES["broken-outbound-link"].severity,
                        page,
                        line,
                        url,
                        urls.host_of(url),
                        element,
                        f"Outbound link is broken: {problem}",
                        kind="link",
                        file=file,
                    )
                )

    def _rank(self, name: str) -> int:
        """A declaration's place in the policy, so the first matching entry names a host."""
        names = [d.name for d in self.policy.third_parties]
        return names.index(name) if name in names else len(names)

    def _file(self, finding: Finding) -> None:
        default = RULES[finding.rule].severity if finding.rule in RULES else finding.severity
        severity = self.policy.severity_of(finding.rule, default)
        if severity is None:
            return
        finding = replace(
            finding,
            severity=severity,
            fingerprint=fingerprint(finding.rule, finding.page, finding.target, finding.kind),
        )
        waiver = self._waiver_for(finding)
        if waiver is not None:
            finding = replace(finding, suppressed_by=waiver)
        (self.suppressed if finding.suppressed_by else self.findings).append(finding)

    def _waiver_for(self, finding: Finding) -> str | None:
        for waiver in self.policy.waivers:
            if waiver.rule not in ("*", finding.rule):
                continue
            if waiver.expires is not None and waiver.expires < self.today:
                continue
            if waiver.page and not (
                fnmatchcase(finding.page, waiver.page)
                or fnmatchcase(urls.path_of(finding.page), waiver.page)
            ):
                continue
            if waiver.host and not fnmatchcase(finding.host, waiver.host):
                continue
            until = f" (until {waiver.expires.isoformat()})" if waiver.expires else ""
            return f"waiver: {waiver.reason}{until}"
        return None

    def _unused_declarations(self) -> None:
        for decl in self.policy.third_parties:
            if decl.name in self.used_declarations:
                continue
            self._file(
                Finding(
                    "unused-declaration",
                    RULES["unused-declaration"].severity,
                    self.scope.origin + "/",
                    0,
                    decl.name,
                    ", ".join(decl.hosts),
                    "",
                    f"Declared third party {decl.name!r} ({', '.join(decl.hosts)}) was never seen.",
                    kind="declaration",
                    file=self.policy.path,
                )
            )

    def build(
        self, run: RunInfo, *, partial: bool = False, not_crawled: dict[str, int] | None = None
    ) -> ScanResult:
        if run.complete and not partial:
            self._unused_declarations()
        for url in sorted(self.broken & self.via_interstitial.keys()):
            for finding in self.via_interstitial[url]:
                self._file(finding)
        third = tuple(
            _third_party(host, site, kinds, self.host_pages[host], self.declared_hosts.get(host))
            for host, (site, kinds) in sorted(self.hosts.items())
        )
        counts = Counter(str(f.severity) for f in self.findings)
        html_pages = [
            p
            for p in self.pages
            if p.error is None
            and p.status is not None
            and (p.content_type or "text/html") in ("text/html", "application/xhtml+xml")
        ]
        summary = Summary(
            pages=len(html_pages),
            references=self.references,
            outbound_links=sum(p.outbound for p in self.pages),
            outbound_with_notice=sum(p.noticed for p in self.pages),
            third_party_hosts=len(third),
            findings={s.value: counts.get(s.value, 0) for s in Severity},
            outbound_exempt=self.exempt,
            notice_mechanisms=dict(sorted(self.mechanisms.items())),
            suppressed=len(self.suppressed),
            dynamic_references=len(self.dynamic),
            not_crawled=dict(not_crawled or {}),
        )
        return ScanResult(
            run=run,
            summary=summary,
            pages=tuple(sorted(self.pages, key=lambda p: p.url)),
            third_parties=third,
            findings=tuple(sorted(self.findings, key=Finding.sort_key)),
            suppressed=tuple(sorted(self.suppressed, key=Finding.sort_key)),
            dynamic=tuple(sorted(self.dynamic, key=lambda d: (d.page, d.line, d.raw))),
        )


def _third_party(
    host: str, site: str, kinds: set[str], pages: int, declared_by: str | None
) -> ThirdParty:
    """One inventory line: the policy's declaration (``declared_by``), and who runs the host
    per the third-party-web snapshot (``name``, ``company``, ``category``), which only names
    it: only the policy declares."""
    vendor = vendor_of(host)
    return ThirdParty(
        host=host,
        site=site,
        name=vendor.name if vendor else None,
        declared=declared_by is not None,
        kinds=tuple(sorted(kinds)),
        pages=pages,
        declared_by=declared_by,
        company=vendor.company if vendor else None,
        category=vendor.category if vendor else None,
    )


ProgressCallback = Callable[[CrawlStats], None]


def make_source(request: ScanRequest) -> Source:
    if request.templates is not None:
        return TemplateSource(
            Path(request.target),
            request.scope.origin,
            list(request.templates),
            max_bytes=request.crawl.max_bytes,
        )
    if is_url(request.target):
        return HttpCrawler(
            [request.target], request.scope, request.crawl, transport=request.transport
        )
    return FolderSource(
        Path(request.target),
        request.scope.origin,
        max_pages=request.crawl.max_pages,
        max_bytes=request.crawl.max_bytes,
    )


def run_scan(request: ScanRequest, progress: ProgressCallback | None = None) -> ScanResult:
    """Scan the target; on SIGINT/SIGTERM stop early and return what was found, incomplete."""
    return asyncio.run(_scan(request, progress))


async def _scan(request: ScanRequest, progress: ProgressCallback | None) -> ScanResult:
    started = _now()
    builder = ResultBuilder(request.policy, request.scope)
    if request.check_external:
        builder.outbound = {}
    source = make_source(request)
    loop = asyncio.get_running_loop()
    clock = loop.time()
    errors = 0
    interrupted = False

    def stop() -> None:
        nonlocal interrupted
        interrupted = True
        source.stop()

    installed = _install_signal_handlers(loop, stop)
    mirror = Mirror.between(request.target, request.scope.origin)
    analyzer = Analyzer(request.policy, request.scope, analyze_page, workers=request.workers)

    async def visit(result: SourceResult) -> list[str]:
        nonlocal errors
        if mirror is not None:
            result = mirror.page(result)
        analysis = await analyzer.analyze(result)
        builder.add(analysis)
        errors += isinstance(result, FailedPage)
        if progress is not None:
            progress(CrawlStats(len(builder.pages), source.queued(), errors, loop.time() - clock))
        if mirror is None:
            return list(analysis.follow)
        # A copy serves only the site origin's pages: other first-party hosts (a portal on
        # another domain) are not on it, and must not be looked up from a staging crawl.
        return [mirror.to_served(link) for link in analysis.follow if mirror.serves(link)]

    try:
        await source.run(visit)
        if builder.outbound and not interrupted:
            builder.file_broken_links(
                await check_links(
                    builder.outbound,
                    user_agent=user_agent(request.crawl),
                    timeout=min(request.crawl.timeout, 10.0),
                    concurrency=request.crawl.concurrency,
                    transport=request.transport,
                )
            )
    finally:
        analyzer.close()
        for sig in installed:
            loop.remove_signal_handler(sig)
    run = RunInfo(
        target=request.target,
        origin=request.scope.origin,
        first_party=request.scope.entries,
        started=started,
        finished=_now(),
        config=request.policy.path,
        config_sha256=request.policy.sha256,
        complete=not interrupted,
        fail_on=request.fail_on,
    )
    return builder.build(run, partial=request.partial, not_crawled=source.not_crawled())


def _install_signal_handlers(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], None]
) -> list[int]:
    installed: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass
    return installed


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def reference_rows(result: SourceResult, policy: Policy, scope: Scope) -> list[dict[str, object]]:
    """The rows ``linkguard links`` prints for one page: every reference with its party."""
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


def run_links(request: ScanRequest, emit: Callable[[dict[str, object]], None]) -> None:
    """Walk the target like a scan, emitting every reference instead of judging it."""

    mirror = Mirror.between(request.target, request.scope.origin)

    async def walk() -> None:
        source = make_source(request)

        async def visit(result: SourceResult) -> list[str]:
            if mirror is not None:
                result = mirror.page(result)
            rows = reference_rows(result, request.policy, request.scope)
            for row in rows:
                emit(row)
            follow = [
                str(r["url"])
                for r in rows
                if r["party"] == Party.FIRST and r["kind"] in _FOLLOWED and r["url"]
            ]
            return [mirror.to_served(u) for u in follow if mirror.serves(u)] if mirror else follow

        await source.run(visit)

    asyncio.run(walk())
