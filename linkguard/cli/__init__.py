"""The command line: Typer commands that parse options, call the core, pick reporters and
map outcomes to exit codes. Nothing below ``linkguard.cli`` is imported by the core."""

from __future__ import annotations

from linkguard.cli._app import app, main

__all__ = ["app", "main"]
