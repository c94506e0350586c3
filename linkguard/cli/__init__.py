"""The command line: Typer commands that parse options, call the core, pick reporters and
map outcomes to exit codes. Nothing below ``linkguard.cli`` is imported by the core.

One module per command group (``_scan``, ``_inspect``, ``_gate``, ``_demo``), what they share
in ``_common``, ``_options`` and ``_outputs``; ``_app`` assembles the Typer app.

Importing this package loads none of them: the ``linkguard`` script imports ``main`` from
here, and so does every analysis worker (on Python before 3.13 each re-runs the main script
it was started from), which must not pay half a second for a CLI it never runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkguard.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Run the CLI as the ``linkguard`` script and ``python -m linkguard`` do."""
    from linkguard.cli._app import main as run

    run()


def __getattr__(name: str) -> object:
    if name == "app":
        from linkguard.cli._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
