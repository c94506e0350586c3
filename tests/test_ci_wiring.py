"""The CI wiring is valid and runs real commands: pre-commit hook, GitHub Action, GitLab job,
and the text format CI logs read."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import yaml
from typer.testing import CliRunner

from linkguard.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str) -> object:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def _parses(command: str) -> None:
    """A ``linkguard ...`` command line is accepted by the real CLI (checked with --help)."""
    words = shlex.split(command)
    assert words[0] == "linkguard"
    result = CliRunner().invoke(app, [words[1], "--help"])
    assert result.exit_code == 0, result.output
    options = set(re.findall(r"--[a-z][a-z-]+", result.output))
    for word in words[2:]:
        if word.startswith("--"):
            assert word in options, f"{word} is not an option of linkguard {words[1]}"


def test_pre_commit_hook_runs_the_template_gate(
    linkguard_cmd: list[str], sample_sites: Path
) -> None:
    hooks = _load(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list) and hooks[0]["id"] == "linkguard-templates"
    entry = hooks[0]["entry"]
    _parses(entry)
    assert re.compile(hooks[0]["files"]).search("partials/footer.html")
    site = sample_sites / "travel-templates"
    proc = subprocess.run(
        [*linkguard_cmd, *shlex.split(entry)[1:]],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "partials/footer.html:6:1: error: " in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("linkguard: FAIL: ")


def test_github_action_is_valid_and_installs_from_its_checkout() -> None:
    action = _load("action.yml")
    assert isinstance(action, dict) and action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert "pip install linkguard" not in text  # that PyPI name is another project
    assert '"${{ github.action_path }}"' in text
    declared = set(action["inputs"])
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used <= declared, used - declared
    scan_step = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    for option in re.findall(r"--[a-z][a-z-]+", scan_step["run"]):
        _parses(f"linkguard scan {option}")
    assert any("upload-sarif" in s.get("uses", "") for s in action["runs"]["steps"])
    assert any("GITHUB_STEP_SUMMARY" in s.get("run", "") for s in action["runs"]["steps"])


def test_gitlab_job_is_valid_and_uses_real_options() -> None:
    job = _load("ci/gitlab-linkguard.yml")
    assert isinstance(job, dict)
    script = " ".join(job["linkguard"]["script"])
    command = script[script.index("linkguard scan") :]
    _parses(command.replace('"origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"', "origin/main"))
    assert "pip install linkguard" not in (ROOT / "ci/gitlab-linkguard.yml").read_text()


def test_text_format_is_one_problem_matcher_line_per_finding(sample_sites: Path) -> None:
    site = sample_sites / "travel-templates"
    result = CliRunner().invoke(
        app,
        [
            "scan",
            "--templates",
            str(site),
            "--config",
            str(site / "linkguard.toml"),
            "--format",
            "text",
            "--output",
            "-",
            "--quiet",
        ],
    )
    assert result.exit_code == 1
    findings = [line for line in result.stdout.splitlines() if not line.startswith(("  ", "l"))]
    pattern = re.compile(r"^[\w./-]+:\d+:1: (error|warning|info): .+ \[[a-z-]+\]$")
    assert findings and all(pattern.match(line) for line in findings), findings
    assert "layouts/base.html:9:1: error: " in result.stdout
