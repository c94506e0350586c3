"""Realistic ScanResults for the reporter tests and their golden files.

    passing_site()   a small, well-kept site: every outbound link noticed, vendors declared
    failing_site()   a template bug repeated on many pages, undeclared vendors, waivers,
                     a baseline with known findings, a crawl error and an internal error
    hostile_site()   an incomplete template-mode scan whose crawled data is hostile: XSS in
                     page URLs, elements, targets and link text, control characters, pipes
    synthetic(...)   many findings over many pages, for the size and speed bounds

Everything is fixed (times and the linkguard version that wrote the results included) so
golden files are stable: bumping linkguard's own version changes none of them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from linkguard.model import (
    DynamicReference,
    Finding,
    PageRecord,
    RunInfo,
    ScanResult,
    Severity,
    Summary,
    ThirdParty,
    fingerprint,
)

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(1)</script>"
XSS_JS = "javascript:alert(1)"
# The linkguard that "wrote" these results (RunInfo.tool_version). Reporters print the
# running version only for a result that names none, and golden files must not follow it.
TOOL_VERSION = "0.1.0"


def finding(
    rule: str,
    severity: Severity,
    page: str,
    line: int,
    target: str,
    host: str,
    element: str,
    message: str,
    *,
    kind: str = "link",
    file: str | None = None,
    known: bool = False,
    suppressed_by: str | None = None,
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        page=page,
        line=line,
        target=target,
        host=host,
        element=element,
        message=message,
        kind=kind,
        file=file,
        fingerprint=fingerprint(rule, page, target, kind),
        known=known,
        suppressed_by=suppressed_by,
    )


def _summary(
    pages: tuple[PageRecord, ...],
    findings: tuple[Finding, ...],
    third: tuple[ThirdParty, ...],
    *,
    references: int,
    suppressed: int = 0,
    baseline: dict[str, int] | None = None,
    dynamic: int = 0,
) -> Summary:
    counts = {s.value: sum(1 for f in findings if f.severity is s) for s in Severity}
    return Summary(
        pages=sum(1 for p in pages if p.error is None),
        references=references,
        outbound_links=sum(p.outbound for p in pages),
        outbound_with_notice=sum(p.noticed for p in pages),
        third_party_hosts=len(third),
        findings=counts,
        outbound_exempt=sum(p.exempt for p in pages),
        notice_mechanisms=_mechanisms(sum(p.noticed for p in pages)),
        suppressed=suppressed,
        baseline=baseline,
        dynamic_references=dynamic,
        failed_pages=sum(1 for p in pages if p.error is not None),
    )


def _mechanisms(noticed: int) -> dict[str, int]:
    """Notice mechanisms that sum to ``noticed``, as a scan's do."""
    text = min(3, noticed)
    return {k: v for k, v in (("selector", noticed - text), ("text", text)) if v}


def passing_site() -> ScanResult:
    origin = "https://www.example.org"
    pages = tuple(
        PageRecord(
            url=f"{origin}{path}",
            status=200,
            depth=depth,
            outbound=out,
            noticed=out - exempt,
            exempt=exempt,
        )
        for path, depth, out, exempt in (
            ("/", 0, 4, 0),
            ("/about/", 1, 2, 0),
            ("/contact/", 1, 1, 0),
            ("/news/", 1, 3, 0),
            ("/privacy/", 2, 2, 2),  # links to a regulator, exempt: they need no notice
        )
    )
    third = (
        ThirdParty(
            host="www.googletagmanager.com",
            site="googletagmanager.com",
            name="Google Tag Manager",
            declared=True,
            kinds=("script",),
            pages=5,
            declared_by="Google Tag Manager",
            company="Google",
            category="tag-manager",
        ),
        ThirdParty(
            host="www.youtube-nocookie.com",
            site="youtube-nocookie.com",
            name="Product videos",
            declared=True,
            kinds=("frame",),
            pages=1,
            declared_by="Product videos",
            company="Google",
            category="video",
        ),
        ThirdParty(
            host="partner.example.net",
            site="example.net",
            name=None,
            declared=False,
            kinds=("link",),
            pages=3,
        ),
    )
    findings = (
        finding(
            "missing-sri",
            W,
            f"{origin}/news/",
            14,
            "https://cdn.example.com/lib/slider.min.js",
            "cdn.example.com",
            '<script src="https://cdn.example.com/lib/slider.min.js">',
            "Third-party script cdn.example.com has no integrity attribute.",
            kind="script",
        ),
    )
    run = RunInfo(
        target=origin + "/",
        origin=origin,
        first_party=("example.org", "example.com"),
        started="2026-03-02T09:15:00Z",
        finished="2026-03-02T09:15:07Z",
        config="linkguard.toml",
        config_sha256="3f6c2b9a" * 8,
        complete=True,
        fail_on="error",
        tool_version=TOOL_VERSION,
    )
    return ScanResult(run, _summary(pages, findings, third, references=87), pages, third, findings)


def failing_site() -> ScanResult:
    origin = "https://www.shop.example"
    paths = (
        ["/"]
        + [f"/products/item-{n:03d}/" for n in range(1, 41)]
        + ["/about/", "/contact/", "/careers/", "/news/", "/news/2026/spring-sale/"]
    )
    pages = [
        PageRecord(
            url=f"{origin}{p}", status=200, depth=0 if p == "/" else 2, outbound=3, noticed=1
        )
        for p in paths
    ]
    pages.append(
        PageRecord(
            url=f"{origin}/legacy/", status=500, depth=1, error="HTTP 500 Internal Server Error"
        )
    )
    findings: list[Finding] = []
    footer = '<a href="https://social.example.net/shopexample">'
    for n, path in enumerate(paths):
        url = f"{origin}{path}"
        # the footer template omits the exit notice on every page: one group, many pages
        findings.append(
            finding(
                "exit-notice-missing",
                E,
                url,
                212,
                "https://social.example.net/shopexample",
                "social.example.net",
                footer,
                'Link "Follow us" leaves for social.example.net without an exit notice.',
                known=n % 3 == 0,
            )
        )
        if path.startswith("/products/"):
            findings.append(
                finding(
                    "undeclared-script",
                    E,
                    url,
                    31,
                    "https://reviews.example.io/widget.js",
                    "reviews.example.io",
                    '<script async src="https://reviews.example.io/widget.js">',
                    "Script from reviews.example.io is not declared in the policy.",
                    kind="script",
                )
            )
            findings.append(
                finding(
                    "missing-sri",
                    W,
                    url,
                    31,
                    "https://reviews.example.io/widget.js",
                    "reviews.example.io",
                    '<script async src="https://reviews.example.io/widget.js">',
                    "Third-party script reviews.example.io has no integrity attribute.",
                    kind="script",
                    known=True,
                )
            )
    findings += [
        finding(
            "undeclared-form-target",
            E,
            f"{origin}/contact/",
            88,
            "https://forms.example-crm.com/f/7781",
            "forms.example-crm.com",
            '<form action="https://forms.example-crm.com/f/7781" method="post">',
            "Form posts to forms.example-crm.com, which is not declared.",
            kind="form",
        ),
        finding(
            "insecure-form",
            E,
            f"{origin}/careers/",
            40,
            "http://jobs.shop.example/apply",
            "jobs.shop.example",
            '<form action="http://jobs.shop.example/apply">',
            "Form posts over http to jobs.shop.example.",
            kind="form",
        ),
        finding(
            "undeclared-frame",
            E,
            f"{origin}/news/2026/spring-sale/",
            57,
            "https://video.example-cdn.net/embed/991",
            "video.example-cdn.net",
            '<iframe src="https://video.example-cdn.net/embed/991" title="Spring sale">',
            "Frame from video.example-cdn.net is not declared.",
            kind="frame",
        ),
        finding(
            "mixed-content",
            W,
            f"{origin}/news/",
            19,
            "http://img.example-cdn.net/b.png",
            "img.example-cdn.net",
            '<img src="http://img.example-cdn.net/b.png" alt="">',
            "https page loads an http image from img.example-cdn.net.",
            kind="image",
        ),
        finding(
            "unsafe-target-blank",
            W,
            f"{origin}/about/",
            64,
            "https://press.example.org/kit",
            "press.example.org",
            '<a href="https://press.example.org/kit" target="_blank">',
            "target=_blank to press.example.org without rel=noopener.",
        ),
        finding(
            "crawl-error",
            W,
            f"{origin}/legacy/",
            0,
            f"{origin}/legacy/",
            "www.shop.example",
            "",
            "HTTP 500 Internal Server Error",
            kind="page",
        ),
        finding(
            "unused-declaration",
            INFO,
            f"{origin}/",
            0,
            "Old chat widget",
            "chat.example-widgets.com",
            "",
            "Declared third party 'Old chat widget' (chat.example-widgets.com) was never seen.",
            kind="declaration",
            file="linkguard.toml",
        ),
        finding(
            "internal-error",
            E,
            f"{origin}/news/",
            0,
            f"{origin}/news/",
            "",
            "",
            "rule missing-sri failed: KeyError: 'integrity'",
            kind="",
        ),
    ]
    suppressed = (
        finding(
            "undeclared-resource",
            W,
            f"{origin}/",
            9,
            "https://fonts.example-cdn.net/inter.css",
            "fonts.example-cdn.net",
            '<link rel="stylesheet" href="https://fonts.example-cdn.net/inter.css">',
            "Stylesheet from fonts.example-cdn.net is not declared.",
            kind="stylesheet",
            suppressed_by="waiver: self-hosting the font in Q2 (until 2026-06-30)",
        ),
        finding(
            "exit-notice-missing",
            E,
            f"{origin}/about/",
            70,
            "https://www.example.gov/",
            "www.example.gov",
            '<a href="https://www.example.gov/" data-linkguard-ignore>',
            'Link "Regulator" leaves for www.example.gov without an exit notice.',
            suppressed_by="data-linkguard-ignore",
        ),
    )
    third = (
        ThirdParty(
            host="social.example.net",
            site="example.net",
            name=None,
            declared=False,
            kinds=("link",),
            pages=46,
        ),
        ThirdParty(
            host="reviews.example.io",
            site="example.io",
            name=None,
            declared=False,
            kinds=("script",),
            pages=40,
            company="Example Reviews Inc.",
            category="customer-success",
        ),
        ThirdParty(
            host="forms.example-crm.com",
            site="example-crm.com",
            name=None,
            declared=False,
            kinds=("form",),
            pages=1,
        ),
        ThirdParty(
            host="video.example-cdn.net",
            site="example-cdn.net",
            name=None,
            declared=False,
            kinds=("frame",),
            pages=1,
        ),
        ThirdParty(
            host="img.example-cdn.net",
            site="example-cdn.net",
            name=None,
            declared=False,
            kinds=("image",),
            pages=1,
        ),
        ThirdParty(
            host="fonts.example-cdn.net",
            site="example-cdn.net",
            name=None,
            declared=False,
            kinds=("stylesheet",),
            pages=46,
        ),
        ThirdParty(
            host="www.googletagmanager.com",
            site="googletagmanager.com",
            name="Google Tag Manager",
            declared=True,
            kinds=("script",),
            pages=46,
            declared_by="Google Tag Manager",
            company="Google",
            category="tag-manager",
        ),
        ThirdParty(
            host="www.google-analytics.com",
            site="google-analytics.com",
            name="Google Tag Manager",
            declared=True,
            kinds=("image", "script"),
            pages=46,
            declared_by="Google Tag Manager",
            company="Google",
            category="analytics",
        ),
        ThirdParty(
            host="press.example.org",
            site="example.org",
            name=None,
            declared=False,
            kinds=("link",),
            pages=1,
        ),
        ThirdParty(
            host="www.example.gov",
            site="example.gov",
            name=None,
            declared=False,
            kinds=("link",),
            pages=1,
        ),
    )
    all_findings = tuple(sorted(findings, key=Finding.sort_key))
    page_records = tuple(sorted(pages, key=lambda p: p.url))
    known = sum(1 for f in all_findings if f.known)
    run = RunInfo(
        target=origin + "/",
        origin=origin,
        first_party=("shop.example",),
        started="2026-03-02T10:00:00Z",
        finished="2026-03-02T10:01:42Z",
        config="ci/linkguard.toml",
        config_sha256="9b1e" * 16,
        complete=True,
        fail_on="warning",
        tool_version=TOOL_VERSION,
    )
    summary = _summary(
        page_records,
        all_findings,
        third,
        references=2310,
        suppressed=len(suppressed),
        baseline={"new": len(all_findings) - known, "known": known, "fixed": 3},
    )
    return ScanResult(
        run,
        summary,
        page_records,
        third,
        all_findings,
        tuple(sorted(suppressed, key=Finding.sort_key)),
    )


def hostile_site() -> ScanResult:
    origin = "https://www.example.jp"
    evil_page = f"{origin}/search?q={XSS_IMG}"
    js_page = XSS_JS
    pages = (
        PageRecord(
            url=f"{origin}/",
            status=200,
            depth=0,
            outbound=2,
            noticed=2,
            file="templates/index.html",
        ),
        PageRecord(
            url=evil_page, status=200, depth=1, outbound=3, noticed=0, file="templates/search.html"
        ),
        PageRecord(url=js_page, status=None, depth=1, error=f"unsupported URL {XSS_SCRIPT}"),
    )
    findings = (
        finding(
            "exit-notice-missing",
            E,
            evil_page,
            5,
            XSS_JS,
            "",
            f'<a href="{XSS_JS}" title="{XSS_SCRIPT}">',
            f'Link "{XSS_IMG}" leaves for {XSS_SCRIPT} | `pwn` without an exit notice.',
            file="templates/search.html",
        ),
        finding(
            "exit-notice-missing",
            E,
            evil_page,
            9,
            f"https://evil.example/{XSS_SCRIPT}",
            "evil.example",
            f'<a href="https://evil.example/{XSS_SCRIPT}">{XSS_IMG}',
            "Link text\u2028with a line separator <!-- and a comment opener",
            file="templates/search.html",
        ),
        finding(
            "undeclared-script",
            E,
            evil_page,
            12,
            f"https://cdn.evil.example/x.js?{XSS_IMG}",
            "cdn.evil.example",
            f'<script src="https://cdn.evil.example/x.js?{XSS_IMG}">',
            "Script from cdn.evil.example is not declared\x00\x07 (control characters).",
            kind="script",
            file="templates/search.html",
        ),
        finding(
            "crawl-error",
            W,
            js_page,
            0,
            js_page,
            "",
            "",
            f"unsupported URL {XSS_SCRIPT}",
            kind="page",
        ),
    )
    suppressed = (
        finding(
            "mixed-content",
            W,
            evil_page,
            20,
            "http://cdn.evil.example/a.png",
            "cdn.evil.example",
            f'<img src="http://cdn.evil.example/a.png" alt="{XSS_IMG}">',
            "https page loads an http image.",
            kind="image",
            suppressed_by=f"waiver: {XSS_SCRIPT}",
        ),
    )
    third = (
        ThirdParty(
            host="evil.example",
            site="evil.example",
            name=None,
            declared=False,
            kinds=("link",),
            pages=1,
        ),
        ThirdParty(
            host="cdn.evil.example",
            site="evil.example",
            name=f"Evil {XSS_IMG}",
            declared=True,
            kinds=("image", "script"),
            pages=1,
            declared_by=f"Evil {XSS_IMG}",
            company=XSS_SCRIPT,
            category="ad",
        ),
    )
    dynamic = (
        DynamicReference(
            page=evil_page,
            file="templates/search.html",
            line=30,
            kind="link",
            raw="{{ partner_url }}",
        ),
        DynamicReference(
            page=evil_page, file="templates/search.html", line=31, kind="script", raw=XSS_SCRIPT
        ),
    )
    run = RunInfo(
        target="templates",
        origin=origin,
        first_party=("example.jp",),
        started="2026-03-03T08:00:00Z",
        finished="2026-03-03T08:00:01Z",
        config=None,
        config_sha256=None,
        complete=False,
        fail_on="error",
        tool_version=TOOL_VERSION,
    )
    summary = _summary(pages, findings, third, references=12, suppressed=1, dynamic=2)
    return ScanResult(run, summary, pages, third, findings, suppressed, dynamic)


def synthetic(findings: int = 50_000, pages: int = 2_000, targets: int = 30) -> ScanResult:
    """A large site: ``findings`` spread over ``pages`` pages and ``targets`` targets."""
    origin = "https://big.example.com"
    rules = [
        ("exit-notice-missing", E, "link"),
        ("undeclared-script", E, "script"),
        ("missing-sri", W, "script"),
        ("undeclared-resource", W, "image"),
        ("unused-declaration", INFO, "declaration"),
    ]
    records = tuple(
        PageRecord(
            url=f"{origin}/section-{n % 40:02d}/page-{n:05d}.html",
            status=200,
            depth=1 + n % 6,
            outbound=12,
            noticed=9,
        )
        for n in range(pages)
    )
    made = []
    for n in range(findings):
        page = records[n % pages].url
        t = n % targets
        rule, severity, kind = rules[t % len(rules)]
        host = f"vendor-{t:02d}.example.net"
        target = f"https://{host}/assets/{t}/tag.js"
        made.append(
            finding(
                rule,
                severity,
                page,
                10 + n // pages,
                target,
                host,
                f'<script src="{target}" data-slot="{t}">'
                if kind == "script"
                else f'<a href="{target}" class="footer-link">',
                f"{rule} for {host}",
                kind=kind,
                known=n % 7 == 0,
            )
        )
    third = tuple(
        ThirdParty(
            host=f"vendor-{t:02d}.example.net",
            site="example.net",
            name=None,
            declared=t % 4 == 0,
            kinds=("script",),
            pages=min(pages, findings // targets),
            declared_by=f"Vendor {t}" if t % 4 == 0 else None,
        )
        for t in range(targets)
    )
    ordered = tuple(sorted(made, key=Finding.sort_key))
    run = RunInfo(
        target=origin + "/",
        origin=origin,
        first_party=("example.com",),
        started="2026-03-04T00:00:00Z",
        finished="2026-03-04T00:20:00Z",
        config="linkguard.toml",
        config_sha256="ab" * 32,
        tool_version=TOOL_VERSION,
    )
    return ScanResult(
        run, _summary(records, ordered, third, references=400_000), records, third, ordered
    )


SAMPLES = {"passing": passing_site, "failing": failing_site, "hostile": hostile_site}


GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("LINKGUARD_UPDATE_GOLDEN") == "1"


def assert_golden(name: str, text: str) -> None:
    """``text`` must equal tests/golden/NAME; LINKGUARD_UPDATE_GOLDEN=1 rewrites the file."""
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        if not UPDATE:
            raise AssertionError(f"{path} did not exist and was written: check it, commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"golden/{name}",
                    "rendered",
                )
            )[:80]
        )
        raise AssertionError(
            f"{name} differs from its golden file (if the change is intended, rerun with "
            f"LINKGUARD_UPDATE_GOLDEN=1 and review the diff):\n{diff}"
        )
