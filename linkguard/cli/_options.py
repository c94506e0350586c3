"""Command-line options that several commands share, declared once (Typer type aliases)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

FirstPartyOption = Annotated[
    list[str] | None,
    typer.Option("--first-party", help="A domain or host the site owns; repeatable."),
]
MaxPagesOption = Annotated[int | None, typer.Option(help="Stop after this many pages.")]
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Policy file.")]
