"""What a run loads: a folder or template scan (a CI gate's) never imports the HTTP stack
or lxml, no command imports pydantic or requests, and a quiet crawl neither Rich's progress
bar nor httpx's own command line (~80 ms of CPU together).

httpx (with httpcore, h11, anyio and its own command line) cost ~50 ms of CPU in every
process that imported it; only a crawl and ``--check-external`` make requests, so only
they import it. Typer 0.29 builds a pydantic adapter for every option of the command line
(~0.13 CPU-s in every run, most of it importing pydantic): pyproject.toml keeps Typer below
0.29, and these tests fail if a Typer that imports pydantic comes back. lxml (~25 ms)
parses only a crawl's sitemap.xml, and is imported when there is one: pages are parsed by
turbohtml. tldextract's code imports requests (~0.12 CPU-s with urllib3): its suffix list
is read from its file (``classify/_suffixes.py``; ``tests/test_suffixes.py`` covers a
crawl's imports). Run as users run linkguard: the real CLI in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTTP_STACK = ("httpx", "httpcore", "h11", "anyio")
# tldextract's code imports requests (and urllib3): its suffix list is read from its file.
NEVER = (*HTTP_STACK, "lxml", "pydantic", "pydantic_core", "requests", "tldextract")
# Rich draws the progress bar on a terminal only (cli/_progress.py); httpx's command line is
# never run (sources/__init__.py).
NOT_IN_A_CRAWL = ("rich.console", "rich.progress", "httpx._main", "click", "pygments")

_RUN = """
import json, sys
from linkguard.cli import main
sys.argv = ["linkguard", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code
stack = sorted(name for name in NEVER if sys.modules.get(name) is not None)
print(json.dumps({"code": code, "loaded": stack}))
"""


def _loaded_by(*args: str, never: tuple[str, ...] = NEVER) -> dict[str, object]:
    """Run the CLI with ``args``: its exit code, and which of ``never`` it loaded."""
    code = _RUN.replace("NEVER", repr(never))
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_a_folder_scan_never_imports_the_http_stack_lxml_or_pydantic(tmp_path: Path) -> None:
    site = ROOT / "sample_sites" / "leaky-shop"
    out = tmp_path / "results.json"
    answer = _loaded_by("scan", str(site), "-f", "json", "-o", str(out), "-q", "--fail-on", "never")
    assert answer == {"code": 0, "loaded": []}
    assert json.loads(out.read_text())["pages"]  # it did scan


def test_a_template_scan_never_imports_the_http_stack_lxml_or_pydantic(tmp_path: Path) -> None:
    templates = ROOT / "sample_sites" / "travel-templates"
    out = tmp_path / "results.json"
    answer = _loaded_by(
        "scan", "--templates", str(templates), "--config", str(templates / "linkguard.toml"),
        "-f", "json", "-o", str(out), "-q", "--fail-on", "never",
    )  # fmt: skip
    assert answer == {"code": 0, "loaded": []}
    assert json.loads(out.read_text())["pages"]


def test_a_quiet_crawl_loads_neither_rich_nor_httpx_command_line(
    serve: Callable[[Path], str], tmp_path: Path
) -> None:
    url = serve(ROOT / "sample_sites" / "leaky-shop")
    out = tmp_path / "results.json"
    # The shop has no sitemap.xml: lxml is loaded only to parse one (sources/robots.py).
    never = (*NOT_IN_A_CRAWL, "lxml", "requests", "tldextract", "pydantic")
    answer = _loaded_by(
        "scan", url, "-f", "json", "-o", str(out), "-q", "--fail-on", "never", never=never
    )
    assert answer == {"code": 0, "loaded": []}
    assert len(json.loads(out.read_text())["pages"]) > 1  # it did crawl


def test_the_analysis_workers_forkserver_imports_neither_asyncio_nor_the_http_stack() -> None:
    # Every worker is forked from it: what it imports, every scan's pool pays for once, and
    # the event loop, ssl and the HTTP client are the scanning process's, not the workers'.
    unwanted = ["asyncio", "ssl", *NEVER]
    probe = (
        "import importlib, json, sys\n"
        "from linkguard.scan._worker import preloaded_modules\n"
        "for name in preloaded_modules():\n"
        "    if name != '__main__':\n"
        "        importlib.import_module(name)\n"
        "importlib.import_module('linkguard.cli')\n"
        f"print(json.dumps(sorted(n for n in {unwanted!r} if n in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
