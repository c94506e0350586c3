"""Crawling from behind a proxy (linkguard/sources/proxy.py): requests go through a real
HTTP forward proxy on 127.0.0.1 with ``--proxy`` and with ``HTTP_PROXY``/``HTTPS_PROXY``,
``NO_PROXY`` and loopback go direct, HTTPS goes through a CONNECT tunnel, and
``--system-certs`` trusts the operating system's certificate store.

The site is named ``www.example.test``: the proxy serves the local site for every host, and
the resolver is replaced, so a request that reaches the proxy never looks the name up and a
request that goes direct is sent to 127.0.0.1 by the test's resolver (nothing leaves the
machine either way).
"""

from __future__ import annotations

import json
import select
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.errors import ConfigError
from linkguard.sources.proxy import proxy_routes

HOST = "www.example.test"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
runner = CliRunner()


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy: absolute-form GET and HEAD relayed to the local site, whatever the
    host, and CONNECT tunnelled to it; every request recorded as (method, target)."""

    def _record(self) -> _ProxyServer:
        server = self.server
        assert isinstance(server, _ProxyServer)
        with server.lock:
            server.seen.append((self.command, self.path))
        return server

    def _origin(self, server: _ProxyServer) -> socket.socket:
        # a numeric address: no lookup that the test's resolver would see
        upstream = socket.socket()
        upstream.connect(("127.0.0.1", server.plain if self.command != "CONNECT" else server.tls))
        return upstream

    def do_GET(self) -> None:
        server = self._record()
        target = urlsplit(self.path)
        assert target.scheme == "http" and target.hostname, self.path  # absolute form
        path = target.path + (f"?{target.query}" if target.query else "")
        with closing(self._origin(server)) as upstream:
            upstream.sendall(
                f"{self.command} {path or '/'} HTTP/1.0\r\nHost: {target.netloc}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            while chunk := upstream.recv(65536):
                self.wfile.write(chunk)
        self.close_connection = True

    do_HEAD = do_GET

    def do_CONNECT(self) -> None:
        server = self._record()
        with closing(self._origin(server)) as upstream:
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            ends = [self.connection, upstream]
            while True:
                readable, _, _ = select.select(ends, [], [], 5)
                if not readable:
                    break
                for end in readable:
                    data = end.recv(65536)
                    if not data:
                        self.close_connection = True
                        return
                    (upstream if end is self.connection else self.connection).sendall(data)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, plain: int, *, tls: int) -> None:
        super().__init__(("127.0.0.1", 0), _Proxy)
        self.plain, self.tls = plain, tls  # the local site's ports: plain, and TLS (CONNECT)
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(
        '<a href="/about.html">About</a>'
        '<a class="ext" href="http://partner.example.test/offer.html">Partner</a>'
    )
    (root / "about.html").write_text("<title>About</title>")
    (root / "offer.html").write_text("<title>The partner's offer, as the proxy serves it</title>")
    return root


@pytest.fixture
def plain_site(site: Path) -> Iterator[ThreadingHTTPServer]:
    yield from _serve(ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site))))


@pytest.fixture
def tls_site(site: Path, certificate: tuple[Path, Path]) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from _serve(server)


@pytest.fixture
def proxy(plain_site: ThreadingHTTPServer) -> Iterator[_ProxyServer]:
    server = _ProxyServer(plain_site.server_address[1], tls=0)  # tunnels: the test says where
    for served in _serve(server):
        assert isinstance(served, _ProxyServer)
        yield served


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch, watched_resolver: None) -> list[str]:
    """Names the crawler asks the resolver for: ``www.example.test`` is this machine's
    127.0.0.1, every other name is unknown. The environment's proxy settings are cleared."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def resolver(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(str(host))
        if host != HOST:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: not looked up in tests")
        return real_getaddrinfo("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return looked_up


def _scan(target: str, tmp_path: Path, *options: str) -> tuple[int, str, dict[str, Any]]:
    tmp_path.mkdir(exist_ok=True)
    out = tmp_path / "results.json"
    config = tmp_path / "linkguard.toml"
    config.write_text("[crawl]\nsitemaps = false\nrespect_robots = false\n")
    args = ["scan", target, "--config", str(config), "-o", str(out), "-q", *options]
    result = runner.invoke(app, [*args, "--fail-on", "never"])
    data = json.loads(out.read_text()) if out.exists() else {}
    return result.exit_code, result.output, data


def _pages(data: dict[str, Any]) -> dict[str, int | None]:
    return {p["url"]: p["status"] for p in data["pages"]}


def test_the_proxy_option_sends_every_request_through_the_proxy(
    proxy: _ProxyServer, plain_site: ThreadingHTTPServer, lookups: list[str], tmp_path: Path
) -> None:
    base = f"http://{HOST}:{plain_site.server_address[1]}"
    code, output, data = _scan(f"{base}/", tmp_path, "--proxy", proxy.url, "--check-external")
    assert code == 0, output
    assert _pages(data) == {f"{base}/": 200, f"{base}/about.html": 200}
    assert sorted(proxy.seen) == [
        ("GET", f"{base}/"),
        ("GET", f"{base}/about.html"),
        ("HEAD", "http://partner.example.test/offer.html"),  # --check-external too
    ]
    assert lookups == []  # the proxy resolves names, not the crawler
    assert not any(f["rule"] == "broken-outbound-link" for f in data["findings"])


def test_http_proxy_from_the_environment_is_honoured(
    proxy: _ProxyServer,
    plain_site: ThreadingHTTPServer,
    lookups: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    base = f"http://{HOST}:{plain_site.server_address[1]}"
    code, output, data = _scan(f"{base}/", tmp_path)
    assert code == 0, output
    assert _pages(data) == {f"{base}/": 200, f"{base}/about.html": 200}
    assert sorted(proxy.seen) == [("GET", f"{base}/"), ("GET", f"{base}/about.html")]
    assert lookups == []


def test_no_proxy_and_loopback_go_straight_to_the_site(
    proxy: _ProxyServer,
    plain_site: ThreadingHTTPServer,
    lookups: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = plain_site.server_address[1]
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "intranet.example, example.test")
    code, output, data = _scan(f"http://{HOST}:{port}/", tmp_path / "a")
    assert code == 0, output
    assert set(_pages(data).values()) == {200}
    assert set(lookups) == {HOST}  # direct: the crawler looked the site up itself
    monkeypatch.delenv("NO_PROXY")
    code, output, data = _scan(f"http://127.0.0.1:{port}/", tmp_path / "b", "--proxy", proxy.url)
    assert code == 0, output
    assert set(_pages(data).values()) == {200}  # a proxy cannot reach this machine's loopback
    assert proxy.seen == []


@pytest.mark.slow
def test_https_goes_through_a_connect_tunnel_trusting_the_system_store(
    proxy: _ProxyServer,
    tls_site: ThreadingHTTPServer,
    lookups: list[str],
    certificate: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test's certificate stands in for a company root certificate: OpenSSL's default
    verify paths (the system store truststore reads on Linux) take it from SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    proxy.tls = tls_site.server_address[1]
    base = f"https://{HOST}:{tls_site.server_address[1]}"
    code, output, data = _scan(f"{base}/", tmp_path / "proxied", "--system-certs")
    assert code == 0, output
    assert _pages(data) == {f"{base}/": 200, f"{base}/about.html": 200}
    assert proxy.seen and set(proxy.seen) == {("CONNECT", f"{HOST}:{tls_site.server_address[1]}")}
    assert lookups == []
    # and straight to the site, on the crawl's own sockets and pool
    direct = f"https://127.0.0.1:{tls_site.server_address[1]}/"
    code, output, data = _scan(direct, tmp_path / "direct", "--system-certs")
    assert code == 0, output
    assert set(_pages(data).values()) == {200} and len(data["pages"]) == 2


def test_a_proxy_that_cannot_work_is_a_clear_error(
    lookups: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output, _ = _scan(f"http://{HOST}/", tmp_path, "--proxy", "socks5://127.0.0.1:1080")
    assert code == 2
    assert "--proxy 'socks5://127.0.0.1:1080' is not an HTTP proxy URL" in output
    assert "Traceback" not in output
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    code, output, _ = _scan(f"http://{HOST}/", tmp_path)
    assert code == 2 and "HTTPS_PROXY 'socks5://127.0.0.1:1080' is not an HTTP" in output
    assert lookups == []


def test_which_requests_go_through_which_proxy() -> None:
    system = {"http": "proxy.corp:3128", "all": "http://all.corp:8080", "no": ".intra, ::1"}
    assert proxy_routes(None, system) == {
        "http://": "http://proxy.corp:3128",  # a bare host:port is an HTTP proxy
        "all://": "http://all.corp:8080",  # https, with no HTTPS_PROXY of its own
        "all://localhost": None,
        "all://127.0.0.1": None,
        "all://[::1]": None,
        "all://*.intra": None,
    }
    given = proxy_routes("http://u:p@gate.corp:3128", {"https": "http://x:1", "no": "a.com"})
    assert given["all://"] == "http://u:p@gate.corp:3128"  # --proxy wins over the variables
    assert "https://" not in given and given["all://*a.com"] is None
    assert proxy_routes(None, {"http": "http://p:1", "no": "a.com,*"}) == {}  # NO_PROXY=*
    assert proxy_routes(None, {"no": "a.com"}) == {}
    with pytest.raises(ConfigError, match="ALL_PROXY"):
        proxy_routes(None, {"all": "socks5h://p:1080"})
