"""Folding page analyses into one ScanResult as they arrive: counters, findings and the
third-party inventory are kept, references never are.

The builder also files what only the whole scan can tell: links through an exit interstitial
that turned out broken, unused declarations, broken outbound links (``--check-external``),
and in a folder scan the linked pages the folder lacks (``missing-page``).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase

from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.classify.vendors import vendor_of
from linkguard.model import (
    Cookie,
    DynamicReference,
    Finding,
    Kind,
    PageRecord,
    RunInfo,
    ScanResult,
    Severity,
    StorageItem,
    Summary,
    ThirdParty,
    fingerprint,
    numbered,
)
from linkguard.policy import Policy
from linkguard.results.verdict import Coverage
from linkguard.rules import RULES, broken_outbound_link, missing_page, unused_declaration
from linkguard.scan.analysis import MissingLink, PageAnalysis, SeenThirdParty
from linkguard.scan.runtime import (
    RuntimeAnalysis,
    confirmation,
    fold_cookies,
    fold_storage,
)

_RANK = {"not-loaded": 1, "noticed": 2, "confirmed": 3}  # what one more visit may overrule


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
    # host -> the ordinals (in ``pages``) of the pages that use it: 4 bytes a use, so a
    # vendor's hosts can be counted as distinct pages, not as a sum that overlaps
    host_pages: dict[str, array[int]] = field(default_factory=dict)
    used_declarations: set[str] = field(default_factory=set)
    declared_hosts: dict[str, str | None] = field(default_factory=dict)
    dynamic: list[DynamicReference] = field(default_factory=list)
    # Links through an exit interstitial, by its URL: an exit-notice-missing finding each,
    # filed at the end if the crawl found that URL broken (HTTP 4xx/5xx).
    via_interstitial: dict[str, list[Finding]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    # Folder scans: links to first-party pages the folder lacks, (page, file, link), filed
    # as missing-page findings when the results are built.
    missing: list[tuple[str, str | None, MissingLink]] = field(default_factory=list)
    _strings: dict[str, str] = field(default_factory=dict)  # one copy of each repeated string
    # --check-external: outbound URL -> where it is linked (page, line, element, file)
    outbound: dict[str, list[tuple[str, int, str, str | None]]] | None = None
    # browser mode (scan/runtime.py): what the visits observed, and what saw each host
    seen: dict[str, set[str]] = field(default_factory=dict)  # host -> "html" / "browser"
    visited: set[str] = field(default_factory=set)  # pages visited (once per phase)
    cookies: dict[tuple[str, str, str, str], Cookie] = field(default_factory=dict)
    storage: dict[tuple[str, str, str, str], StorageItem] = field(default_factory=dict)
    _static: dict[str, tuple[int, set[str]]] | None = None  # page -> ordinal, fingerprints
    # page -> where its markup's findings are: (in suppressed, index), for what visits confirm
    _markup: dict[str, list[tuple[bool, int]]] = field(default_factory=dict)
    mentioned: dict[int, set[str]] = field(default_factory=dict)  # page ordinal -> hosts
    mentions: dict[str, str] = field(default_factory=dict)  # host -> confirmed / not-loaded
    browser_requests: int = 0
    rendered_outbound: int = 0
    rendered_mechanisms: Counter[str] = field(default_factory=Counter)

    def add(self, analysis: PageAnalysis) -> None:
        self.pages.append(analysis.record)
        if self.outbound is not None:
            for url, line, element in analysis.outbound_links:
                where = (analysis.record.url, line, element, analysis.record.file)
                self.outbound.setdefault(url, []).append(where)
        if analysis.record.status is not None and analysis.record.status >= 400:
            self.broken.add(urls.normalize(analysis.record.url))
        self.missing.extend(
            (analysis.record.url, analysis.record.file, m) for m in analysis.missing
        )
        for url, finding in analysis.via_interstitial:
            self.via_interstitial.setdefault(urls.normalize(url), []).append(finding)
        self.references += analysis.references
        self.exempt += analysis.exempt
        self.mechanisms.update(dict(analysis.mechanisms))
        self.dynamic.extend(analysis.dynamic)
        for finding in analysis.findings:
            self._file(finding)
        ordinal = len(self.pages) - 1
        for host in {h for h, _, _, _ in analysis.third_party}:
            self.host_pages.setdefault(host, array("I")).append(ordinal)
        mentioned = {h for h, _, kind, _ in analysis.third_party if kind == Kind.MENTION}
        if mentioned:
            self.mentioned[ordinal] = mentioned
        self._count_hosts(analysis.third_party, "html")

    def add_runtime(self, analysis: RuntimeAnalysis) -> None:
        """Fold one browser visit of a page already added: the findings its markup did not
        already give (same fingerprint), the hosts it loaded, its cookies and storage keys."""
        self.visited.add(analysis.page)
        if self._static is None:  # each page's ordinal and findings, once all pages are in
            self._static = {page.url: (i, set()) for i, page in enumerate(self.pages)}
            for hidden, listed in ((False, self.findings), (True, self.suppressed)):
                for index, found in enumerate(listed):
                    if found.page in self._static:
                        self._static[found.page][1].add(found.fingerprint)
                        self._markup.setdefault(found.page, []).append((hidden, index))
        ordinal, known = self._static[analysis.page]
        self._confirm(analysis, ordinal)
        for finding in analysis.findings:
            kept = finding.fingerprint
            kept = kept or fingerprint(finding.rule, finding.page, finding.target, finding.kind)
            if kept not in known:  # nor what another visit of the page (a phase) gave
                known.add(kept)
                self._file(finding)
        for host in {h for h, _, _, _ in analysis.third_party}:
            uses = self.host_pages.setdefault(host, array("I"))
            if ordinal not in uses:  # a page counts once, markup and browser alike
                uses.append(ordinal)
        self._count_hosts(analysis.third_party, "browser")
        fold_cookies(self.cookies, analysis.cookies)
        fold_storage(self.storage, analysis.storage)
        self.browser_requests += analysis.requests
        if analysis.rendered is not None:
            self.rendered_outbound += analysis.rendered.outbound
            self.rendered_mechanisms.update(dict(analysis.rendered.mechanisms))

    def _confirm(self, analysis: RuntimeAnalysis, ordinal: int) -> None:
        """What a visit says of the page's markup: each finding's target loaded or not,
        each link's notice as rendered, each host an inline script mentions loaded or not
        (``confirmed`` from any visit of a page wins over ``not-loaded``)."""
        for hidden, index in self._markup.get(analysis.page, ()):
            kept = self.suppressed if hidden else self.findings
            found = kept[index]
            state = confirmation(found, analysis)
            if state and _RANK[state] > _RANK.get(found.runtime, 0):
                kept[index] = replace(found, runtime=state)
        hosts = {urls.host_of(url) for url in analysis.loaded}
        for host in self.mentioned.get(ordinal, ()):
            if host in hosts:
                self.mentions[host] = "confirmed"
            else:
                self.mentions.setdefault(host, "not-loaded")

    def _count_hosts(self, third_party: tuple[SeenThirdParty, ...], evidence: str) -> None:
        for host, site, kind, declared_by in third_party:
            self.seen.setdefault(host, set()).add(evidence)
            self.hosts.setdefault(host, (site, set()))[1].add(kind)
            if declared_by:
                self.used_declarations.add(declared_by)
                current = self.declared_hosts.get(host)
                if current is None or (
                    current != declared_by and self._rank(declared_by) < self._rank(current)
                ):
                    self.declared_hosts[host] = declared_by  # the same whatever order pages came
            else:
                self.declared_hosts.setdefault(host, None)

    def set_depths(self, depth_of: Callable[[str], int | None]) -> None:
        """Each page's depth as the whole crawl knows it (the fewest links from a seed),
        rather than by the link that happened to reach it first."""
        self.pages = [
            page
            if (depth := depth_of(page.url)) in (None, page.depth)
            else replace(page, depth=depth)
            for page in self.pages
        ]

    def file_broken_links(self, problems: dict[str, str | None]) -> None:
        """A ``broken-outbound-link`` finding wherever a link that failed is linked."""
        for url, places in (self.outbound or {}).items():
            problem = problems.get(url)
            if problem is None:
                continue
            for page, line, element, file in places:
                self._file(
                    broken_outbound_link(
                        url, problem, page=page, line=line, element=element, file=file
                    )
                )

    def _vendor_pages(self, hosts: list[ThirdParty]) -> tuple[ThirdParty, ...]:
        """Each host with the number of distinct pages that use its vendor (its hosts
        grouped by ``ThirdParty.vendor_key``, as the inventory groups them): the hosts'
        page counts overlap, and their sum once read "141-282 pages" on a 218-page site."""
        groups: dict[tuple[bool, str], list[str]] = {}
        for party in hosts:
            groups.setdefault(party.vendor_key, []).append(party.host)
        counts: dict[tuple[bool, str], int] = {}
        for key, members in groups.items():
            uses = [self.host_pages.get(host, array("I")) for host in members]
            counts[key] = len(uses[0]) if len(uses) == 1 else len(set().union(*uses))
        return tuple(replace(party, vendor_pages=counts[party.vendor_key]) for party in hosts)

    def _rank(self, name: str) -> int:
        """A declaration's place in the policy, so the first matching entry names a host."""
        names = [d.name for d in self.policy.third_parties]
        return names.index(name) if name in names else len(names)

    def _file(self, finding: Finding) -> None:
        default = RULES[finding.rule].severity if finding.rule in RULES else finding.severity
        severity = self.policy.severity_of(finding.rule, default)
        if severity is None:
            return
        kept = finding.fingerprint
        kept = kept or fingerprint(finding.rule, finding.page, finding.target, finding.kind)
        finding = self._shared(finding, severity, kept)
        waiver = self._waiver_for(finding) if self.policy.waivers else None
        if waiver is not None:
            finding = replace(finding, suppressed_by=waiver)
        (self.suppressed if finding.suppressed_by else self.findings).append(finding)

    def _shared(self, finding: Finding, severity: Severity, fingerprint: str) -> Finding:
        """The finding to keep, its repeated strings shared with the findings kept before.

        A third-party script in the site's template is the same target, host, element and
        message on every page; each page's findings arrive as fresh copies (unpickled from a
        worker), so sharing them here is what keeps a big crawl's memory in proportion to
        what differs (10,000 pages, 109,000 findings: 2,000 distinct messages).
        """
        one = self._strings.setdefault
        return Finding(
            rule=one(finding.rule, finding.rule),
            severity=severity,
            page=one(finding.page, finding.page),
            line=finding.line,
            target=one(finding.target, finding.target),
            host=one(finding.host, finding.host),
            element=one(finding.element, finding.element),
            message=one(finding.message, finding.message),
            kind=one(finding.kind, finding.kind),
            file=finding.file,
            fingerprint=fingerprint,
            known=finding.known,
            suppressed_by=finding.suppressed_by,
            evidence=finding.evidence,
            chain=finding.chain,
        )

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

    def _missing_pages(self) -> None:
        """A ``missing-page`` finding wherever a folder's page links to a first-party page
        that no file of the folder serves: a build that lacks a page it links to has
        promises nobody checked."""
        for page, file, link in self.missing:
            self._file(
                missing_page(
                    link.url, page=page, line=link.line, element=link.element, file=file,
                    kind=link.kind, ignored=link.ignored,
                )
            )  # fmt: skip
        self.missing.clear()  # filed once, should the results be built again

    def _unused_declarations(self) -> None:
        for decl in self.policy.third_parties:
            if decl.name in self.used_declarations:
                continue
            self._file(
                unused_declaration(decl, origin=self.scope.origin, policy_file=self.policy.path)
            )

    def build(
        self,
        run: RunInfo,
        *,
        partial: bool = False,
        not_crawled: dict[str, int] | None = None,
        start: str | None = None,
    ) -> ScanResult:
        """The result; ``start`` is the start page's URL as the pages record it (None: the
        target has none), whose failure the summary records."""
        html_pages = [
            p
            for p in self.pages
            if p.error is None
            and p.status is not None
            and (p.content_type or "text/html") in ("text/html", "application/xhtml+xml")
        ]
        failed = sum(1 for p in self.pages if p.error is not None)
        start_error = next(
            (p.error for p in self.pages if p.url == start and p.error is not None), None
        )
        scanned = Coverage(
            target=run.target,
            scanned=len(html_pages),
            found=len(self.pages),
            failed=failed,
            start_error=start_error,
            cut_short=not run.complete,
            max_failed_share=run.max_failed_share,
            changed_since=run.changed_since,
        )
        if scanned.whole and not partial:  # else every declaration would look unused
            self._unused_declarations()
        for url in sorted(self.broken & self.via_interstitial.keys()):
            for finding in self.via_interstitial[url]:
                self._file(finding)
        self._missing_pages()
        third = self._vendor_pages(
            [
                replace(
                    _third_party(
                        host, site, kinds, len(self.host_pages.get(host, ())),
                        self.declared_hosts.get(host),
                    ),
                    seen=tuple(sorted(self.seen.get(host, ()))),
                    mention=self.mentions.get(host, "") if "mention" in kinds else "",
                )
                for host, (site, kinds) in sorted(self.hosts.items())
            ]
        )  # fmt: skip
        kept = numbered((*self.findings, *self.suppressed))  # each occurrence its own print
        self.findings, self.suppressed = (
            list(kept[: len(self.findings)]),
            list(kept[len(self.findings) :]),
        )
        counts = Counter(str(f.severity) for f in self.findings)
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
            failed_pages=failed,
            start_page_error=start_error,
            browser_pages=len(self.visited),
            browser_requests=self.browser_requests,
            rendered_outbound=self.rendered_outbound,
            rendered_mechanisms=dict(sorted(self.rendered_mechanisms.items())),
        )
        return ScanResult(
            run=run,
            summary=summary,
            pages=tuple(sorted(self.pages, key=lambda p: p.url)),
            third_parties=third,
            findings=tuple(sorted(self.findings, key=Finding.sort_key)),
            suppressed=tuple(sorted(self.suppressed, key=Finding.sort_key)),
            dynamic=tuple(sorted(self.dynamic, key=lambda d: (d.page, d.line, d.raw))),
            cookies=tuple(self.cookies[key] for key in sorted(self.cookies)),
            storage=tuple(self.storage[key] for key in sorted(self.storage)),
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
