"""What a site repeats, worked out once per process.

A site's pages share inline code (the tag manager's loader, the consent snippet, the
inline styles), a base URL per folder, and the URLs of their navigation. Reading an inline
script or a ``<style>`` for the URLs it loads, splitting a base URL into the parts a
reference keeps of it, classifying a URL, finding the interstitial route a link goes
through: each is a pure function of one string, so a worker that has answered one copy
answers the next from memory (the benchmark site: 63 distinct inline scripts of 1,334).
An element's shape is remembered elsewhere (``extract/_shapes.py``), its key not being
one string.

Only the answers are kept, never anything of a page (its lines, its base URL, what its
ancestors contribute): those are applied by the readers to each element they find. Memory
is bounded by characters, not entries: a key longer than ``MAX_KEY`` characters is read and
not kept (a page cannot fill the memory with one huge script), and once a memo has kept
``budget`` characters of keys it starts again from empty (a generation), so a site of
millions of distinct scripts costs at most one generation of memory.

A memo is read as a mapping, ``memo[key]``: a key it knows is answered by the dict's own
look-up, in C, and only a new one runs Python (``__missing__``). A look-up that called a
Python method cost a frame for each of a page's ~200 answers from memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K", bound=str)
V = TypeVar("V")

MAX_KEY = 200_000  # characters; a longer key (a very large inline script) is never kept


class Memo(dict[K, V]):
    """``compute(key)`` remembered, within a budget of ``budget`` key characters: the
    answer for ``key`` is ``memo[key]``."""

    __slots__ = ("_budget", "_compute", "_kept")

    def __init__(self, compute: Callable[[K], V], budget: int) -> None:
        super().__init__()
        self._compute = compute
        self._budget = budget
        self._kept = 0  # characters of the keys kept in this generation

    def __missing__(self, key: K) -> V:
        value = self._compute(key)
        size = len(key)
        if size <= MAX_KEY:
            if self._kept + size > self._budget:
                self.clear()
                self._kept = 0
            self[key] = value
            self._kept += size
        return value
