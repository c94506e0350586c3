"""``--check-external``'s answers, kept in the history store for ``ttl_days``: a weekly run
requests only the outbound links no recent run has checked. Only lasting answers are kept
(``linkguard.sources.external.cacheable``: never a 429, a server error or a network
failure); an answer older than the time to live is asked again."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from linkguard.history._store import connected, writing

DEFAULT_TTL_DAYS = 21.0  # a weekly run asks again about a link every third week
_BATCH = 500  # URLs per query: well under SQLite's bound on parameters


class ExternalCache:
    """The store at ``path`` as a ``linkguard.sources.external.LinkCache``."""

    def __init__(
        self, path: Path, ttl_days: float = DEFAULT_TTL_DAYS, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = path
        self.ttl = ttl_days * 86400.0
        self.clock = clock

    def known(self, links: Sequence[str]) -> dict[str, str | None]:
        """The answers for ``links`` checked less than the time to live ago."""
        if self.ttl <= 0 or not links:
            return {}
        fresh_since = self.clock() - self.ttl
        found: dict[str, str | None] = {}
        with connected(self.path) as conn:
            for start in range(0, len(links), _BATCH):
                batch = links[start : start + _BATCH]
                marks = ", ".join("?" * len(batch))
                rows = conn.execute(
                    f"SELECT url, problem FROM external_links WHERE url IN ({marks})"
                    " AND checked >= ?",
                    (*batch, fresh_since),
                )
                found.update(dict(rows))
        return found

    def remember(self, answers: Mapping[str, str | None]) -> None:
        """Keep ``answers``, checked now (the caller keeps only cacheable ones)."""
        if self.ttl <= 0 or not answers:
            return
        now = self.clock()
        with connected(self.path) as conn, writing(conn):
            conn.executemany(
                "INSERT OR REPLACE INTO external_links (url, problem, checked) VALUES (?, ?, ?)",
                ((url, problem, now) for url, problem in sorted(answers.items())),
            )
