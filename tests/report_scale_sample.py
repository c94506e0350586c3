"""A large scan result built directly (no crawl): thousands of pages and findings shaped like
a real site's, for the HTML report's behaviour at scale (tests/test_report_scale.py).

Every page loads the same CDN script with one of seven integrity values (one problem), links
to the same social profile without a notice (one problem), links to an address of its own
without a notice (one problem each) and shows an image from an undeclared image host (one
problem); every tenth page has a versioned script without integrity (one problem: the query
is a version). The last page alone links to ``NEEDLE``.
"""

from __future__ import annotations

from report_samples import TOOL_VERSION, finding

from linkguard.model import (
    Finding,
    PageRecord,
    RunInfo,
    ScanResult,
    Severity,
    Summary,
    ThirdParty,
)

ORIGIN = "https://www.big-site.example"
CDN = "cdn.example-cdn.net"
CDN_URL = f"https://{CDN}/lib/jquery/3.7.1/jquery.min.js"
IMAGES = "img.example-cdn.net"
SOCIAL = "https://social.example.net/bigsite"
NEEDLE = "https://needle.example.org/only-on-the-last-page"
E, W = Severity.ERROR, Severity.WARNING


def page_url(n: int) -> str:
    return f"{ORIGIN}/news/{n // 1000}/page-{n:05d}.html"


def large_result(pages: int = 3000) -> ScanResult:
    records = tuple(
        PageRecord(url=page_url(n), status=200, depth=1 + n % 5, outbound=4, noticed=2)
        for n in range(pages)
    )
    made: list[Finding] = []
    for n, record in enumerate(records):
        page = record.url
        integrity = f"sha384-{n % 7:064d}"
        made.append(
            finding(
                "undeclared-script",
                E,
                page,
                12,
                CDN_URL,
                CDN,
                f'<script src="{CDN_URL}" integrity="{integrity}">',
                f"Third-party script from {CDN} is not declared in any [[third_party]] entry.",
                kind="script",
            )
        )
        made.append(
            finding(
                "exit-notice-missing",
                E,
                page,
                400,
                SOCIAL,
                "social.example.net",
                f'<a href="{SOCIAL}">',
                "Link to third party social.example.net has no exit notice.",
            )
        )
        own = NEEDLE if n == pages - 1 else f"https://www.partner-{n % 400}.example/a/{n}"
        host = own.split("/")[2]
        made.append(
            finding(
                "exit-notice-missing",
                E,
                page,
                200 + n % 50,
                own,
                host,
                f'<a href="{own}">',
                f"Link to third party {host} has no exit notice.",
            )
        )
        image = f"https://{IMAGES}/x/{n}.jpg"
        made.append(
            finding(
                "undeclared-resource",
                W,
                page,
                150,
                image,
                IMAGES,
                f'<img src="{image}" alt="photo {n}">',
                f"Third-party image from {IMAGES} is not declared in any [[third_party]] entry.",
                kind="image",
            )
        )
        if n % 10 == 0:
            script = f"https://widgets.example.com/w.js?v={n}"
            made.append(
                finding(
                    "missing-sri",
                    W,
                    page,
                    14,
                    script,
                    "widgets.example.com",
                    f'<script src="{script}">',
                    "Third-party script from widgets.example.com has no integrity attribute.",
                    kind="script",
                )
            )
    findings = tuple(sorted(made, key=Finding.sort_key))
    third = tuple(
        ThirdParty(
            host=host,
            site=".".join(host.split(".")[-2:]),
            name=None,
            declared=False,
            kinds=(kind,),
            pages=pages,
        )
        for host, kind in ((CDN, "script"), (IMAGES, "image"), ("social.example.net", "link"))
    )
    run = RunInfo(
        target=ORIGIN + "/",
        origin=ORIGIN,
        first_party=("big-site.example",),
        started="2026-03-04T00:00:00Z",
        finished="2026-03-04T00:10:00Z",
        config=None,
        tool_version=TOOL_VERSION,
    )
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[str(f.severity)] += 1
    summary = Summary(
        pages=pages,
        references=pages * 40,
        outbound_links=pages * 4,
        outbound_with_notice=pages * 2,
        third_party_hosts=len(third),
        findings=counts,
    )
    return ScanResult(run, summary, records, third, findings, (), ())
