"""A build folder or a pull request's templates cannot hang the scan or reach out of the
folder: a FIFO named ``x.html`` is recorded as not scanned (and never blocks), a symlink to a
file outside the folder is not read, template globs stay inside it, and no file costs more
memory than the byte cap (linkguard/_localfile.py)."""

from __future__ import annotations

import json
import os
import subprocess
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.config import CrawlConfig, Policy, SiteConfig
from linkguard.scan import ScanRequest, make_scope, run_scan

runner = CliRunner()
ORIGIN = "https://www.example.org"
TRACKER = '<script src="https://tracker.example.net/t.js"></script>'
WATCHDOG = 60  # seconds: a scan that blocks fails the test instead of the whole suite


def _pages(results: dict[str, object]) -> dict[str, str | None]:
    """Each page's error by its path (a page that could not be read has no ``file``)."""
    pages = results["pages"]
    return {p["url"].removeprefix(ORIGIN + "/"): p["error"] for p in pages}  # type: ignore[attr-defined]


def _build(root: Path) -> Path:
    root.mkdir()
    for name in ("index.html", "about.html", "contact.html"):
        (root / name).write_text("<p>fine</p>", encoding="utf-8")
    (root / "linkguard.toml").write_text(f'[site]\norigin = "{ORIGIN}"\n', encoding="utf-8")
    return root


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_named_like_a_page_is_recorded_as_not_scanned(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    build = _build(tmp_path / "build")
    os.mkfifo(build / "x.html")  # nobody ever writes to it: an open for reading waits for ever
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [*linkguard_cmd, "scan", str(build), "--output", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=WATCHDOG,
    )
    assert proc.returncode == 0, proc.stderr
    pages = _pages(json.loads(out.read_text(encoding="utf-8")))
    assert pages == {
        "": None,
        "about.html": None,
        "contact.html": None,
        "x.html": "cannot read x.html: not a regular file: a FIFO",
    }


def test_a_symlink_out_of_the_build_folder_is_not_read(tmp_path: Path) -> None:
    build = _build(tmp_path / "build")
    secret = tmp_path / "secret.html"
    secret.write_text(TRACKER, encoding="utf-8")
    (build / "x.html").symlink_to(secret)
    (build / "alias.html").symlink_to(build / "index.html")  # inside the folder: read
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["scan", str(build), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text(encoding="utf-8"))
    assert _pages(results) == {
        "": None,
        "about.html": None,
        "alias.html": None,
        "contact.html": None,
        "x.html": "cannot read x.html: a link to a file outside the folder: not read",
    }
    assert not any("tracker" in f["target"] for f in results["findings"])


def test_a_template_symlink_out_of_the_folder_is_not_read(tmp_path: Path) -> None:
    templates = _build(tmp_path / "templates")
    secret = tmp_path / "secret.html"
    secret.write_text(TRACKER, encoding="utf-8")
    (templates / "footer.html").symlink_to(secret)
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["scan", "--templates", str(templates), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text(encoding="utf-8"))
    assert _pages(results)["footer.html"] == (
        "cannot read footer.html: a link to a file outside the folder: not read"
    )
    assert not any("tracker" in f["target"] for f in results["findings"])


@pytest.mark.parametrize("glob", ["../../*.html", "partials/../../*", "..", "a/../../b/*.html"])
def test_template_globs_that_climb_out_of_the_folder_are_refused(tmp_path: Path, glob: str) -> None:
    templates = _build(tmp_path / "templates")
    config = templates / "linkguard.toml"
    config.write_text(f'[templates]\npaths = ["{glob}"]\n', encoding="utf-8")
    result = runner.invoke(app, ["scan", "--templates", str(templates), "-c", str(config)])
    assert result.exit_code == 2
    assert f"{config}: [templates.paths[0]] must stay inside the folder" in result.output
    assert "tip: " in result.output


@pytest.mark.parametrize("mode", ["folder", "templates"])
def test_a_small_file_costs_no_more_memory_than_it_holds_whatever_the_cap(
    tmp_path: Path, mode: str
) -> None:
    """The byte cap bounds what is read, not what is set aside first: with a 256 MB cap,
    reading a 1 KB page once set aside 256 MB."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<p>small</p>" * 80, encoding="utf-8")
    policy = Policy(site=SiteConfig(origin=ORIGIN), crawl=CrawlConfig(max_bytes=256 * 1024 * 1024))
    request = ScanRequest(
        str(root),
        policy,
        make_scope(str(root), policy),
        policy.crawl,
        templates=(root / "index.html",) if mode == "templates" else None,
        workers=0,
    )
    tracemalloc.start()
    try:
        result = run_scan(request)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.error for p in result.pages] == [None]
    assert peak < 64 * 1024 * 1024
