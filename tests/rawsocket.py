"""A TCP server on 127.0.0.1 that answers byte for byte what a test writes: for the HTTP
faults no real server makes on purpose (a dropped request, a reset mid-body, a malformed
head). ``scripted_server`` answers each request of a kept-alive connection by its path and
records the request heads it read."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@contextmanager
def raw_server(answer: Callable[[socket.socket], None]) -> Iterator[int]:
    """Hands each accepted connection to ``answer`` on a thread of its own; yields the
    port. Closing the listener at the end stops the accepting."""
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # the listener was closed: the test is over
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


# The request's path -> the bytes to answer with, or a list of pieces sent 50 ms apart.
Script = Callable[[bytes], bytes | list[bytes]]


@dataclass
class RawServer:
    url: str
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)


@contextmanager
def scripted_server(script: Script, *, close: bool = False) -> Iterator[RawServer]:
    """A server that answers each request on a connection with ``script(path)`` and keeps
    the connection open for the next (or closes it after one answer, with ``close``)."""
    lock = threading.Lock()

    def answer(conn: socket.socket) -> None:
        with lock:
            server.connections += 1
        with conn:
            buffered = b""
            while True:
                while b"\r\n\r\n" not in buffered:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffered += data
                head, buffered = buffered.split(b"\r\n\r\n", 1)
                with lock:
                    server.requests.append(head)
                reply = script(head.split(b" ", 2)[1])
                try:
                    for piece in reply if isinstance(reply, list) else [reply]:
                        conn.sendall(piece)
                        if isinstance(reply, list):
                            time.sleep(0.05)
                except OSError:
                    return
                if close:
                    return

    with raw_server(answer) as port:
        server = RawServer(f"http://127.0.0.1:{port}")
        yield server


def http_answer(body: bytes, *headers: bytes, status: bytes = b"200 OK") -> bytes:
    """An HTTP/1.1 answer: status line, each header line, a blank line, the body."""
    head = b"HTTP/1.1 " + status + b"\r\n" + b"".join(h + b"\r\n" for h in headers)
    return head + b"\r\n" + body
