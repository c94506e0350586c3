"""A small threaded web server for a folder of HTML on 127.0.0.1: the demo and the tests'
real crawl target. Not for production use.

With ``hosts``, it also plays third parties: a request whose ``Host`` is a folder under
``hosts`` (``_hosts/tags.demo.test/``) is answered from that folder, so a browser pointed at
it with ``--host-resolver-rules`` loads the site's third parties from here too.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _QuietHandler(SimpleHTTPRequestHandler):
    hosts: Path | None = None  # a folder per third-party host name

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def translate_path(self, path: str) -> str:
        host = (self.headers.get("Host") or "").rpartition(":")[0] or self.headers.get("Host")
        if self.hosts is None or not host or not (self.hosts / host).is_dir():
            return super().translate_path(path)
        served, self.directory = self.directory, str(self.hosts / host)
        try:  # the standard library's path cleaning, from the host's folder
            return super().translate_path(path)
        finally:
            self.directory = served

    def do_POST(self) -> None:
        """A beacon or form post to a played third party: received, nothing to answer."""
        self.send_response(204 if self.hosts is not None else 501)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def serve_folder(
    root: Path, host: str = "127.0.0.1", *, hosts: Path | None = None
) -> Iterator[str]:
    """Serve ``root`` on an ephemeral port of ``host``; yields the base URL (``http://h:p/``).
    With ``hosts``, requests for a host name that is a folder there are served from it."""
    played = type("_Played", (_QuietHandler,), {"hosts": hosts}) if hosts else _QuietHandler
    handler = functools.partial(played, directory=str(root))
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="linkguard-serve", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
