"""Misbehaving servers on 127.0.0.1 for the tests of untrusted input: each route answers
as a hostile site would (trickling bytes, flooding cookies), and every request is logged,
so a test can prove what linkguard requested and what it never did (header names are
logged in lower case)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    """Answers from the server's routes (404 for any other path), logging each request."""

    server: HostileServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def _answer(self) -> None:
        with self.server.lock:
            headers = {name.lower(): value for name, value in self.headers.items()}
            self.server.log.append((self.command, self.path, headers))
        route = self.server.routes.get(self.path.partition("?")[0])
        if route is None:
            send(self, 404, b"not here")
            return
        route(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes = routes
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _, path, _ in self.log]


@contextmanager
def hostile_server(routes: dict[str, Route]) -> Iterator[HostileServer]:
    """A server answering ``routes`` (path -> how) on an ephemeral port of 127.0.0.1."""
    server = HostileServer(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()  # trickling answers stop
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "text/html",
    headers: tuple[tuple[str, str], ...] = (),
) -> None:
    """A whole answer at once."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def page(html: str, headers: tuple[tuple[str, str], ...] = ()) -> Route:
    """A route that answers an HTML page."""
    return lambda handler: send(handler, 200, html.encode("utf-8"), headers=headers)


def trickle(content_type: str = "text/plain") -> Route:
    """A route that sends its headers, then one byte every 0.3 s, for as long as the server
    runs: a read timeout never fires, only a total deadline ends it."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        server = handler.server
        assert isinstance(server, HostileServer)
        try:
            while not server.stopping.is_set():
                handler.wfile.write(b"#")
                handler.wfile.flush()
                time.sleep(0.3)
        except OSError:
            pass  # the client gave up: that is what the test wants
        handler.close_connection = True

    return answer
