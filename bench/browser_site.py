"""The browser benchmark's site: N pages on 127.0.0.1, their third parties beside them.

The site is served over HTTP; its third parties (``*.test`` hosts) over HTTPS with a
throwaway certificate (made with the openssl CLI), told apart by the ``Host`` header, and a
browser reaches them with ``--host-resolver-rules=MAP *.test 127.0.0.1:PORT``. Every page
has what a tracker-laden page has: a tag manager that injects a pixel (a first-party
cookie and a beacon), a cross-site frame (a third-party cookie and localStorage) and a
worker's fetch. The home page links to every page. Each request is logged with its
User-Agent, so a run is measured by what the server saw, the same way for every tool.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOSTS = ("tags", "vendor", "api", "frame")
PAGE = """<!doctype html><html><head><title>Page {i}</title>
<script>
(function () {{
  var s = document.createElement('script');
  s.src = 'https://tags.test/gtm.js?id=BENCH';
  document.head.appendChild(s);
}})();
new Worker('/worker.js');
</script></head><body>
<h1>Page {i}</h1>
<iframe src="https://frame.test/embed?page={i}" title="Player"></iframe>
<ul>{links}</ul>
</body></html>"""
GTM = """var s = document.createElement('script');
s.src = 'https://vendor.test/pixel.js';
document.head.appendChild(s);"""
PIXEL = """document.cookie = '_va=1; max-age=31536000; path=/';
navigator.sendBeacon('https://vendor.test/collect', location.pathname);"""
EMBED = """<!doctype html><html><body><p>player</p>
<script>localStorage.setItem('player_volume', '0.8');</script></body></html>"""
THIRD = {
    ("tags.test", "/gtm.js"): ("text/javascript", GTM, ()),
    ("vendor.test", "/pixel.js"): ("text/javascript", PIXEL, ()),
    ("vendor.test", "/collect"): ("text/plain", "", ()),
    ("api.test", "/data"): ("application/json", "{}", (("Access-Control-Allow-Origin", "*"),)),
    ("frame.test", "/embed"): ("text/html", EMBED, (
        ("Set-Cookie", "fid=42; Secure; SameSite=None; Max-Age=3600; Path=/"),)),
}  # fmt: skip


@dataclass
class Log:
    """Every request the servers answered: (host, path, user agent)."""

    lines: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, host: str, path: str, agent: str) -> None:
        with self.lock:
            self.lines.append((host, path, agent))

    def since(self, mark: int) -> list[tuple[str, str, str]]:
        with self.lock:
            return self.lines[mark:]


def _handler(pages: int, log: Log) -> type[BaseHTTPRequestHandler]:
    links = "".join(f'<li><a href="/p/{i}.html">Page {i}</a></li>' for i in range(1, pages))

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            host = self.headers.get("Host", "").split(":")[0]
            path = self.path.split("?")[0]
            log.add(host, path, self.headers.get("User-Agent", ""))
            route = self._route(host, path)
            data = b"" if route is None else route[1].encode("utf-8")
            self.send_response(404 if route is None else 200)
            if route is not None:
                self.send_header("Content-Type", route[0])
                for name, value in route[2]:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(
            self, host: str, path: str
        ) -> tuple[str, str, tuple[tuple[str, str], ...]] | None:
            if host != "127.0.0.1":
                return THIRD.get((host, path))
            if path == "/worker.js":
                return ("text/javascript", "fetch('https://api.test/data');", ())
            number = 0 if path == "/" else _page_number(path)
            if number is None or not 0 <= number < pages:
                return None
            return ("text/html", PAGE.format(i=number, links=links if number == 0 else ""), ())

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _page_number(path: str) -> int | None:
    if path.startswith("/p/") and path.endswith(".html") and path[3:-5].isdigit():
        return int(path[3:-5])
    return None


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for the third-party hosts, made with the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SystemExit("bench: the browser benchmark needs the openssl CLI")
    cert, key = folder / "cert.pem", folder / "key.pem"
    names = ",".join(f"DNS:{h}.test" for h in HOSTS)
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=bench.test", "-addext", f"subjectAltName={names}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass(frozen=True)
class Served:
    url: str  # the home page
    port: int  # where the third parties answer (HTTPS)
    log: Log

    @property
    def switches(self) -> list[str]:
        return [f"--host-resolver-rules=MAP *.test 127.0.0.1:{self.port}",
                "--ignore-certificate-errors"]  # fmt: skip


@contextmanager
def serve(pages: int, work: Path) -> Iterator[Served]:
    """The site and its third parties on 127.0.0.1 for the length of the block."""
    log = Log()
    handler = _handler(pages, log)
    plain = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tls = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*make_certificate(work))
    tls.socket = context.wrap_socket(tls.socket, server_side=True)
    for server in (plain, tls):
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Served(f"http://127.0.0.1:{plain.server_address[1]}/", tls.server_address[1], log)
    finally:
        for server in (plain, tls):
            server.shutdown()
            server.server_close()
