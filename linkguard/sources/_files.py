"""What the two sources that read files (a build folder, template sources) share: every file
is read, so nothing is reached by links, no limit but ``max_pages`` turns a page away, and
there is no crawl to resume (reading every file again takes seconds)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from linkguard.errors import ConfigError
from linkguard.sources import Restored


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
