"""The CI wiring is valid and runs real commands: pre-commit hook, GitLab job, and the text
format CI logs read (the GitHub Action: tests/test_action.py)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from action_runner import GIT_ENV, pull_request
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


POLICY = '[site]\norigin = "https://www.example.com"\n'
WAIVER = (
    '\n[[waiver]]\nrule = "exit-notice-missing"\nhost = "partner.example"\n'
    'reason = "approved by the author"\n'
)
PARTNER = '<footer><a href="https://partner.example/">Partner</a></footer>\n'


@pytest.mark.slow
@pytest.mark.parametrize(("trusted", "code"), [("source", 0), ("target", 1)])
def test_the_gitlab_job_reads_the_policy_from_the_target_branch_when_told(
    tmp_path: Path, linkguard_cmd: list[str], trusted: str, code: int
) -> None:
    work = pull_request(
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
        **GIT_ENV,
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
    assert job["linkguard"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    issues = json.loads((work / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [(i["check_name"], i["location"]["path"]) for i in issues] == (
        [("exit-notice-missing", "templates/footer.html")] if code else []
    )  # waived with "source": a suppressed finding is no issue; paths from the top level


# -- the container image ------------------------------------------------------------------------
def _docker_context(dest: Path) -> None:
    """The files ``docker build .`` sends, as .dockerignore says (everything excluded, then
    the ``!`` entries put back, ``__pycache__`` left out), copied from the checkout's tracked
    files into ``dest``."""
    entries = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert entries[0] == "*"
    kept = [e[1:].rstrip("/") for e in entries if e.startswith("!")]
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for raw in filter(None, tracked):
        name = raw.decode("utf-8", "surrogateescape")
        if "__pycache__" in name or not any(name == k or name.startswith(k + "/") for k in kept):
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, dest / name)


def test_the_dockerfile_installs_this_checkout_pinned_with_debian_s_chromium() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.12-slim", text, re.MULTILINE)
    assert re.search(r"apt-get install .*\bchromium\b", text) and " git " in text
    assert "LINKGUARD_CHROMIUM=/usr/bin/chromium" in text
    assert "--constraint /tmp/linkguard-src/ci/action-requirements.txt" in text
    assert '"/tmp/linkguard-src[browser]"' in text and "pip install linkguard" not in text
    assert 'ENTRYPOINT ["linkguard"]' in text


@pytest.mark.slow
def test_the_docker_build_context_holds_everything_the_install_needs(tmp_path: Path) -> None:
    context = tmp_path / "context"
    _docker_context(context)
    wheels = tmp_path / "wheels"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--wheel-dir", str(wheels), str(context)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [wheel] = wheels.glob("linkguard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "linkguard/cli/__init__.py" in names
    assert any(n.startswith("linkguard/templates/report.html") for n in names)
    assert any(n.startswith("linkguard/data/") and n.endswith(".json") for n in names)
    assert any(n.startswith("linkguard/sample_sites/") for n in names)
