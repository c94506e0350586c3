"""Count the instructions linkguard's processes spend before the first page: the imports of
the process that scans and of the analysis pool's forkserver, and a whole ``linkguard -V``.

    python bench/startup.py [--python PY ...]

At 1,000 pages these fixed costs are a fifth of a crawl's CPU, and they are all of a CI
gate's start-up. Timings of a process this short move with the machine's load; valgrind's
callgrind counts the same figure every time (``bench/instructions.py`` does the same for a
page's analysis). Each figure is the interpreter's own start-up subtracted:

- ``scan``: what the process running ``linkguard scan URL`` imports before it crawls;
- ``forkserver``: what the analysis pool's forkserver imports, once, for every worker;
- ``linkguard -V``: the command line's start-up and nothing else.

Each ``--python`` (the interpreter of a venv with linkguard installed: another checkout's,
for an A/B of two commits) is counted; with several, each is compared with the first.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.instructions import count

# What the scanning process imports: the command line, the scan command and the crawler.
SCAN = (
    "import linkguard.cli._app, linkguard.cli._scan, linkguard.scan.run, "
    "linkguard.sources.http, linkguard.scan.analysis"
)


def forkserver_imports() -> str:
    """What the forkserver imports: the pool's own list of preloaded modules (its
    ``__main__``, the ``linkguard`` command, is the command line's package)."""
    return (
        "from linkguard.scan._worker import preloaded_modules\n"
        "import importlib\n"
        "for name in preloaded_modules():\n"
        "    if name != '__main__':\n"
        "        importlib.import_module(name)\n"
        "import linkguard.cli\n"
    )


def commands(python: str) -> dict[str, list[str]]:
    """The counted commands for ``python``, by name, the bare interpreter first."""
    # -P: the working directory is not put on sys.path (a checkout's linkguard there would
    # be imported in place of the one under test), as it is not for the linkguard command.
    return {
        "python": [python, "-P", "-c", "pass"],
        "scan": [python, "-P", "-c", SCAN],
        "forkserver": [python, "-P", "-c", forkserver_imports()],
        "linkguard -V": [python, "-P", "-m", "linkguard", "-V"],
    }


def counted(python: str) -> dict[str, int]:
    """Instructions of each command, the interpreter's start-up subtracted."""
    runs = commands(python)
    with ThreadPoolExecutor(2) as pool:
        figures = dict(zip(runs, pool.map(count, runs.values()), strict=True))
    bare = figures.pop("python")
    return {name: figure - bare for name, figure in figures.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--python", action="append", default=[],
        help="an interpreter with linkguard installed (repeatable; default: this one)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("bench/startup.py counts with valgrind: apt-get install valgrind")
    first: dict[str, int] = {}
    for python in args.python or [sys.executable]:
        figures = counted(python)
        first = first or figures
        shown = ", ".join(
            f"{name} {figure / 1e6:,.0f} M ({figure / first[name]:.2f}x)"
            for name, figure in figures.items()
        )
        print(f"{python}: {shown}")


if __name__ == "__main__":
    main()
