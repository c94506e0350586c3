"""The CI wiring is valid and runs real commands: pre-commit hook, GitHub Action (its scan
step run by bash in a real pull-request checkout), GitLab job, and the text format CI logs
read."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from github_runner import workflow_commands
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
    linkguard_args = re.findall(r"args\+?=\((.*?)\)", scan_step["run"], re.DOTALL)
    for option in re.findall(r"--[a-z][a-z-]+", " ".join(linkguard_args)):
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


# -- the Action's scan step, run as the runner runs it ------------------------------------
POLICY = '[site]\norigin = "https://www.example.com"\n'
WAIVER = (
    '\n[[waiver]]\nrule = "exit-notice-missing"\nhost = "partner.example"\n'
    'reason = "approved by the author"\n'
)
PARTNER = '<footer><a href="https://partner.example/">Partner</a></footer>\n'
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(cwd: Path, *args: str) -> None:
    env = {**_GIT_ENV, "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")


def _pull_request(tmp_path: Path, main: dict[str, str], change: dict[str, str]) -> Path:
    """A clone of a repository whose main holds ``main``, on a branch whose one commit
    writes ``change``: what actions/checkout leaves for a pull request (with origin/main)."""
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    _write(upstream, main)
    _git(upstream, "init", "-q", "-b", "main")
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "-q", "-m", "main")
    _git(tmp_path, "clone", "-q", str(upstream), "checkout")
    work = tmp_path / "checkout"
    _git(work, "checkout", "-q", "-b", "pr")
    _write(work, change)
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "pull request")
    return work


def _run_scan_step(
    work: Path, linkguard_cmd: list[str], **inputs: str
) -> tuple[int | None, subprocess.CompletedProcess[str]]:
    """The Action's scan step run by bash as the runner runs it (``bash --noprofile --norc
    -eo pipefail``), its env built from ``inputs`` and the action's defaults; the exit code
    it records in $GITHUB_OUTPUT, and the process."""
    action = _load("action.yml")
    assert isinstance(action, dict)
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    assert "${{" not in step["run"], "values reach the script through env only"
    given = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    given.update({name.replace("_", "-"): value for name, value in inputs.items()})
    context = {"github.base_ref": "main", **{f"inputs.{k}": v for k, v in given.items()}}
    env = {
        name: re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: context[m[1]], value)
        for name, value in step["env"].items()
    }
    bin_dir = work.parent / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "linkguard"  # the installed CLI, whatever its form
    shim.write_text(f'#!/bin/sh\nexec {shlex.join(linkguard_cmd)} "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    output = work.parent / "github_output"
    output.write_text("", encoding="utf-8")
    runner_temp = work.parent / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    script = work.parent / "scan-step.sh"
    script.write_text(step["run"], encoding="utf-8")
    python_dir = Path(sys.executable).parent
    env |= {
        **_GIT_ENV,
        "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(runner_temp),
        "HOME": str(work.parent),
        "PATH": f"{bin_dir}:{python_dir}:/usr/bin:/bin",
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    codes = re.findall(r"^exit-code=(\d+)$", output.read_text(encoding="utf-8"), re.MULTILINE)
    return (int(codes[-1]) if codes else None), proc


def _results(work: Path) -> dict[str, Any]:
    data = json.loads((work / "linkguard-results.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.slow
def test_in_base_mode_a_waiver_the_pull_request_adds_is_not_honoured(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    work = _pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": "<p>home</p>\n"},
        change={"linkguard.toml": POLICY + WAIVER, "templates/footer.html": PARTNER},
    )
    code, proc = _run_scan_step(work, linkguard_cmd, templates="templates")
    assert code == 0, proc.stdout + proc.stderr  # head: the pull request waives its finding
    assert [f["rule"] for f in _results(work)["suppressed"]] == ["exit-notice-missing"]

    code, proc = _run_scan_step(work, linkguard_cmd, templates="templates", trusted_config="base")
    assert code == 1, proc.stdout + proc.stderr
    assert proc.returncode == 0  # the step records the code; the last step fails the job
    results = _results(work)
    assert [(f["rule"], f["file"]) for f in results["findings"]] == [
        ("exit-notice-missing", "footer.html")
    ]
    assert results["suppressed"] == []
    assert "footer.html:1:1: error: " in proc.stdout


@pytest.mark.slow
def test_in_base_mode_a_baseline_the_pull_request_edits_is_not_honoured(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    empty = tmp_path / "empty"
    _write(empty, {"index.html": "<p>home</p>\n"})
    out = tmp_path / "empty.json"
    CliRunner().invoke(
        app, ["scan", str(empty), "--origin", "https://www.example.com", "-o", str(out)]
    )
    baseline = out.read_text(encoding="utf-8")
    work = _pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "baseline.json": baseline, "templates/index.html": ""},
        change={"templates/footer.html": PARTNER},
    )
    code, proc = _run_scan_step(
        work, linkguard_cmd, templates="templates", baseline="baseline.json"
    )
    assert code == 1, proc.stdout + proc.stderr
    (work / "baseline.json").write_text(  # the pull request declares its finding known
        (work / "linkguard-results.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    _git(work, "commit", "-q", "-am", "baseline the new finding")
    code, proc = _run_scan_step(
        work, linkguard_cmd, templates="templates", baseline="baseline.json"
    )
    assert code == 0, proc.stdout + proc.stderr
    code, proc = _run_scan_step(
        work, linkguard_cmd, templates="templates", baseline="baseline.json", trusted_config="base"
    )
    assert code == 1, proc.stdout + proc.stderr
    assert _results(work)["summary"]["baseline"] == {"new": 1, "known": 0, "fixed": 0}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("inputs", "said"),
    [
        ({"trusted_config": "base", "config": "missing.toml"}, "missing.toml is not on the base"),
        ({"trusted_config": "tree"}, "trusted-config must be head or base, not 'tree'"),
    ],
)
def test_base_mode_that_cannot_work_stops_with_a_clear_error(
    tmp_path: Path, linkguard_cmd: list[str], inputs: dict[str, str], said: str
) -> None:
    work = _pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": ""},
        change={"templates/footer.html": PARTNER},
    )
    code, proc = _run_scan_step(work, linkguard_cmd, templates="templates", **inputs)
    assert code == 2 and proc.returncode == 2, proc.stdout + proc.stderr
    assert f"linkguard: error: {said}" in proc.stderr
    assert "  tip: " in proc.stderr


@pytest.mark.slow
def test_the_step_gives_the_runner_no_command_from_what_it_judges(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    hostile = "::error file=README.md,line=1,title=Approved::Approved.html"
    work = _pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": ""},
        change={f"templates/{hostile}": PARTNER, "templates/x ##[warning]y.html": PARTNER},
    )
    tokens = []
    for _ in range(2):
        code, proc = _run_scan_step(work, linkguard_cmd, templates="templates")
        assert code == 1, proc.stdout + proc.stderr
        log = proc.stdout + proc.stderr
        assert workflow_commands(log) == [], log
        first, *_, last = proc.stdout.splitlines()
        assert first.startswith("::stop-commands::linkguard-") and last == f"::{first[17:]}::"
        tokens.append(first)
    assert tokens[0] != tokens[1]  # a token linkguard's output cannot know in advance


@pytest.mark.slow
@pytest.mark.parametrize(("trusted", "code"), [("source", 0), ("target", 1)])
def test_the_gitlab_job_reads_the_policy_from_the_target_branch_when_told(
    tmp_path: Path, linkguard_cmd: list[str], trusted: str, code: int
) -> None:
    work = _pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": ""},
        change={"linkguard.toml": POLICY + WAIVER, "templates/footer.html": PARTNER},
    )
    job = _load("ci/gitlab-linkguard.yml")
    assert isinstance(job, dict)
    assert job["linkguard"]["variables"]["LINKGUARD_TRUSTED_CONFIG"] == "source"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "linkguard").write_text(f'#!/bin/sh\nexec {shlex.join(linkguard_cmd)} "$@"\n')
    (bin_dir / "linkguard").chmod(0o755)
    env = {
        **_GIT_ENV,
        "HOME": str(tmp_path),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_PROJECT_DIR": str(work),
        "LINKGUARD_TRUSTED_CONFIG": trusted,
    }
    proc = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", "\n".join(job["linkguard"]["script"])],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert (work / "linkguard-junit.xml").is_file()
