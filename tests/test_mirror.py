"""A copy of the site (a build served on 127.0.0.1, a staging server) crawled as the site:
every URL the crawler learns on the site's origin, from a link, a sitemap, a sitemap index,
robots.txt or a redirect, is fetched from the copy, and no other host is ever looked up or
requested (linkguard/sources/mirror.py, linkguard/sources/http.py)."""

from __future__ import annotations

import functools
import json
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app

LIVE = "https://www.example.com"
PORTAL = "https://portal.example.co.jp"
runner = CliRunner()


REDIRECTS = {
    "/old-about": f"{LIVE}/about.html",  # the copy's server names the live origin
    "/login": f"{PORTAL}/login",  # another first-party host: not on the copy
}


class _Copy(SimpleHTTPRequestHandler):
    """The build folder, plus redirects the way the live site's server config has them."""

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        with server.lock:
            server.paths.append(self.path)
        location = REDIRECTS.get(self.path)
        if location is None:
            super().do_GET()
            return
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    lock = threading.Lock()
    paths: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def _write_copy(root: Path) -> Path:
    """A build whose sitemaps and robots.txt name the live origin, as a real build's do."""
    root.mkdir()
    pages = {
        "index.html": '<a href="/about.html">About</a>'
        f'<a href="{LIVE}/contact.html">Contact</a>'
        '<a href="/old-about">Old about</a><a href="/login">Log in</a>'
        f'<a href="{PORTAL}/help">Portal help</a>',
        "about.html": "<title>About</title>",
        "contact.html": "<title>Contact</title>",
        "only-in-sitemap.html": "<title>Listed, never linked</title>",
        "news.html": "<title>News, listed by the sitemap index</title>",
    }
    for name, body in pages.items():
        (root / name).write_text(f"<!doctype html><html><body>{body}</body></html>")
    (root / "robots.txt").write_text(
        f"User-agent: *\nDisallow: /private/\nSitemap: {LIVE}/sitemap-index.xml\n"
        f"Sitemap: {PORTAL}/sitemap.xml\n"
    )

    def urlset(*paths: str) -> str:
        urls = "".join(f"<url><loc>{LIVE}{p}</loc></url>" for p in paths)
        return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'

    (root / "sitemap.xml").write_text(
        urlset("/", "/about.html", "/only-in-sitemap.html", "/private/secret.html")
    )
    (root / "sitemap-index.xml").write_text(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{LIVE}/sitemap-news.xml</loc></sitemap>"
        f"<sitemap><loc>{PORTAL}/sitemap-portal.xml</loc></sitemap></sitemapindex>"
    )
    (root / "sitemap-news.xml").write_text(urlset("/news.html", "/"))
    (root / "linkguard.toml").write_text(
        f'[site]\norigin = "{LIVE}"\nfirst_party = ["portal.example.co.jp"]\n'
    )
    return root


@pytest.fixture
def copy(tmp_path: Path) -> Iterator[tuple[_Server, Path]]:
    root = _write_copy(tmp_path / "build")
    server = _Server(("127.0.0.1", 0), functools.partial(_Copy, directory=str(root)))
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, root
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch, watched_resolver: None) -> list[str]:
    """Every host name the process asks the resolver for (127.0.0.1 needs no lookup), each
    answered "unknown", so that a crawl gone wrong still stays on this machine."""
    looked_up: list[str] = []

    def recording(host: object, *args: object, **kwargs: object) -> object:
        looked_up.append(str(host))
        raise socket.gaierror(socket.EAI_NONAME, f"{host}: not looked up in tests")

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    return looked_up


def test_a_copy_whose_sitemaps_robots_and_redirects_name_the_live_site_never_reaches_it(
    copy: tuple[_Server, Path], lookups: list[str], tmp_path: Path
) -> None:
    server, root = copy
    out = tmp_path / "results.json"
    result = runner.invoke(
        app,
        ["scan", server.url, "--config", str(root / "linkguard.toml"), "-o", str(out), "-q"],
    )
    assert result.exit_code == 0, result.output
    assert lookups == []  # neither the live site nor the portal was ever looked up
    pages = json.loads(out.read_text())["pages"]
    # every page once, on the live origin, each fetched from the copy; the start page once
    assert sorted((p["url"], p["status"], p["error"]) for p in pages) == [
        (f"{LIVE}/", 200, None),
        (f"{LIVE}/about.html", 200, None),
        (f"{LIVE}/contact.html", 200, None),
        (f"{LIVE}/login", 301, None),  # to the portal: recorded, not followed
        (f"{LIVE}/news.html", 200, None),  # from the sitemap index robots.txt names
        (f"{LIVE}/old-about", 301, None),  # to the live origin: lands on /about.html
        (f"{LIVE}/only-in-sitemap.html", 200, None),
    ]
    requested = set(server.paths)
    assert {"/robots.txt", "/sitemap.xml", "/sitemap-index.xml", "/sitemap-news.xml"} <= requested
    assert "/private/secret.html" not in requested  # the copy's robots.txt applies
    assert "/sitemap-portal.xml" not in requested  # the portal's, never asked of the copy


def test_a_redirect_on_the_copy_to_the_live_origin_is_followed_on_the_copy(
    copy: tuple[_Server, Path], lookups: list[str], tmp_path: Path
) -> None:
    """With no link to the target page, the redirect is the only way there: it is followed
    on the copy, and the hop is reported on the live origin."""
    server, root = copy
    (root / "index.html").write_text('<a href="/old-about">About</a>')
    (root / "sitemap.xml").unlink()
    (root / "robots.txt").unlink()
    out = tmp_path / "results.json"
    args = ["scan", server.url, "--config", str(root / "linkguard.toml"), "-o", str(out), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert lookups == []
    pages = {p["url"]: (p["status"], p["error"]) for p in json.loads(out.read_text())["pages"]}
    assert pages == {f"{LIVE}/": (200, None), f"{LIVE}/old-about": (200, None)}
    assert server.paths.count("/about.html") == 1
