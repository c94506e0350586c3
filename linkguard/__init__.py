"""linkguard: map the boundary between a website and the third parties it sends people
and data to."""

from __future__ import annotations

__version__ = "0.1.0"
