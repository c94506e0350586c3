"""A site cannot hang or exhaust a crawl: robots.txt and sitemaps have the page deadline, and
the cookie jar is bounded as browsers bound theirs (real servers on 127.0.0.1, the real CLI)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from hostile import Route, hostile_server, page, trickle

WATCHDOG = 60  # seconds: a crawl that hangs fails the test instead of the whole suite


def _scan(linkguard_cmd: list[str], target: str, tmp_path: Path, policy: str) -> dict[str, object]:
    config = tmp_path / "linkguard.toml"
    config.write_text(policy, encoding="utf-8")
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [*linkguard_cmd, "scan", target, "--config", str(config), "--output", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=WATCHDOG,
    )
    assert proc.returncode == 0, proc.stderr
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


@pytest.mark.slow
@pytest.mark.parametrize("where", ["/robots.txt", "/sitemap.xml"])
def test_a_robots_txt_or_sitemap_trickled_forever_hits_the_deadline(
    where: str, linkguard_cmd: list[str], tmp_path: Path
) -> None:
    routes = {
        "/": page('<a href="/about">About</a>'),
        "/about": page("<p>About us</p>"),
        where: trickle(),
    }
    with hostile_server(routes) as server:
        results = _scan(linkguard_cmd, server.url + "/", tmp_path, "[crawl]\ntimeout = 1\n")
    pages = sorted(p["url"] for p in results["pages"])  # type: ignore[attr-defined]
    assert pages == [server.url + "/", server.url + "/about"]
    assert results["run"]["complete"] is True  # type: ignore[index]


@pytest.mark.slow
def test_sigterm_while_robots_txt_trickles_stops_the_crawl(
    linkguard_cmd: list[str], tmp_path: Path
) -> None:
    (tmp_path / "linkguard.toml").write_text("[crawl]\ntimeout = 3600\n", encoding="utf-8")
    routes = {"/": page("<p>Home</p>"), "/robots.txt": trickle()}
    with hostile_server(routes) as server:
        proc = subprocess.Popen(
            [*linkguard_cmd, "scan", server.url + "/", "--output", "results.json", "-q"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            while "/robots.txt" not in server.paths():
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=WATCHDOG)
        finally:
            proc.kill()
            proc.wait()
    assert proc.returncode == 3, stderr  # interrupted: what was found (nothing) is written
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["run"]["complete"] is False


def _cookie_flood(name: str, count: int, following: str) -> Route:
    """A page that sets ``count`` new cookies, each of a name no other page uses."""
    value = "v" * 40
    cookies = tuple(("Set-Cookie", f"{name}{i}={value}; Path=/") for i in range(count))
    return page(f'<a href="{following}">next</a>', headers=cookies)


def test_a_server_flooding_cookies_gets_a_bounded_jar_and_cookie_header(
    linkguard_cmd: list[str], tmp_path: Path
) -> None:
    """1,000 new cookies a page, as a hostile site sets them: the jar keeps at most 180 per
    site (as Chromium does) and the Cookie header sent stays under 8,190 bytes."""
    pages = 6
    routes = {f"/p{n}": _cookie_flood(f"flood{n}x", 1000, f"/p{n + 1}") for n in range(pages)}
    routes["/"] = page('<a href="/p0">start</a>', headers=(("Set-Cookie", "session=s1"),))
    with hostile_server(routes) as server:
        results = _scan(
            linkguard_cmd, server.url + "/", tmp_path, "[crawl]\nrespect_robots = false\n"
        )
        sent = [
            headers.get("cookie", "") for _, path, headers in server.log if path.startswith("/p")
        ]
    assert len(results["pages"]) == pages + 2  # type: ignore[arg-type]  # /p6 answers 404
    assert len(sent) == pages + 1
    assert all(len(header) <= 8190 for header in sent)
    assert max(header.count("=") for header in sent) <= 180
    assert "flood4x" in sent[-2] and "flood5x" in sent[-1]  # the newest cookies are sent
