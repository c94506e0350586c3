"""linkguard: map the boundary between a website and the third parties it sends people
and data to."""

from __future__ import annotations

from linkguard._version import __version__

__all__ = ["__version__"]
