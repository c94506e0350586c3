"""The crawler's own socket layer (linkguard/sources/netio.py) against real servers on
127.0.0.1: connections are reused and never handed to two requests, a connection the server
closed is not reused, faults on a real socket (refused, reset, TLS) are recorded as before,
and TLS works end to end with a certificate the machine trusts."""

from __future__ import annotations

import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpcore
import httpx
import pytest
from rawsocket import raw_server

from linkguard.config import CrawlConfig, Policy
from linkguard.model import ScanResult
from linkguard.scan import ScanRequest, make_scope, run_scan
from linkguard.sources import netio

PAGES = 60


def _crawl(
    target: str, transport: httpx.AsyncBaseTransport | None = None, **crawl: object
) -> ScanResult:
    policy = Policy(crawl=CrawlConfig(**{"respect_robots": False, "sitemaps": False, **crawl}))
    scope = make_scope(target, policy)
    return run_scan(ScanRequest(target, policy, scope, policy.crawl, transport=transport))


class _Site(BaseHTTPRequestHandler):
    """Page n links to pages n+1 .. n+5: a small site with many links in flight at once."""

    protocol_version = "HTTP/1.1"  # keep-alive
    close_after = 0.0  # > 0: drop every idle connection this long after a response

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        with server.lock:
            server.requests += 1
        n = int(self.path.strip("/") or 0)
        links = "".join(f'<a href="/{k}">{k}</a>' for k in range(n + 1, min(n + 6, PAGES)))
        body = f"<html><body>{links}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if self.close_after:
            # A keep-alive timeout shorter than the crawler's: the server closes the idle
            # connection without having said so in the response.
            time.sleep(self.close_after)
            self.close_connection = True

    def setup(self) -> None:
        super().setup()
        server = self.server
        assert isinstance(server, _Server)
        with server.lock:
            server.connections += 1

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[_Server]:
    server = _Server(handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def site() -> Iterator[_Server]:
    yield from _serve(_Site)


@pytest.fixture
def closing_site() -> Iterator[_Server]:
    class Closing(_Site):
        close_after = 0.05

    yield from _serve(Closing)


def test_the_crawler_uses_the_asyncio_backend_and_the_fixed_pool() -> None:
    transport = netio.crawl_transport(httpx.Limits(max_connections=4)).fallback
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    pool = transport._pool
    assert isinstance(pool, httpcore.AsyncConnectionPool)
    assert isinstance(pool, netio.CrawlPool) == netio._pool_is_known(httpcore.__version__)
    assert isinstance(pool._network_backend, netio.AsyncioBackend)
    assert netio._pool_is_known("1.0.9") and not netio._pool_is_known("1.1.0")


def test_the_crawl_s_gets_take_the_fast_path_on_kept_alive_connections(site: _Server) -> None:
    """Every page is answered by the crawl's own HTTP/1.1 path (_h1.py), on at most as many
    connections as the crawl's concurrency."""
    transport = netio.crawl_transport(httpx.Limits(max_connections=8, max_keepalive_connections=8))
    result = _crawl(site.url, transport, concurrency=8)
    assert sorted(p.status for p in result.pages) == [200] * PAGES
    assert site.requests == PAGES
    assert transport.answered == PAGES
    assert site.connections <= 8  # kept alive and reused, never one per request


def test_connections_are_reused_and_each_given_to_one_request(
    site: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The standard path (what the fast path hands anything unusual to), alone: eight
    requests in flight on eight keep-alive connections, every request sent on the first
    connection it is given (httpcore 1.0's own pool hands an idle connection to every
    waiting request, and all but one go round again)."""
    if not netio._pool_is_known(httpcore.__version__):
        pytest.skip(f"CrawlPool is made for httpcore 1.0, not {httpcore.__version__}")
    attempts = 0
    original = httpcore.AsyncHTTP11Connection.handle_async_request

    async def counted(self: httpcore.AsyncHTTP11Connection, request: httpcore.Request):  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        return await original(self, request)

    monkeypatch.setattr(httpcore.AsyncHTTP11Connection, "handle_async_request", counted)
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    result = _crawl(site.url, netio.crawl_transport(limits).fallback, concurrency=8)
    assert sorted(p.status for p in result.pages) == [200] * PAGES
    assert site.requests == PAGES
    assert site.connections <= 8  # kept alive and reused, never one per request
    assert attempts == PAGES


def test_a_connection_the_server_closed_is_not_reused(closing_site: _Server) -> None:
    """Each connection is closed by the server 50 ms after its response; the next request
    comes 100 ms later and must go on a new connection, not fail on the dead one."""
    result = _crawl(closing_site.url, concurrency=2, delay=0.1, max_pages=20)
    assert [p.error for p in result.pages] == [None] * 20
    assert closing_site.requests == 20
    assert closing_site.connections >= 15  # nearly every request needed a new one


@pytest.fixture
def dropping_server() -> Iterator[tuple[str, list[str]]]:
    """Answers the first request on each connection with keep-alive, then reads the next
    request on it and closes without a byte of answer: the race a server that closes idle
    connections loses when a request is already on its way."""
    served: list[str] = []

    def answer(conn: socket.socket) -> None:
        with conn:
            request = conn.recv(65536)
            if not request:
                return
            path = request.split(b" ", 2)[1].decode()
            served.append(path)
            body = b'<html><body><a href="/next">next</a></body></html>'
            if path == "/next":
                body = b"<html><body>end</body></html>"
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            conn.recv(65536)  # the next request on this connection: dropped unanswered

    with raw_server(answer) as port:
        yield f"http://127.0.0.1:{port}/", served


def test_a_request_the_server_drops_on_a_kept_alive_connection_is_sent_again(
    dropping_server: tuple[str, list[str]],
) -> None:
    """The request for /next goes out on the connection / came back on; the server closes it
    unanswered. It is sent once more, on a new connection, and the page is scanned."""
    url, served = dropping_server
    result = _crawl(url, concurrency=1)
    assert [(p.url.rsplit("/", 1)[1], p.error) for p in result.pages] == [
        ("", None),
        ("next", None),
    ]
    assert served == ["/", "/next"]


def test_connection_refused_on_a_real_socket_is_recorded() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused
        result = _crawl(f"http://127.0.0.1:{port}/")
    error = result.pages[0].error or ""
    assert error.startswith("connection failed"), error
    assert [f.rule for f in result.findings] == ["crawl-error"]


@pytest.fixture
def resetting_server() -> Iterator[str]:
    """Promises 100,000 bytes, sends 20, then resets the connection."""

    def answer(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
            b"<html><body><p>half"
        )
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()  # RST, not FIN

    with raw_server(answer) as port:
        yield f"http://127.0.0.1:{port}/"


def test_a_reset_mid_body_on_a_real_socket_is_recorded(resetting_server: str) -> None:
    result = _crawl(resetting_server, retries=0)
    error = result.pages[0].error or ""
    assert error.startswith(("connection broken while reading", "server broke the HTTP")), error


def test_https_to_a_server_that_does_not_speak_tls_is_a_recorded_tls_error(
    site: _Server,
) -> None:
    target = site.url.replace("http://", "https://")
    result = _crawl(target)
    error = result.pages[0].error or ""
    assert error.startswith("connection failed") and "SSL" in error, error


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_site(certificate: tuple[Path, Path]) -> Iterator[_Server]:
    cert, key = certificate
    server = _Server(_Site)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_tls_end_to_end_with_a_trusted_certificate(
    tls_site: _Server, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # httpx trusts it, as users would
    target = tls_site.url.replace("http://", "https://")
    result = _crawl(target)
    assert sorted(p.status for p in result.pages) == [200] * PAGES
    assert tls_site.connections <= 8


def test_an_untrusted_certificate_is_a_recorded_tls_error(
    tls_site: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    result = _crawl(tls_site.url.replace("http://", "https://"))
    error = result.pages[0].error or ""
    assert error.startswith("connection failed") and "CERTIFICATE_VERIFY_FAILED" in error, error
