"""Count the instructions linkguard's page analysis takes per page: a figure of CPU work that
does not move with the machine's load, where timings here move by 10-25% from run to run.

    python bench/instructions.py [--pages 300] [--python PY ...] [--preamble FILE]

valgrind's callgrind counts every instruction a process runs. The child process analyses
pages of the generated 2,000-page site as a scan's worker does (``analyze_page`` with the
site's policy): ``pages`` pages to warm what a long scan has warm (the memos of element
shapes, URLs and classifications), then ``pages`` other pages. The same child run without
those other pages is counted too and subtracted: start-up and warm-up fall out, and what is
left, divided by ``pages``, is the work of one page. A change of 1% is a real change.

Each ``--python`` (the interpreter of a venv with linkguard installed: another checkout's,
for an A/B of two commits) is counted; with several, each is compared with the first.
The two counts of an interpreter run side by side, about two minutes on two cores.

``--preamble FILE`` runs a Python file in the child before anything else: one that replaces
a stage with a stub (``_tree.survey = ...``) counts what is left without it, which is how a
page's cost is split among its stages. Such a count is a measurement, not a scan: the stub
changes what the later stages see.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import ensure_site

SITE_PAGES = 2_000  # the site read: bench/run.py's 2,000-page site, generated if need be

# The child: analyse the warm-up pages, then (when told to) the measured ones; print how many
# pages it analysed. It imports the linkguard of the interpreter that runs it.
CHILD = """
import sys
from pathlib import Path
from linkguard.config import load_policy
from linkguard.model import FetchedPage
from linkguard.scan import make_scope
from linkguard.scan.analysis import analyze_page

site, pages, measured = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
policy = load_policy(site / "linkguard.toml")
origin = (policy.site.origin or "").rstrip("/") + "/"
scope = make_scope(origin, policy)
files = sorted(site.rglob("*.html"))[: 2 * pages]
if len(files) < 2 * pages:
    sys.exit(f"{site} has {len(files)} pages; {2 * pages} are needed")

def page(path):
    url = origin + path.relative_to(site).as_posix()
    return FetchedPage(url=url, final_url=url, status=200, depth=1, body=path.read_bytes())

read = [page(path) for path in files]  # both runs read every file: only analysis differs
analysed = read[pages:] + (read[:pages] if measured else [])
for result in analysed:
    analyze_page(result, policy, scope)
print(len(analysed))
"""

_COLLECTED = re.compile(r"==\d+== Collected : (\d+)")


def collected(report: str) -> int:
    """The instruction count in callgrind's report (its stderr)."""
    found = _COLLECTED.search(report)
    if found is None:
        raise RuntimeError(f"callgrind reported no count:\n{report[-2000:]}")
    return int(found.group(1))


def child_command(
    python: str, site: Path, pages: int, measured: bool, preamble: str = ""
) -> list[str]:
    """The child's command line, without valgrind (``preamble``: Python run first)."""
    return [python, "-c", preamble + "\n" + CHILD, str(site), str(pages), "1" if measured else "0"]


def count(command: list[str]) -> int:
    """Instructions ``command`` runs, counted by callgrind (its profile is not kept)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed under valgrind:\n{done.stderr[-2000:]}")
    return collected(done.stderr)


def per_page(python: str, site: Path, pages: int, preamble: str = "") -> float:
    """Instructions of one page's analysis under ``python``: both counts at once."""
    commands = [child_command(python, site, pages, m, preamble) for m in (False, True)]
    with ThreadPoolExecutor(2) as pool:
        warm, both = pool.map(count, commands)
    return (both - warm) / pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages measured (and warmed)")
    parser.add_argument(
        "--python", action="append", default=[],
        help="an interpreter with linkguard installed (repeatable; default: this one)",
    )  # fmt: skip
    parser.add_argument("--preamble", type=Path, help="Python run in the child first")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("bench/instructions.py counts with valgrind: apt-get install valgrind")
    if not 1 <= args.pages <= SITE_PAGES // 2:
        sys.exit(f"--pages: between 1 and {SITE_PAGES // 2}")
    preamble = args.preamble.read_text() if args.preamble else ""
    site, _ = ensure_site(SITE_PAGES, 1)
    stub = f" with {args.preamble}" if args.preamble else ""
    figures: list[float] = []
    for python in args.python or [sys.executable]:
        figures.append(per_page(python, site, args.pages, preamble))
        ratio = figures[-1] / figures[0]
        print(f"{python}{stub}: {figures[-1] / 1e6:.2f} M instructions per page ({ratio:.3f}x)")


if __name__ == "__main__":
    main()
