"""The nouns of linkguard: what a scan reads, finds and reports.

Everything here is a frozen dataclass or a string enum, so each stage of the pipeline
(source -> extract -> classify -> rules -> results) takes and returns plain values that can
be compared in tests, pickled to a worker process and serialised to the results JSON.

    FetchedPage | FailedPage        a source's answer for one URL
    Reference                       one link or embed as written in a page (raw)
    Boundary                        where a URL lands: host, registrable site, party, why
    ClassifiedReference             a Reference with its Boundary (the rules' input)
    Finding                         one broken promise, with a stable fingerprint
    ThirdParty                      one line of the third-party inventory
    ScanResult                      one run, as the results JSON contract (ARCHITECTURE.md)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from linkguard._frozen import quick_init
from linkguard._visited import Cookie as Cookie
from linkguard._visited import StorageItem as StorageItem
from linkguard.model_history import RunHistory


class Kind(StrEnum):
    """What an element does with its URL (ARCHITECTURE.md, «Reference kinds»)."""

    LINK = "link"
    FORM = "form"
    SCRIPT = "script"
    FRAME = "frame"
    STYLESHEET = "stylesheet"
    IMAGE = "image"
    MEDIA = "media"
    PRELOAD = "preload"
    REFRESH = "refresh"
    REDIRECT = "redirect"
    MENTION = "mention"  # a URL an inline script names without visibly loading it
    FONT = "font"  # a CSS url() of a font file (.woff2, .ttf ...)
    MANIFEST = "manifest"  # link rel=manifest: the web app manifest, fetched by the browser
    PING = "ping"  # a URL of <a ping>: a beacon sent when the link is followed
    REQUEST = "request"  # browser mode: fetch/XHR, beacon, websocket... that no element names


NAVIGATION_KINDS = frozenset({Kind.LINK, Kind.REFRESH, Kind.REDIRECT})
# Kinds no [[third_party]] entry has to cover: navigations need exit notices, and a mention
# makes no request by itself.
UNDECLARED_KINDS = NAVIGATION_KINDS | {Kind.MENTION}


class Party(StrEnum):
    """Whose a URL is, seen from the site being scanned."""

    FIRST = "first"
    THIRD = "third"
    NONE = "none"  # not a web destination: mailto, tel, javascript, data, about, blob ...
    INVALID = "invalid"  # a URL a browser would refuse to parse


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe; used for --fail-on and sorting."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedPage:
    """A page a source delivered: bytes as received, plus how it was reached."""

    url: str  # the URL that was requested (normalised)
    final_url: str  # after redirects; base for relative references
    status: int
    depth: int
    body: bytes
    content_type: str = "text/html"
    charset: str | None = None  # from the HTTP Content-Type header, if any
    redirects: tuple[tuple[str, str, int], ...] = ()  # (from, to, status) hops
    file: str | None = None  # path on disk, for a folder source
    template: bool = False  # a masked template source: templated URLs may be dynamic
    # Larger than the source's byte cap (crawl.max_bytes): ``body`` is its first max_bytes
    # bytes, scanned as they are (a link near the top of a huge page is still found).
    truncated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FailedPage:
    """A URL that could not be turned into a page; recorded, and the scan goes on."""

    url: str
    depth: int
    error: str
    status: int | None = None
    redirects: tuple[tuple[str, str, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedPage:
    """A URL that was fetched but is not HTML (a PDF, an image): listed, not parsed."""

    url: str
    depth: int
    status: int
    content_type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UnreadFile:
    """A folder page handed out unread: it is read where it is analysed (a worker process),
    so the scanning process neither reads the bytes nor ships them to the worker. On the
    10,000-page bench site that was 265 MB read and piped for nothing."""

    url: str
    path: str  # absolute path on disk
    file: str  # relative to the folder, as FetchedPage.file
    max_bytes: int
    root: str = ""  # the folder: where the pages it links to should be (missing-page)

    @property
    def depth(self) -> int:
        return 0  # a folder's pages are all read, none is reached by links

    def read(self) -> FetchedPage | FailedPage:
        """The page (its first ``max_bytes`` bytes, marked truncated, when it is larger),
        or why it cannot be read (as a crawl error, like a failed fetch)."""
        from linkguard._localfile import Unreadable, read_capped

        try:  # a regular file inside the folder only, never blocking (a FIFO), capped
            body, truncated = read_capped(self.path, self.root, self.max_bytes)
        except Unreadable as exc:
            return FailedPage(url=self.url, depth=0, error=f"cannot read {self.file}: {exc}")
        return FetchedPage(
            url=self.url,
            final_url=self.url,
            status=200,
            depth=0,
            body=body,
            file=self.file,
            truncated=truncated,
        )


SourceResult = FetchedPage | FailedPage | SkippedPage | UnreadFile


def loaded(result: SourceResult) -> FetchedPage | FailedPage | SkippedPage:
    """``result`` with a folder page's bytes read."""
    return result.read() if isinstance(result, UnreadFile) else result


@quick_init
@dataclass(frozen=True, slots=True)
class Reference:
    """One URL-bearing attribute in a page, as written (lychee's RawUri).

    ``url`` is the browser-exact absolute URL, or None when a browser would not parse it.
    ``text`` is the link's accessible text: its text content (visually hidden spans too),
    aria-label, title, alt text of images inside it, and the aria-describedby target's text;
    a scan reads it only for links that leave the site (``extract_references(text_for=)``).
    """

    kind: Kind
    tag: str
    attr: str
    raw: str
    url: str | None
    line: int
    element: str  # the start tag, truncated to a bounded length
    text: str = ""
    rel: frozenset[str] = frozenset()
    target: str = ""
    integrity: str = ""
    notice_selectors: tuple[str, ...] = ()  # configured selectors matching it or an ancestor
    ignore: frozenset[str] = frozenset()  # rule ids of data-linkguard-ignore on it or an ancestor
    in_noscript: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class Boundary:
    """Where a URL lands relative to the site: the answer of ``linkguard classify``."""

    url: str | None
    host: str
    site: str  # registrable domain (eTLD+1) on the full public suffix list, or the host
    party: Party
    reason: str


@quick_init
@dataclass(frozen=True, slots=True)
class ClassifiedReference:
    """A Reference with its Boundary (lychee's Request): what rules judge."""

    ref: Reference
    boundary: Boundary

    @property
    def party(self) -> Party:
        return self.boundary.party


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One broken promise on one page, located well enough to fix."""

    rule: str
    severity: Severity
    page: str
    line: int
    target: str
    host: str
    element: str
    message: str
    kind: str = ""
    file: str | None = None  # source file, for folder and template scans
    fingerprint: str = ""
    known: bool = False  # in the --baseline: reported, but does not fail the run
    suppressed_by: str | None = None  # why suppressed: a waiver's reason or an ignore attribute
    evidence: str = "html"  # what saw it: "html" (the markup) or "browser" (a visit)
    # browser evidence: who loaded the target, nearest first (a script, the tag manager that
    # injected it, the page), from Chromium's network initiators; empty when unknown
    chain: tuple[str, ...] = ()
    # the markup's evidence on a page a browser visited: "confirmed" (the visit loaded the
    # target, or rendered the link without a notice too), "not-loaded" (no visit asked for
    # it: lower confidence), "noticed" (the link as rendered shows a notice, which a script
    # applied); "" when no visit could tell
    runtime: str = ""

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.page, self.line, self.rule, self.target, self.element)


def fingerprint(rule: str, page: str, target: str, kind: str) -> str:
    """A finding's identity across runs: stable under edits that move lines.

    Built from the rule, the page's path (not its origin, so a folder scan and a crawl of
    the live site agree), the target and the element kind; a second identical finding on
    the page is told apart by ``numbered``.
    """
    from linkguard.classify.urls import path_of

    return fingerprint_of_path(rule, path_of(page), target, kind)


def fingerprint_of_path(rule: str, path: str, target: str, kind: str) -> str:
    """``fingerprint`` for a page whose path (``urls.path_of``) is already known."""
    key = "\x1f".join((rule, path, target, kind))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def occurrence_fingerprint(first: str, occurrence: int) -> str:
    """The fingerprint of the ``occurrence``-th (from 0) of findings whose fingerprint is
    ``first``: the first keeps it, so results written before occurrences were told apart
    stay valid baselines."""
    if occurrence <= 0:
        return first
    key = f"{first}\x1f{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def numbered(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """``findings`` (in the same order), each occurrence with its own fingerprint.

    Two identical bad links on one page are one rule, page path, target and kind: without
    this they share a fingerprint, and a baseline or a code-scanning UI takes an added
    duplicate for the known one. The n-th of them in document order (page, then line) gets
    ``occurrence_fingerprint(first, n)``, so it survives edits that move lines; a finding
    without a fingerprint (an older results file) gets its computed one first.
    """
    base = [f.fingerprint or fingerprint(f.rule, f.page, f.target, f.kind) for f in findings]
    if len(set(base)) == len(base):
        return tuple(
            f if f.fingerprint == b else replace(f, fingerprint=b)
            for f, b in zip(findings, base, strict=True)
        )
    seen: Counter[str] = Counter()
    out = list(findings)
    for index in sorted(range(len(out)), key=lambda i: out[i].sort_key()):
        first = base[index]
        given = occurrence_fingerprint(first, seen[first])
        seen[first] += 1
        if out[index].fingerprint != given:
            out[index] = replace(out[index], fingerprint=given)
    return tuple(out)


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class PageRecord:
    """One line of the results' ``pages`` list."""

    url: str
    status: int | None
    depth: int
    error: str | None = None
    content_type: str | None = None
    outbound: int = 0  # outbound navigations to third parties on this page
    noticed: int = 0  # of which carry an exit notice
    file: str | None = None  # the source file, for folder and template scans
    truncated: bool = False  # larger than crawl.max_bytes: only its first max_bytes were read
    exempt: int = 0  # of which go to an exempt destination without one: they need none


@dataclass(frozen=True, slots=True, kw_only=True)
class ThirdParty:
    """One third-party host seen in the scan (results' ``third_parties``)."""

    host: str
    site: str
    name: str | None
    declared: bool
    kinds: tuple[str, ...]
    pages: int
    declared_by: str | None = None
    company: str | None = None
    category: str | None = None
    # Distinct pages that use any host of its vendor (the hosts sharing its ``vendor_key``);
    # 0 in results written before it was counted.
    vendor_pages: int = 0
    seen: tuple[str, ...] = ()  # "browser" (a visit loaded it), "html" (the markup names it)
    # a host inline scripts only mention: "confirmed" (a visit of a page that mentions it
    # loaded from it), "not-loaded" (visits of such pages never did); "" when none was visited
    mention: str = ""

    @property
    def vendor_key(self) -> tuple[bool, str]:
        """What the inventory groups hosts by: the policy entry that declares the host, else
        its registrable domain (and whether it is declared)."""
        if self.declared_by:
            return (True, self.declared_by)
        return (self.declared, self.site or self.host)


@dataclass(frozen=True, slots=True, kw_only=True)
class DynamicReference:
    """A templated URL whose destination a static read cannot know (``href="{{ url }}"``):
    not judged, but listed so auditors see what the gate could not decide."""

    page: str
    file: str | None
    line: int
    kind: str
    raw: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    target: str
    origin: str
    first_party: tuple[str, ...]
    started: str
    finished: str
    config: str | None
    config_sha256: str | None = None
    complete: bool = True
    fail_on: str = "error"
    tool_version: str = ""  # the linkguard that produced the result ("" = this one)
    # The share of pages that may fail before the run is incomplete ([crawl]
    # max_failed_share); 1.0, none, for results written before the setting existed.
    max_failed_share: float = 1.0
    changed_since: str | None = None  # --templates --changed-since: the git revision
    repository: str | None = None  # folder/template scans in a git work tree: its top level
    repository_folder: str | None = None  # the scanned folder's path from there ("" = top)


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    pages: int
    references: int
    outbound_links: int
    outbound_with_notice: int
    third_party_hosts: int
    findings: dict[str, int] = field(default_factory=dict)
    # outbound_with_notice and outbound_exempt never overlap: coverage is
    # outbound_with_notice / (outbound_links - outbound_exempt) (ARCHITECTURE.md, «Exit notices»)
    outbound_exempt: int = 0
    notice_mechanisms: dict[str, int] = field(default_factory=dict)  # selector/text/... -> links
    suppressed: int = 0
    baseline: dict[str, int] | None = None  # new / known / fixed, with --baseline
    dynamic_references: int = 0  # template mode: destinations a static read cannot know
    # URLs found but not scanned because a crawl limit kept them out, by limit
    # (max_pages, max_depth, max_per_pattern): a scan cut short by a limit says so.
    not_crawled: dict[str, int] = field(default_factory=dict)
    failed_pages: int = 0  # pages that could not be scanned (an HTTP error, a timeout, ...)
    # Why the start page (the target URL, after redirects) could not be scanned; None when
    # it was, or when the target has no start page (a folder, templates).
    start_page_error: str | None = None
    browser_pages: int = 0  # pages visited in headless Chromium (scan --browser)
    browser_requests: int = 0  # requests those visits made (each page's own document left out)
    # the outbound navigations of the visited pages as rendered after the dwell, and how many
    # each notice mechanism covers there (what a script applied is seen, not inferred)
    rendered_outbound: int = 0
    rendered_mechanisms: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """One run, everything every reporter needs (the results JSON contract)."""

    run: RunInfo
    summary: Summary
    pages: tuple[PageRecord, ...]
    third_parties: tuple[ThirdParty, ...]
    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...] = ()
    dynamic: tuple[DynamicReference, ...] = ()
    cookies: tuple[Cookie, ...] = ()  # browser mode: what visits left in the cookie jar
    storage: tuple[StorageItem, ...] = ()  # browser mode: localStorage/sessionStorage keys
    history: RunHistory | None = None  # --history: this run against the earlier ones
