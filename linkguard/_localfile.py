"""Reading one file of a folder linkguard was given (a build, template sources), which a
pull request may have written: only a regular file, only inside the folder, never more
than the byte cap, and never a read that blocks.

- A FIFO or a device named ``x.html`` blocked the scan for ever (an ``open`` for reading
  waits for a writer), with SIGTERM unanswered: it is opened with ``O_NONBLOCK``, which a
  FIFO's open honours at once, and what was opened is checked with ``fstat``, so a file
  swapped for a FIFO between a check and the open cannot block either.
- A symlink ``x.html -> /etc/passwd`` was read and judged as a page: the file's real path
  must lie inside the folder's (a symlink to another file of the folder is fine).
- At most ``max_bytes + 1`` bytes are read, in chunks: ``read(n)`` allocates ``n`` bytes
  before reading any, so a large cap cost that much memory for every small file.
- A name that is not UTF-8 (``caf\\xe9.html``, saved by an old tool in Latin-1) is shown
  with its bytes escaped (:func:`shown_name`): Python holds it as text that no UTF-8 output
  can carry, and writing the results crashed.

The real path is opened, so a symlink swapped in after the check (by a process writing to
the folder while it is scanned) is not followed past its last component (``O_NOFOLLOW``);
a folder component swapped for a symlink in that instant could still be; a scanned folder
is not normally written to while it is read.
"""

from __future__ import annotations

import functools
import os
import stat

_CHUNK = 1 << 20  # bytes a read asks for at most
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once, writer or not
    | getattr(os, "O_NOCTTY", 0)  # a terminal device never becomes ours
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


class Unreadable(Exception):
    """Why a file is not read, in words for a person (``not a regular file: a FIFO``)."""


def read_capped(path: str, root: str, max_bytes: int) -> tuple[bytes, bool]:
    """The first ``max_bytes`` bytes of the regular file at ``path`` (inside the folder
    ``root``; "" for no check) and whether it is longer. Raises :class:`Unreadable`."""
    real = os.path.realpath(path)
    if root:
        base = _real_folder(root)
        if real != base and os.path.commonpath([real, base]) != base:
            raise Unreadable("a link to a file outside the folder: not read")
    try:
        _check_regular(os.stat(real).st_mode)  # a device is not even opened
        fd = os.open(real, _FLAGS)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from exc
    try:
        _check_regular(os.fstat(fd).st_mode)  # what was opened, whatever the name is now
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from exc
    finally:
        os.close(fd)
    body = b"".join(chunks)
    return (body[:max_bytes], True) if size > max_bytes else (body, False)


@functools.lru_cache(maxsize=64)
def _real_folder(root: str) -> str:
    """The folder's real path, resolved once per process (a scan reads thousands of its
    files; os.path.realpath walks every component of a path)."""
    return os.path.realpath(root)


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a file")
        raise Unreadable(f"not a regular file: {kind}")


def shown_name(name: str) -> str:
    """A file name as results and reports show it: as it is when it is UTF-8, else with each
    byte that is not escaped as ``\\xe9`` (the file system gave Python those bytes as lone
    surrogates, which no UTF-8 output can carry)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace")
    return name
