"""``--resume STATE``: an interrupted crawl continues from its saved state, and ends with the
results an uninterrupted crawl gives. Against a real server on 127.0.0.1 and the real CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.errors import ConfigError
from linkguard.scan.journal import SCHEMA, CrawlState, identity

PAGES = 60
runner = CliRunner()


class _Site(BaseHTTPRequestHandler):
    """A finite site: /pN links three other pages, a third party with and without an exit
    notice, and a script; /moved redirects; /gone is a 404. Requests are logged."""

    server: _Server

    def do_GET(self) -> None:
        self.server.log.append(self.path)
        time.sleep(self.server.delay)
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/p3")
            self.end_headers()
            return
        if not self.path.startswith("/p") or not self.path[2:].isdigit():
            self.send_error(404)
            return
        n = int(self.path[2:])
        links = "".join(f'<a href="/p{m % PAGES}">{m}</a>' for m in (2 * n, 2 * n + 1, n + 7))
        body = (
            f"<html><head><title>{n}</title>"
            f'<script src="https://cdn{n % 3}.tracker.example/t.js"></script></head><body>'
            f'{links}<a href="/moved">moved</a><a href="/gone">gone</a>'
            f'<a href="https://partner.example.org/{n}">partner</a>'
            f'<a class="ext" href="https://docs.example.net/{n % 5}">docs</a></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    delay = 0.0
    log: list[str]


@pytest.fixture
def site() -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Site)
    server.log = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/p0"


def _scan(url: str, out: Path, *extra: str) -> list[str]:
    return [
        *("scan", url, "--ignore-robots", "--concurrency", "2", "--quiet"),
        *("--format", "json", "--output", str(out), *extra),
    ]


def _comparable(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    del data["run"]["started"], data["run"]["finished"]
    return data


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.slow
def test_an_interrupted_crawl_resumed_gives_the_uninterrupted_results(
    site: _Server, tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    url = _url(site)
    full = tmp_path / "full.json"
    done = subprocess.run(
        [*linkguard_cmd, *_scan(url, full)], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stderr  # undeclared scripts are errors
    assert len(json.loads(full.read_text())["pages"]) == PAGES + 2  # + /moved and /gone

    # Interrupted: Ctrl-C once a dozen pages are saved in the state file.
    site.log.clear()
    site.delay = 0.05
    state = tmp_path / "weekly.state"
    partial = tmp_path / "partial.json"
    proc = subprocess.Popen(
        [*linkguard_cmd, *_scan(url, partial, "--resume", str(state))],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while _lines(state) < 13 and time.monotonic() < deadline:  # header + 12 pages
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 3, stderr
    assert f"--resume {state}" in stderr
    first = json.loads(partial.read_text())
    assert first["run"]["complete"] is False
    saved = _lines(state) - 1
    assert 12 <= saved < PAGES
    fetched_first = {p for p in site.log if p.startswith("/p")}

    # Resumed: the rest of the site, and nothing saved is fetched again.
    site.log.clear()
    site.delay = 0.0
    resumed = tmp_path / "resumed.json"
    again = subprocess.run(
        [*linkguard_cmd, *_scan(url, resumed, "--resume", str(state))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1, again.stderr
    assert _comparable(resumed) == _comparable(full)
    assert not state.exists()  # a finished crawl leaves no state behind
    refetched = {p for p in site.log if p.startswith("/p")} & fetched_first
    # Only pages in flight at the interrupt (at most --concurrency) are fetched twice.
    assert len(refetched) <= len(fetched_first) - saved + 2
    assert len([p for p in site.log if p.startswith("/p")]) <= PAGES - saved + 2


@pytest.mark.slow
def test_a_torn_last_line_is_dropped_and_the_crawl_goes_on(site: _Server, tmp_path: Path) -> None:
    url = _url(site)
    state = tmp_path / "s.state"
    full, resumed = tmp_path / "full.json", tmp_path / "resumed.json"
    assert runner.invoke(app, _scan(url, full)).exit_code == 1
    # A state with a header, one page and half a line, as a power cut leaves it.
    header = {
        "schema": SCHEMA,
        "target": url,
        "origin": "http://127.0.0.1:" + str(site.server_address[1]),
        "first_party": ["127.0.0.1"],
        "config_sha256": None,
        "linkguard": __import__("linkguard").__version__,
    }
    state.write_text(json.dumps(header) + "\n" + '{"url": "http://127.0.0.1/p0", "dep')
    result = runner.invoke(app, _scan(url, resumed, "--resume", str(state)))
    assert result.exit_code == 1, result.output
    assert _comparable(resumed) == _comparable(full)
    assert not state.exists()


def test_a_state_from_another_crawl_is_refused(site: _Server, tmp_path: Path) -> None:
    state = tmp_path / "s.state"
    other = {"schema": SCHEMA, "target": "https://www.example.com/", "linkguard": "0"}
    state.write_text(json.dumps(other) + "\n")
    result = runner.invoke(app, _scan(_url(site), tmp_path / "r.json", "--resume", str(state)))
    assert result.exit_code == 2
    assert f"{state}: the saved crawl has target 'https://www.example.com/'" in result.output
    assert "tip:" in result.output
    assert state.read_text() == json.dumps(other) + "\n"  # left as it was

    state.write_text("not a state file\n")
    result = runner.invoke(app, _scan(_url(site), tmp_path / "r.json", "--resume", str(state)))
    assert result.exit_code == 2
    assert "not a linkguard crawl state file" in result.output


def test_resume_is_for_crawls(tmp_path: Path, sample_sites: Path) -> None:
    result = runner.invoke(
        app, ["scan", str(sample_sites / "leaky-shop"), "--resume", str(tmp_path / "s")]
    )
    assert result.exit_code == 2
    assert "--resume continues a crawl over HTTP" in result.output
    assert not (tmp_path / "s").exists()


SITE_URL = "https://www.example.com/"


def test_a_state_file_of_another_version_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "crawl.state"
    state.write_text(json.dumps({"schema": "linkguard/crawl-state/v1"}) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"another linkguard \(linkguard/crawl-state/v1"):
        CrawlState.open(
            state, identity("https://www.example.com/", "https://www.example.com", (), None)
        )
    assert state.read_text(encoding="utf-8").startswith('{"schema": "linkguard/crawl-state/v1"')
