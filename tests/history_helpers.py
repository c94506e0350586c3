"""What the history tests share: a sample site copied to a folder the test may edit, and
the real CLI run over it with ``--history``."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from linkguard.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def copy_site(tmp_path: Path, name: str = "leaky-shop") -> Path:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "sample_sites" / name, site)
    return site


def scan(site: Path, store: Path, out: Path, *extra: str) -> dict[str, Any]:
    """``linkguard scan SITE --history STORE`` through the real CLI; the results JSON."""
    result = runner.invoke(
        app,
        ["scan", str(site), "--history", str(store), "-f", "json", "-o", str(out), *extra],
    )
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def backdate(store: Path, run: int, started: str) -> None:
    """Make run ``run`` look as if it had run at ``started`` (a week's runs in one test):
    its time, and the first-seen time of the findings it saw first."""
    with sqlite3.connect(store) as conn:
        (old,) = conn.execute("SELECT started FROM runs WHERE id = ?", (run,)).fetchone()
        conn.execute("UPDATE runs SET started = ? WHERE id = ?", (started, run))
        conn.execute("UPDATE findings SET first_seen = ? WHERE first_seen = ?", (started, old))
    conn.close()
