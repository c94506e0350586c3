"""--check-external: each outbound link is requested once; broken ones are findings where linked."""

from __future__ import annotations

from pathlib import Path

import httpx
import respx

from linkguard.config import Policy, SiteConfig
from linkguard.scan import ScanRequest, make_scope, run_scan

PAGE = """<html><body>
<a class="ext" href="https://ok.example/">fine</a>
<a class="ext" href="https://gone.example/page">gone</a>
<a class="ext" href="https://down.example/">down</a>
<a class="ext" href="https://nohead.example/">refuses HEAD</a>
</body></html>
"""


def _scan(root: Path, router: respx.MockRouter, check: bool) -> object:
    policy = Policy(site=SiteConfig(origin="https://www.example.com"))
    request = ScanRequest(
        str(root),
        policy,
        make_scope(str(root), policy),
        policy.crawl,
        transport=httpx.MockTransport(router.async_handler),
        check_external=check,
    )
    return run_scan(request)


def test_broken_outbound_links_are_found_where_they_are_linked(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "about.html").write_text(PAGE, encoding="utf-8")
    router = respx.MockRouter(assert_all_mocked=True)
    router.head("https://ok.example/").mock(return_value=httpx.Response(200))
    router.head("https://gone.example/page").mock(return_value=httpx.Response(404))
    router.head("https://down.example/").mock(side_effect=httpx.ConnectError("refused"))
    router.head("https://nohead.example/").mock(return_value=httpx.Response(405))
    router.get("https://nohead.example/").mock(return_value=httpx.Response(200))
    result = _scan(tmp_path, router, check=True)
    broken = sorted(
        (f.page.rsplit("/", 1)[-1], f.line, f.target, f.message)
        for f in result.findings
        if f.rule == "broken-outbound-link"
    )
    assert broken == [
        ("", 3, "https://gone.example/page", "Outbound link is broken: HTTP 404"),
        ("", 4, "https://down.example/", "Outbound link is broken: connection failed: refused"),
        ("about.html", 3, "https://gone.example/page", "Outbound link is broken: HTTP 404"),
        (
            "about.html",
            4,
            "https://down.example/",
            "Outbound link is broken: connection failed: refused",
        ),
    ]
    heads = [str(c.request.url) for c in router.calls if c.request.method == "HEAD"]
    assert sorted(heads) == sorted(set(heads))  # each URL once, however often it is linked


def test_external_links_are_not_requested_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    router = respx.MockRouter(assert_all_mocked=True, assert_all_called=False)
    result = _scan(tmp_path, router, check=False)
    assert not router.calls
    assert not any(f.rule == "broken-outbound-link" for f in result.findings)
