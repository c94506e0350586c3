"""The command line: Typer commands that parse options, call the core, pick reporters and
map outcomes to exit codes. Nothing below ``linkguard.cli`` is imported by the core.

One module per command group (``_scan``, ``_inspect``, ``_gate``, ``_demo``), what they share
in ``_common``, ``_options`` and ``_outputs``; ``_app`` assembles the Typer app.
"""

from __future__ import annotations

from linkguard.cli._app import app, main

__all__ = ["app", "main"]
