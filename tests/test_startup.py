"""What a run loads: a folder or template scan (a CI gate's) never imports the HTTP stack.

httpx (with httpcore, h11, anyio and its own command line) cost ~50 ms of CPU in every
process that imported it; only a crawl and ``--check-external`` make requests, so only
they import it. Run as users run linkguard: the real CLI in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTTP_STACK = ("httpx", "httpcore", "h11", "anyio")

_RUN = """
import json, sys
from linkguard.cli import main
sys.argv = ["linkguard", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code
stack = sorted({m.split(".")[0] for m in sys.modules} & set(HTTP_STACK))
print(json.dumps({"code": code, "loaded": stack}))
""".replace("HTTP_STACK", repr(HTTP_STACK))


def _loaded_by(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


@pytest.mark.slow
def test_a_folder_scan_never_imports_the_http_stack(tmp_path: Path) -> None:
    site = ROOT / "sample_sites" / "leaky-shop"
    out = tmp_path / "results.json"
    answer = _loaded_by("scan", str(site), "-f", "json", "-o", str(out), "-q", "--fail-on", "never")
    assert answer == {"code": 0, "loaded": []}
    assert json.loads(out.read_text())["pages"]  # it did scan


@pytest.mark.slow
def test_a_template_scan_never_imports_the_http_stack(tmp_path: Path) -> None:
    templates = ROOT / "sample_sites" / "travel-templates"
    out = tmp_path / "results.json"
    answer = _loaded_by(
        "scan", "--templates", str(templates), "--config", str(templates / "linkguard.toml"),
        "-f", "json", "-o", str(out), "-q", "--fail-on", "never",
    )  # fmt: skip
    assert answer == {"code": 0, "loaded": []}
    assert json.loads(out.read_text())["pages"]
