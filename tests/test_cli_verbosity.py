"""-q, -v and -vv mean the same on every command that takes them: -q prints errors only,
-v adds a line per page, -vv also where each crawl setting came from. Run as a user runs
them (the installed script, stderr a pipe), on the leaky-shop sample's folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SHOP = "https://shop.leaky-shop.com"


def _commands(site: Path, tmp: Path) -> dict[str, list[str]]:
    results = tmp / "results.json"
    return {
        "scan": ["scan", str(site), "-o", str(results), "--fail-on", "never"],
        "links": ["links", str(site)],
        "init": ["init", str(site), "--origin", SHOP, "-o", str(tmp / "draft.toml"), "--force"],
        "demo": ["demo", "--out", str(tmp / "demo")],
        "report": ["report", str(results), "-o", str(tmp / "report.html")],
    }


def _run(linkguard_cmd: list[str], args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [*linkguard_cmd, *args], capture_output=True, text=True, timeout=180, cwd=cwd
    )
    assert run.returncode == 0, run.stderr
    return run


@pytest.mark.slow
@pytest.mark.parametrize("command", ["scan", "links", "init", "demo", "report"])
def test_quiet_prints_nothing_on_stderr_and_the_default_does(
    linkguard_cmd: list[str], sample_sites: Path, tmp_path: Path, command: str
) -> None:
    commands = _commands(sample_sites / "leaky-shop", tmp_path)
    _run(linkguard_cmd, commands["scan"], tmp_path)  # the results report re-renders
    bare = tmp_path / "bare"  # a folder with no origin: links warns about it
    bare.mkdir()
    (bare / "index.html").write_text('<a href="https://x.example/">x</a>', encoding="utf-8")
    commands["links"] = ["links", str(bare)]
    said = _run(linkguard_cmd, commands[command], tmp_path)
    quiet = _run(linkguard_cmd, [*commands[command], "-q"], tmp_path)
    assert said.stderr.strip(), command  # something to silence: a warning, a file written
    assert quiet.stderr == "", quiet.stderr
    assert quiet.stdout == said.stdout  # what a command prints on stdout is its product


@pytest.mark.slow
@pytest.mark.parametrize("command", ["scan", "links", "init", "demo"])
def test_verbose_adds_a_line_per_page_and_very_verbose_the_settings(
    linkguard_cmd: list[str], sample_sites: Path, tmp_path: Path, command: str
) -> None:
    args = _commands(sample_sites / "leaky-shop", tmp_path)[command]
    plain = _run(linkguard_cmd, args, tmp_path).stderr
    verbose = _run(linkguard_cmd, [*args, "-v"], tmp_path).stderr
    debug = _run(linkguard_cmd, [*args, "-vv"], tmp_path).stderr
    page = f"crawl: {SHOP}/checkout/"
    assert page not in plain and page in verbose and page in debug, verbose
    if command != "demo":  # the demo's settings are its sample's own
        assert "crawl.max_pages = 5000 (default)" in debug and "crawl.max_pages" not in verbose


def test_quiet_and_verbose_together_are_a_usage_error(linkguard_cmd: list[str]) -> None:
    run = subprocess.run(
        [*linkguard_cmd, "scan", ".", "-q", "-v"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert run.stderr.startswith("linkguard: error: --quiet and --verbose ask for opposite")
