"""A TCP server on 127.0.0.1 that answers byte for byte what a test writes: for the HTTP
faults no real server makes on purpose (a dropped request, a reset mid-body, a malformed
head)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


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
