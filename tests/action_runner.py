"""The composite action's shell steps run as GitHub's runner runs them, without GitHub.

Each ``run:`` step of ``action.yml`` is written to a file and run by ``bash --noprofile
--norc -eo pipefail`` (the runner's ``shell: bash``), in the checkout, with the variables the
runner sets (``GITHUB_ACTION_PATH``, ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY``, a fresh
file per step, ``RUNNER_TEMP``, ``RUNNER_OS``) and its ``env:`` with every ``${{ }}``
expression evaluated from the inputs (the action's defaults, then the caller's), ``github``
context and earlier steps' outputs. ``uses:`` steps are not run (they need GitHub); the
action's outputs are evaluated from ``outputs:`` as the runner would.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def load_action() -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(action, dict)
    return action


@dataclass
class StepRun:
    step: dict[str, Any]
    proc: subprocess.CompletedProcess[str]
    outputs: dict[str, str]
    summary: str

    @property
    def log(self) -> str:
        return self.proc.stdout + self.proc.stderr


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    def step(self, step_id: str) -> StepRun:
        return next(s for s in self.steps if s.step.get("id") == step_id)

    @property
    def summary(self) -> str:
        return "".join(s.summary for s in self.steps)

    @property
    def failed(self) -> StepRun | None:
        """The first step that failed (the job fails with it), or None."""
        return next((s for s in self.steps if s.proc.returncode != 0), None)


def evaluate(value: str, context: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda m: context.get(m[1], ""), value)


def run_action(
    work: Path,
    runner_temp: Path,
    inputs: dict[str, str],
    *,
    env: dict[str, str],
    only: tuple[str, ...] = ("scan", "verdict"),
    github: dict[str, str] | None = None,
    step_outputs: dict[str, dict[str, str]] | None = None,
) -> ActionRun:
    """Run the ``run:`` steps whose script names a step of ``ci/action.sh`` in ``only``, in
    order, stopping where the job would (a failed step), as the runner would run them."""
    action = load_action()
    given = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(given)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    given.update(inputs)
    context = {f"inputs.{k}": v for k, v in given.items()}
    context |= {f"github.{k}": v for k, v in (github or {"base_ref": "main"}).items()}
    for step_id, values in (step_outputs or {}).items():
        context |= {f"steps.{step_id}.outputs.{k}": v for k, v in values.items()}
    done = ActionRun()
    for index, step in enumerate(action["runs"]["steps"]):
        script = step.get("run")
        named = re.search(r'ci/action\.sh"? (\w+)', script or "")
        if script is None or named is None or named[1] not in only:
            continue
        assert "${{" not in script, "values reach a script through env only"
        output = runner_temp / f"output-{index}"
        summary = runner_temp / f"summary-{index}"
        output.write_text("", encoding="utf-8")
        summary.write_text("", encoding="utf-8")
        file = runner_temp / f"step-{index}.sh"
        file.write_text(script, encoding="utf-8")
        given_env = step.get("env", {})
        step_env = {name: evaluate(str(value), context) for name, value in given_env.items()}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(file)],
            cwd=work,
            env={
                **env,
                **step_env,
                "GITHUB_ACTION_PATH": str(ROOT),
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary),
                "RUNNER_TEMP": str(runner_temp),
                "RUNNER_OS": "Linux",
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        outputs = dict(
            line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if line
        )
        if "id" in step:
            context |= {f"steps.{step['id']}.outputs.{k}": v for k, v in outputs.items()}
        done.steps.append(StepRun(step, proc, outputs, summary.read_text(encoding="utf-8")))
        if proc.returncode != 0 and not step.get("continue-on-error"):
            break
    done.outputs = {
        name: evaluate(str(spec["value"]), context) for name, spec in action["outputs"].items()
    }
    return done


# -- a repository as actions/checkout leaves it ------------------------------------------------
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> None:
    env = {**GIT_ENV, "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def write(root: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")


def pull_request(tmp_path: Path, main: dict[str, str], change: dict[str, str]) -> Path:
    """A clone of a repository whose main holds ``main``, on a branch whose one commit
    writes ``change``: what actions/checkout leaves for a pull request (with origin/main)."""
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    write(upstream, main)
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "main")
    git(tmp_path, "clone", "-q", str(upstream), "checkout")
    work = tmp_path / "checkout"
    git(work, "checkout", "-q", "-b", "pr")
    write(work, change)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "pull request")
    return work
