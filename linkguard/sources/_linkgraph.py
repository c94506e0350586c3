"""The link graph between a crawl's pages, so that each page's reported depth is the fewest
links from a seed over every link seen, whatever order the fetches happened to finish in."""

from __future__ import annotations

from array import array
from collections.abc import Sequence


class LinkGraph:
    """Pages as 4-byte ids and the links between them (4 bytes a link)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._links: dict[int, array[int]] = {}
        self._roots: list[tuple[int, int]] = []  # (id, depth): seeds 0, sitemap URLs 1
        self._shortest: dict[int, int] | None = None

    def link(self, parent: str | None, keys: Sequence[str], depth: int) -> None:
        """Record that ``parent`` links to each of ``keys`` (roots at ``depth`` when there
        is no parent)."""
        if isinstance(keys, str):
            raise TypeError("LinkGraph.link takes a page's links as a sequence, not one URL")
        if not keys:
            return
        self._shortest = None
        ids = self._ids
        nodes = [ids.setdefault(key, len(ids)) for key in keys]
        if parent is None:
            self._roots.extend((node, depth) for node in nodes)
            return
        source = ids.setdefault(parent, len(ids))
        links = self._links.get(source)
        if links is None:
            self._links[source] = links = array("i")
        links.extend(nodes)

    def depth_of(self, key: str) -> int | None:
        """The fewest links from a root to ``key`` (None: not reached from a root)."""
        if self._shortest is None:
            self._shortest = self._breadth_first()
        node = self._ids.get(key)
        return None if node is None else self._shortest.get(node)

    def _breadth_first(self) -> dict[int, int]:
        shortest: dict[int, int] = {}
        levels: dict[int, list[int]] = {}
        for node, depth in self._roots:
            levels.setdefault(depth, []).append(node)
        depth = 0
        while levels:
            for node in levels.pop(depth, ()):
                if node in shortest:
                    continue
                shortest[node] = depth
                following = [n for n in self._links.get(node, ()) if n not in shortest]
                if following:
                    levels.setdefault(depth + 1, []).extend(following)
            depth += 1
        return shortest
