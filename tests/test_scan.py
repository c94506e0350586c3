"""The scan end to end: a folder read as its origin, and a real crawl of a local server."""

from __future__ import annotations

import json
from pathlib import Path

from linkguard.config import Policy, SiteConfig, load_policy
from linkguard.model import Party
from linkguard.results import from_json, to_json
from linkguard.scan import ScanRequest, make_scope, run_scan


def _scan(target: str, policy: Policy) -> object:
    return run_scan(ScanRequest(target, policy, make_scope(target, policy), policy.crawl))


def test_folder_pages_are_read_under_the_configured_origin(sample_sites: Path) -> None:
    root = sample_sites / "northwind-clinic"
    policy = load_policy(root / "linkguard.toml")
    result = _scan(str(root), policy)
    urls = [p.url for p in result.pages]
    assert urls == sorted(urls)
    assert "https://www.northwind-clinic.com/" in urls
    assert "https://www.northwind-clinic.com/about/" in urls
    assert "https://www.northwind-clinic.com/news/2026-spring.html" in urls
    assert result.run.origin == "https://www.northwind-clinic.com"
    assert "northwind-clinic.co.jp" in result.run.first_party
    assert result.summary.pages == len(urls) == 6
    assert all(p.file for p in result.pages)


def test_crawl_over_http_matches_the_folder_scan(sample_sites: Path, serve) -> None:
    """The same site crawled from 127.0.0.1 and read from disk: same pages, same findings."""
    root = sample_sites / "leaky-shop"
    policy = load_policy(root / "linkguard.toml")
    base = serve(root)
    crawled = _scan(base, policy)
    folder = _scan(str(root), policy)
    crawled_ok = sorted(p.url for p in crawled.pages if p.error is None)
    folder_urls = sorted(p.url for p in folder.pages)
    assert set(crawled_ok) <= set(folder_urls)
    assert "https://shop.leaky-shop.com/products/grinder.html" in crawled_ok
    # /discontinued.html is linked but missing: a crawl error, recorded, and the crawl went on
    broken = [p for p in crawled.pages if p.url.endswith("/discontinued.html")]
    assert broken and broken[0].status == 404 and broken[0].error == "HTTP 404"
    assert any(
        f.rule == "crawl-error" and f.page.endswith("/discontinued.html") for f in crawled.findings
    )
    folder_prints = {f.fingerprint for f in folder.findings}
    crawl_prints = {f.fingerprint for f in crawled.findings if f.rule != "crawl-error"}
    assert crawl_prints and crawl_prints <= folder_prints


def test_inventory_lists_third_party_hosts_with_kinds_and_pages(sample_sites: Path) -> None:
    root = sample_sites / "leaky-shop"
    result = _scan(str(root), load_policy(root / "linkguard.toml"))
    by_host = {t.host: t for t in result.third_parties}
    assert "script" in by_host["static.hotjar.com"].kinds
    assert by_host["static.hotjar.com"].pages == 1
    assert "connect.facebook.net" in by_host  # an inline-script loader counts as a script
    assert by_host["js.stripe.com"].declared
    assert not by_host["static.hotjar.com"].declared
    assert by_host["cdn.jsdelivr.net"].site == "jsdelivr.net"
    assert result.summary.third_party_hosts == len(by_host)


def test_results_are_deterministic_and_round_trip(sample_sites: Path) -> None:
    root = sample_sites / "leaky-shop"
    policy = load_policy(root / "linkguard.toml")
    first, second = _scan(str(root), policy), _scan(str(root), policy)
    a, b = json.loads(to_json(first)), json.loads(to_json(second))
    for doc in (a, b):
        doc["run"].pop("started"), doc["run"].pop("finished")
    assert a == b
    assert to_json(from_json(to_json(first))) == to_json(first)


def test_no_config_derives_scope_from_the_target(tmp_path: Path, serve) -> None:
    (tmp_path / "index.html").write_text(
        '<a href="/a.html">a</a><a href="https://elsewhere.example/">x</a>', encoding="utf-8"
    )
    (tmp_path / "a.html").write_text("<p>a</p>", encoding="utf-8")
    base = serve(tmp_path)
    result = _scan(base, Policy())
    assert result.run.origin == base.rstrip("/")
    assert sorted(p.url for p in result.pages) == [base, base + "a.html"]
    scope = make_scope(base, Policy(site=SiteConfig()))
    assert scope.classify_href("https://elsewhere.example/").party is Party.THIRD
