"""The crawler stays in scope: the target's origin (scheme, host and port), origins the policy
declares, and the default ports of first-party hosts. Another port of the target's host, or
another host a robots.txt, a sitemap index, a link, a frame or a redirect names, is never
requested, however the page classifies it (linkguard/sources/_reach.py)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import respx
from hostile import HostileServer, hostile_server, page, send
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.config import CrawlConfig, Policy, SiteConfig
from linkguard.scan import ScanRequest, make_scope, run_scan

runner = CliRunner()


def _urlset(*locs: str) -> str:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def _index(*locs: str) -> str:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'


def _target_naming(other: HostileServer) -> dict[str, object]:
    """A site whose every way of naming a URL names ``other``: another port of the same
    host (127.0.0.1), and another host on it (localhost)."""
    port = other.server_address[1]
    elsewhere = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    links = "".join(f'<a href="{e}/page">p</a><iframe src="{e}/frame"></iframe>' for e in elsewhere)
    robots = "User-agent: *\nAllow: /\n" + "".join(
        f"Sitemap: {e}/robots-sitemap.xml\n" for e in elsewhere
    )

    def redirect(handler: object) -> None:
        send(handler, 302, b"", headers=(("Location", f"{elsewhere[0]}/landing"),))  # type: ignore[arg-type]

    return {
        "/": page(links + '<a href="/go">go</a><a href="/about">about</a>'),
        "/about": page("<p>about</p>"),
        "/go": redirect,
        "/robots.txt": lambda h: send(h, 200, robots.encode(), "text/plain"),
        "/sitemap.xml": lambda h: send(
            h, 200, _index(*(f"{e}/index-sitemap.xml" for e in elsewhere)).encode(), "text/xml"
        ),
    }


def _scan(target: str, tmp_path: Path, policy: str = "") -> dict[str, object]:
    config = tmp_path / "linkguard.toml"
    config.write_text(policy, encoding="utf-8")
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["scan", target, "-c", str(config), "-o", str(out), "-q"])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def test_another_port_or_host_named_by_robots_sitemaps_links_or_redirects_is_never_requested(
    tmp_path: Path,
) -> None:
    with hostile_server({}) as other:
        with hostile_server(_target_naming(other)) as target:  # type: ignore[arg-type]
            results = _scan(target.url + "/", tmp_path)
        assert other.paths() == []  # nothing on the other port, by either name
    assert {"/", "/about", "/go", "/robots.txt", "/sitemap.xml"} == set(target.paths())
    pages = {p["url"] for p in results["pages"]}  # type: ignore[attr-defined]
    assert pages == {target.url + "/", target.url + "/about", target.url + "/go"}


def test_an_origin_the_policy_declares_is_crawled(tmp_path: Path) -> None:
    with hostile_server({"/page": page("<p>a page on another port</p>")}) as other:
        routes = {"/": page(f'<a href="{other.url}/page">there</a>')}
        with hostile_server(routes) as target:  # type: ignore[arg-type]
            results = _scan(target.url + "/", tmp_path, f'[crawl]\norigins = ["{other.url}"]\n')
        assert other.paths() == ["/page"]
    pages = {p["url"] for p in results["pages"]}  # type: ignore[attr-defined]
    assert pages == {target.url + "/", other.url + "/page"}


def test_first_party_hosts_are_crawled_on_their_default_ports_only() -> None:
    """On default ports, first-party hosts are crawled as before: the other scheme of the
    target's host, a subdomain, a declared domain; a port of its own needs declaring."""
    site = "https://www.example.com"
    router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True)
    router.get(f"{site}/").mock(
        return_value=httpx.Response(
            200,
            html='<a href="http://www.example.com/plain">a</a>'
            '<a href="https://blog.example.com/">b</a>'
            '<a href="https://shop.example.co.jp/">c</a>'
            '<a href="https://www.example.com:8443/admin">d</a>'
            '<a href="http://blog.example.com:8080/">e</a>',
        )
    )
    router.get(url__regex=r"^(?!https://www\.example\.com/$)").mock(
        return_value=httpx.Response(200, html="<p>page</p>")
    )
    policy = Policy(
        site=SiteConfig(origin=site, first_party=("example.co.jp",)),
        crawl=CrawlConfig(respect_robots=False, sitemaps=False),
    )
    request = ScanRequest(
        f"{site}/",
        policy,
        make_scope(f"{site}/", policy),
        policy.crawl,
        transport=httpx.MockTransport(router.async_handler),
    )
    run_scan(request)
    requested = sorted(str(call.request.url) for call in router.calls)
    assert requested == [
        "http://www.example.com/plain",
        "https://blog.example.com/",
        "https://shop.example.co.jp/",
        "https://www.example.com/",
    ]
