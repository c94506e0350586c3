"""Command-line options that several commands share, declared once (Typer type aliases)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkguard.reporters import Format

FirstPartyOption = Annotated[
    list[str] | None,
    typer.Option("--first-party", help="A domain or host the site owns; repeatable."),
]
MaxPagesOption = Annotated[int | None, typer.Option(help="Stop after this many pages.")]
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Policy file.")]
# --format and --output pair up by position: the second --output goes with the second --format.
FormatsOption = Annotated[
    list[Format] | None,
    typer.Option(
        "--format", "-f", help="Output format; repeatable, paired in order with --output."
    ),
]
OutputsOption = Annotated[
    list[str] | None,
    typer.Option("--output", "-o", help="Where to write the matching --format ('-' for stdout)."),
]
