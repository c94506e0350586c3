"""What the two sources that read files (a build folder, template sources) share: every file
is read, so nothing is reached by links, no limit but ``max_pages`` turns a page away, and
there is no crawl to resume (reading every file again takes seconds)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote

from linkguard.errors import ConfigError
from linkguard.sources import Restored

# Kept as they are in a URL path segment (RFC 3986 pchar, bar the unreserved characters,
# which are never encoded); everything else is percent-encoded.
_SEGMENT_SAFE = "!$&'()*+,;=:@"


def url_path(rel: str) -> str:
    """A file's path relative to the folder (``/``-separated) as the URL path a static
    server serves it at: each segment percent-encoded, so ``?``, ``#``, ``%``, ``\\``,
    spaces and non-ASCII are part of the name, not a query, a fragment, an escape or a
    separator. wget and HTTrack mirrors save ``index.html?lang=ar%2Ffeed%2F`` as a file of
    that name, which a server answers at ``index.html%3Flang=ar%252Ffeed%252F.html``."""
    return "/".join(
        quote(segment, safe=_SEGMENT_SAFE, errors="surrogateescape") for segment in rel.split("/")
    )


INDEX_FILES = ("index.html", "index.htm")


def serves(root: Path, url_path: str) -> bool:
    """Whether a static server of ``root`` answers ``url_path`` (a URL's path as written,
    percent-encoded, without query or fragment) with a file: the file of that name; for a
    folder (``dir/``, or ``dir``, which servers redirect to ``dir/``) its ``index.html`` or
    ``index.htm``; for ``x``, ``x.html`` (the clean URLs of GitHub Pages, Netlify and
    Cloudflare Pages). Nothing outside ``root`` is served."""
    return _serves(str(root), url_path)


@lru_cache(maxsize=65_536)  # a site's navigation links to the same pages from every page
def _serves(root: str, url_path: str) -> bool:
    parts = [p for p in unquote(url_path, errors="surrogateescape").split("/") if p]
    if any(p in (".", "..") or "\x00" in p for p in parts):
        return False
    target = Path(root, *parts)
    if not parts or url_path.endswith("/"):
        return any((target / name).is_file() for name in INDEX_FILES)
    if target.is_file():
        return True
    if target.is_dir():
        return any((target / name).is_file() for name in INDEX_FILES)
    return target.with_name(parts[-1] + ".html").is_file()


class FileSource:
    """The Source methods of a source that reads every file it is given."""

    def __init__(self) -> None:
        self._stopped = False
        self._remaining = 0  # files not yet handed to visit
        self._over_limit = 0  # files max_pages kept out

    def stop(self) -> None:
        self._stopped = True

    def queued(self) -> int:
        return self._remaining

    def not_crawled(self) -> dict[str, int]:
        return {"max_pages": self._over_limit} if self._over_limit else {}

    def depth_of(self, url: str) -> int | None:
        return None  # read, not reached by links

    def restore(self, done: Callable[[], Sequence[Restored]]) -> None:
        raise ConfigError(
            "--resume continues a crawl over HTTP; a folder or template scan reads every file "
            "again in seconds",
            tip="drop --resume, or scan the site's URL",
        )
