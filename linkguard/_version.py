"""The installed linkguard's version: pyproject.toml is its one source, read back through the
package metadata that pip writes on install."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("linkguard")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"
