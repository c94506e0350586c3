"""The local web server the tools crawl: nginx when available, else a threaded Python server.

Both listen on 127.0.0.1, send a ``LinkChecker`` header (so LinkChecker's
``maxrequestspersecond`` applies) and write one access-log line per request,
``REQUEST_URI STATUS BYTES``, which the harness reads to count the pages each tool fetched.

Run as a script, this module is the Python fallback server itself (standard library only):

    python bench/servers.py --root bench/site-1000-s1 --port 8123 --log access.log
"""

from __future__ import annotations

import argparse
import http.server
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NGINX_TEMPLATE = HERE / "nginx.conf.tmpl"
# linkinator holds ~18,000 sockets at once on 10,000 pages. One nginx worker is capped by the
# open-files limit (20,000 here, and root may not raise it): with one worker, nginx logged
# "worker_connections are not enough" and closed idle connections under linkinator. Four
# workers, each with its own limit, hold them all, so the server is never what a tool waits on.
NGINX_WORKERS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def find_nginx(install: bool) -> str | None:
    """The nginx binary; with ``install``, apt-get installs Debian's package when missing."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found or not install or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    print("bench: installing nginx from Debian's packages ...", file=sys.stderr)
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "nginx"]):
        subprocess.run(step, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return find_nginx(install=False)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds consumed so far by these live processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry.name))
    return found


@dataclass
class Server:
    """A running server process serving ``site`` on 127.0.0.1:``port``."""

    kind: str  # "nginx" or "python"
    site: Path
    port: int
    log: Path
    argv: list[str]
    version: str = ""
    connections: int = 0  # nginx: worker_connections of each worker
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def description(self) -> str:
        if self.kind == "nginx":
            return (
                f"{self.version}, {NGINX_WORKERS} worker processes of {self.connections:,}"
                " connections each, access log unbuffered"
            )
        return "Python http.server ThreadingHTTPServer (nginx unavailable): slower than nginx"

    def start(self) -> None:
        self.log.write_bytes(b"")
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited at start: {self.argv}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"{self.kind} did not answer on {self.url}")
        self.log.write_bytes(b"")  # the readiness probe is not any tool's request

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT if self.kind == "nginx" else signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def pids(self) -> list[int]:
        if self.process is None:
            return []
        return [self.process.pid, *children_of(self.process.pid)]

    def cpu(self) -> float:
        return cpu_seconds(self.pids())

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> list[str]:
        """Access-log lines written after ``offset`` (a size from ``log_size``)."""
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace").splitlines()


def nginx_server(binary: str, site: Path, work: Path) -> Server:
    work.mkdir(parents=True, exist_ok=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = work / "access.log"
    text = NGINX_TEMPLATE.read_text()
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nofile = 65536 if nofile == resource.RLIM_INFINITY else min(nofile, 65536)
    values = {"WORK": work, "LOG": log, "PORT": port, "SITE": site.resolve(), "NOFILE": nofile}
    connections = max(1024, nofile - 2500)  # room for the open-file cache
    values["CONNECTIONS"] = connections
    values["WORKERS"] = NGINX_WORKERS
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    conf = work / "nginx.conf"
    conf.write_text(text)
    version = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()
    version = version.removeprefix("nginx version: ")
    argv = [binary, "-p", str(work), "-c", str(conf), "-e", str(work / "nginx-error.log")]
    return Server("nginx", site, port, log, argv, version, connections)


def python_server(site: Path, work: Path) -> Server:
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = work / "access.log"
    argv = [sys.executable, str(Path(__file__).resolve()), "--root", str(site.resolve())]
    argv += ["--port", str(port), "--log", str(log)]
    return Server("python", site, port, log, argv, f"Python {sys.version.split()[0]}")


def start_server(site: Path, work: Path, prefer: str, install: bool) -> Server:
    """Start nginx (or, when ``prefer`` is python or nginx is missing, the Python server)."""
    binary = find_nginx(install) if prefer == "nginx" else None
    server = nginx_server(binary, site, work) if binary else python_server(site, work)
    server.start()
    return server


# -- the fallback server, when run as a script ---------------------------------------------
class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_lock = threading.Lock()
    log_file = None

    def end_headers(self) -> None:
        self.send_header("LinkChecker", "benchmark")
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = getattr(code, "value", code)
        with self.log_lock:
            assert self.log_file is not None
            self.log_file.write(f"{self.path} {status} {size}\n")
            self.log_file.flush()

    def log_message(self, format: str, *args: object) -> None:
        pass  # errors are logged through log_request; nothing on stderr


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 4096
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client closing its keep-alive connection is not an error worth printing


def serve(root: Path, port: int, log: Path) -> None:
    _Handler.log_file = log.open("a", encoding="utf-8")
    os.chdir(root)
    server = _Server(("127.0.0.1", port), _Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The benchmark's fallback web server.")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    serve(args.root, args.port, args.log)
