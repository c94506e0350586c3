"""linkguard: map the boundary between a website and the third parties it sends people
and data to."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkguard._version import __version__

__all__ = ["__version__"]


def __getattr__(name: str) -> object:
    # Read from the installed package's metadata when first asked for: importing
    # importlib.metadata costs each analysis worker ~35 ms it has no use for.
    if name == "__version__":
        from linkguard._version import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
