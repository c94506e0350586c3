"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from linkguard.errors import ConfigError

_ATTEMPTS = 100  # names tried before giving up, as tempfile.mkstemp does


def write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its chunks, streamed) to ``path`` via a temporary file in the same
    folder and a rename.

    A crash or Ctrl-C mid-write leaves the previous file (or none), never a truncated one.
    The file gets the mode any new file would (0666 less the umask), so a report published
    on an intranet server can be read there: ``tempfile.mkstemp`` made every output 0600.
    """
    if path.is_dir():  # checked first: no temporary file is left beside a folder
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _create(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside ``path``, opened for writing, that no one else
    has: exclusive creation under an unguessable name, with mode 0666 for the kernel to
    apply the umask to."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_ATTEMPTS):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused temporary file name beside {path}")


def cannot_write(path: Path, what: str, error: OSError) -> ConfigError:
    """The error for ``what`` (``the json output``) not written to ``path``, in words."""
    reason = "it is a folder" if isinstance(error, IsADirectoryError) else error.strerror
    return ConfigError(
        f"{path}: cannot write {what}: {reason or error}",
        tip="pass --output a file path in a folder you can write to, or - for standard output",
    )
