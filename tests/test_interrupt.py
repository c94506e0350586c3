"""Nothing lost: Ctrl-C or SIGTERM during a crawl writes what was found, marked incomplete."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

_ANSWERED = [0]  # pages the slow site has answered, for the test to wait on
_ANSWERED_LOCK = threading.Lock()


class _SlowSite(BaseHTTPRequestHandler):
    """An endless site: page N links to pages 2N and 2N+1, each answered after 0.2 s."""

    def do_GET(self) -> None:
        if not self.path.startswith("/p"):
            self.send_error(404)
            return
        time.sleep(0.2)
        n = int(self.path[2:] or 1)
        body = (
            f'<html><body><a href="/p{2 * n}">a</a><a href="/p{2 * n + 1}">b</a>'
            f'<a href="https://elsewhere.example/{n}">out</a></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with _ANSWERED_LOCK:
            _ANSWERED[0] += 1

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_site() -> Iterator[str]:
    _ANSWERED[0] = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowSite)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/p1"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_crawl_keeps_the_pages_done(
    slow_site: str, tmp_path: Path, linkguard_cmd: list[str], sig: signal.Signals
) -> None:
    out = tmp_path / "results.json"
    report = tmp_path / "report.html"
    proc = subprocess.Popen(
        [
            *linkguard_cmd,
            "scan",
            slow_site,
            "--ignore-robots",
            "--concurrency",
            "2",
            "--format",
            "json",
            "--output",
            str(out),
            "--format",
            "html",
            "--output",
            str(report),
            "--quiet",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # A few pages in (the site never ends): the signal goes once the site has answered six,
    # however long a loaded machine takes to get there.
    deadline = time.monotonic() + 120
    while _ANSWERED[0] < 6 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 3, stderr
    assert "interrupted" in stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["run"]["complete"] is False
    assert len(data["pages"]) >= 3
    assert "INCOMPLETE" in report.read_text(encoding="utf-8").upper()
