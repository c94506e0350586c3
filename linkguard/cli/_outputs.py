"""Where the commands put what they make: reports in files or on stdout, the progress
and the summary on stderr (reporters only return text; the CLI decides where it goes)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import typer

from linkguard.cli._files import cannot_write, write_atomic
from linkguard.cli._progress import ProgressDisplay
from linkguard.cli._voice import Voice
from linkguard.errors import ConfigError
from linkguard.model import ScanResult
from linkguard.reporters import Format, render
from linkguard.results import iter_json
from linkguard.scan import ScanRequest, run_scan


def write_outputs(
    result: ScanResult, formats: list[Format], outputs: list[str], *, quiet: bool = False
) -> None:
    """Write the result in each format to the ``--output`` in the same position, or to the
    format's default file when there is none; ``-`` is stdout. Each file written is named
    on stderr unless ``quiet``. An output that cannot be written (a folder, no permission)
    does not stop the others: each is tried, then the first failure is raised (exit 2)."""
    failures: list[ConfigError] = []
    for index, fmt in enumerate(formats):
        destination = outputs[index] if index < len(outputs) else fmt.default_output
        # JSON is streamed: a 100,000-finding results file is never one string in memory
        text: str | Iterator[str] = iter_json(result) if fmt is Format.JSON else render(result, fmt)
        if destination == "-":
            sys.stdout.writelines(text)
            continue
        try:
            write_atomic(Path(destination), text)
        except OSError as exc:
            failures.append(cannot_write(Path(destination), f"the {fmt.value} output", exc))
            continue
        if not quiet:
            typer.echo(f"wrote {fmt.value} to {destination}", err=True)
    for failure in failures[1:]:
        typer.echo(f"linkguard: error: {failure.message}", err=True)
    if failures:
        raise failures[0]


def wants_color(stream_is_tty: bool, environ: Mapping[str, str]) -> bool:
    """Colour by the common conventions: ``NO_COLOR`` (set, not empty) turns it off,
    ``FORCE_COLOR`` (set, not empty or ``0``) on, as CI logs that render ANSI want;
    otherwise on a terminal that is not ``TERM=dumb``."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return stream_is_tty and environ.get("TERM") != "dumb"


def console_summary(result: ScanResult, quiet: bool) -> None:
    """Print the summary on stderr unless ``quiet``, coloured as :func:`wants_color` says."""
    if quiet:
        return
    from linkguard.reporters.console import render_summary

    color = wants_color(sys.stderr.isatty(), os.environ)
    typer.echo(
        render_summary(result, color=color), err=True, color=color
    )  # click strips ANSI off a tty


def run_with_progress(request: ScanRequest, voice: Voice) -> ScanResult:
    """Run the scan with its progress on stderr as ``voice`` asks (``_progress``): a bar on a
    terminal, plain lines in a log, nothing with ``-q``; a line per page with ``-v``."""
    with ProgressDisplay(voice) as display:
        return run_scan(request, progress=display.update)
