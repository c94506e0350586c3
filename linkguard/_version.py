"""The linkguard version: this file is its one source (pyproject.toml reads it at build time).

A literal, not ``importlib.metadata.version("linkguard")``: that import and lookup (the
``email`` package, a scan of every installed distribution) cost ~35 ms of CPU in every
command and in the analysis workers' forkserver. A checkout that was never installed has
the same version as an installed one.
"""

from __future__ import annotations

__version__ = "0.1.0"
