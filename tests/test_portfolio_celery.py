"""``linkguard portfolio run --broker`` with real components: Debian's redis-server started
on a free 127.0.0.1 port, real ``linkguard worker`` processes (Celery, prefork), no mocks.

Covered: two workers give the same results as the local pool; a worker process killed with
SIGKILL mid-task has its task redelivered (acks_late + task_reject_on_worker_lost) and the
site appears once with the results of an uninterrupted run; a whole worker killed is
covered by Redis's visibility timeout (set small here with ``--visibility-timeout``); a site
that cannot be scanned, or whose task raises, is reported failed while the others finish.
The tests skip, saying why, only when redis-server is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_portfolio import closed_port, make_site, write_portfolio

REDIS = shutil.which("redis-server") or (
    "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        REDIS is None, reason="needs Debian's redis-server (apt-get install redis-server)"
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(condition: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A private redis-server on a free port, no persistence, stopped after the test."""
    import redis

    port = _free_port()
    server = subprocess.Popen(
        [REDIS or "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)

    def up() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        _wait(up, "redis-server to answer", 20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


class Workers:
    """``linkguard worker`` processes, started and stopped by the test."""

    def __init__(self, broker: str, logs: Path) -> None:
        self.broker = broker
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *extra: str) -> subprocess.Popen[bytes]:
        exe = Path(sys.executable).parent / "linkguard"
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [str(exe), "worker", "--broker", self.broker, "--concurrency", "1",
             "--name", f"{name}@test", *extra],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.procs[name] = proc
        _wait(lambda: b"ready." in (self.logs / f"{name}.log").read_bytes(), f"{name} ready")
        return proc

    def children(self, name: str) -> list[int]:
        pid = self.procs[name].pid
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
        return [int(p) for p in text.split()]

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@pytest.fixture
def workers(redis_url: str, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(redis_url, tmp_path)
    try:
        yield started
    finally:
        started.stop()


def _run(portfolio: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "linkguard"
    return subprocess.run(
        [str(exe), "portfolio", "run", str(portfolio), "--output", str(out), *extra],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def _results(out: Path, name: str) -> str:
    text = (out / "sites" / name / "results.json").read_text(encoding="utf-8")
    return re.sub(r'"(started|finished)": "[^"]*"', '"\\1": ""', text)


@contextmanager
def slow_site(root: Path, delay: float) -> Iterator[tuple[str, threading.Event]]:
    """A site on 127.0.0.1 whose pages each take ``delay`` seconds: a task scanning it is
    mid-scan for a while. The event is set once the first page has been asked for."""
    make_site(root, "slow", pages=4)
    folder = root / "slow"
    asked = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = folder / ("index.html" if self.path == "/" else self.path.lstrip("/"))
            if not path.is_file() or "robots" in self.path:
                self.send_response(404)
                self.end_headers()
                return
            asked.set()
            time.sleep(delay)
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()
        server.server_close()


def test_two_celery_workers_give_the_results_of_the_local_pool(
    workers: Workers, tmp_path: Path
) -> None:
    make_site(tmp_path, "alpha")
    make_site(tmp_path, "beta", declare_tags=False, pages=3)
    (tmp_path / "down.toml").write_text("", encoding="utf-8")
    portfolio = write_portfolio(
        tmp_path,
        [
            {"name": "alpha", "target": "alpha", "config": "alpha.toml"},
            {"name": "beta", "target": "beta", "config": "beta.toml"},
            {"name": "down", "target": f"http://127.0.0.1:{closed_port()}/", "config": "down.toml"},
        ],
    )
    workers.start("w1")
    workers.start("w2")
    celery = _run(portfolio, tmp_path / "celery", "--broker", workers.broker)
    local = _run(portfolio, tmp_path / "local", "--jobs", "2")
    assert celery.returncode == local.returncode == 3, celery.stderr  # "down" failed
    for name in ("alpha", "beta", "down"):
        assert _results(tmp_path / "celery", name) == _results(tmp_path / "local", name)
    index = json.loads((tmp_path / "celery" / "portfolio.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in index["sites"]] == ["FAIL", "FAIL", "NOT SCANNED"]
    # both workers took part (each runs one task at a time, prefetching one)
    ran = [w for w in ("w1", "w2") if "linkguard.scan_site" in workers.log(w)]
    assert ran == ["w1", "w2"], (workers.log("w1"), workers.log("w2"))


def test_a_task_that_raises_fails_its_site_and_the_others_finish(
    workers: Workers, tmp_path: Path
) -> None:
    from linkguard.portfolio import Site, celery_executor, load_portfolio, run_portfolio

    make_site(tmp_path, "alpha")
    (site,) = load_portfolio(
        write_portfolio(tmp_path, [{"name": "alpha", "target": "alpha", "config": "alpha.toml"}])
    )
    broken = Site(name="broken", target=site.target, config=str(tmp_path / "gone.toml"))
    workers.start("w1")
    executor = celery_executor(workers.broker)
    try:
        outcomes = run_portfolio([broken, site], executor)
    finally:
        executor.close()
    assert outcomes[0].result is None
    assert "ConfigError" in (outcomes[0].error or "") and "gone.toml" in (outcomes[0].error or "")
    assert outcomes[1].result is not None and outcomes[1].result.summary.pages == 2


def test_a_worker_process_killed_mid_task_has_its_task_redelivered(
    workers: Workers, tmp_path: Path
) -> None:
    with slow_site(tmp_path, delay=0.5) as (url, asked):
        (tmp_path / "slow.toml").write_text("", encoding="utf-8")
        portfolio = write_portfolio(
            tmp_path, [{"name": "slow", "target": url, "config": "slow.toml"}]
        )
        reference = _run(portfolio, tmp_path / "uninterrupted", "--jobs", "1")
        assert reference.returncode == 1, reference.stderr
        asked.clear()
        workers.start("w1")
        exe = Path(sys.executable).parent / "linkguard"
        run = subprocess.Popen(
            [str(exe), "portfolio", "run", str(portfolio), "-o", str(tmp_path / "out"),
             "--broker", workers.broker],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert asked.wait(60), "the task never started"
        (child,) = workers.children("w1")  # the prefork process running the task
        os.kill(child, signal.SIGKILL)
        _, stderr = run.communicate(timeout=180)
    assert run.returncode == 1, stderr
    assert _results(tmp_path / "out", "slow") == _results(tmp_path / "uninterrupted", "slow")
    index = json.loads((tmp_path / "out" / "portfolio.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in index["sites"]] == ["slow"]  # once
    log = workers.log("w1")
    assert "WorkerLostError" in log or "SIGKILL" in log, log
    assert len(re.findall(r"linkguard\.scan_site\[[^\]]+\] received", log)) == 2  # again


def test_a_whole_worker_killed_mid_task_is_redelivered_after_the_visibility_timeout(
    workers: Workers, tmp_path: Path
) -> None:
    with slow_site(tmp_path, delay=0.5) as (url, asked):
        (tmp_path / "slow.toml").write_text("", encoding="utf-8")
        portfolio = write_portfolio(
            tmp_path, [{"name": "slow", "target": url, "config": "slow.toml"}]
        )
        reference = _run(portfolio, tmp_path / "uninterrupted", "--jobs", "1")
        asked.clear()
        first = workers.start("w1", "--visibility-timeout", "5")
        exe = Path(sys.executable).parent / "linkguard"
        run = subprocess.Popen(
            [str(exe), "portfolio", "run", str(portfolio), "-o", str(tmp_path / "out"),
             "--broker", workers.broker],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert asked.wait(60), "the task never started"
        os.killpg(first.pid, signal.SIGKILL)  # the machine is gone: no word to Redis
        first.wait(10)
        workers.start("w2", "--visibility-timeout", "5")
        _, stderr = run.communicate(timeout=180)
    assert run.returncode == reference.returncode == 1, stderr
    assert _results(tmp_path / "out", "slow") == _results(tmp_path / "uninterrupted", "slow")
    assert re.search(r"linkguard\.scan_site\[[^\]]+\] received", workers.log("w2"))
