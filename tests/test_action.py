"""The GitHub Action: ``action.yml``'s inputs and outputs, and its shell steps run by bash on a
real pull-request checkout as the runner runs them (tests/action_runner.py), checked by what
the runner would read: workflow commands (tests/github_runner.py), the job summary, the
step outputs and the job's outcome."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from action_runner import (
    GIT_ENV,
    ROOT,
    ActionRun,
    git,
    load_action,
    pull_request,
    run_action,
    write,
)
from github_runner import parse_command, workflow_commands
from typer.testing import CliRunner

from linkguard.cli import app

POLICY = '[site]\norigin = "https://www.example.com"\n'
WAIVER = (
    '\n[[waiver]]\nrule = "exit-notice-missing"\nhost = "partner.example"\n'
    'reason = "approved by the author"\n'
)
PARTNER = '<footer><a href="https://partner.example/">Partner</a></footer>\n'
FOOTER = (
    "<footer>\n"
    '  <a href="https://partner.example/">Partner</a>\n'
    '  <script src="https://cdn.tracker.example/t.js"></script>\n'
    '  <a href="https://partner.example/news" target="_blank">News</a>\n'
    "</footer>\n"
)
SCRIPT = (ROOT / "ci" / "action.sh").read_text(encoding="utf-8")


# -- action.yml itself -------------------------------------------------------------------------
def test_every_input_is_used_and_every_output_is_written() -> None:
    action = load_action()
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used == declared, used ^ declared
    # every LG_ variable a step sets is read by the script, and every one it reads is set
    set_in_env = {name for step in action["runs"]["steps"] for name in step.get("env", {})}
    read = set(re.findall(r"\$\{?(LG_[A-Z_]+)", SCRIPT))
    assert read == set_in_env, read ^ set_in_env
    ids = {step["id"]: step for step in action["runs"]["steps"] if "id" in step}
    written = set(re.findall(r'echo "([a-z-]+)=', SCRIPT)) | set(
        re.findall(r'print\(f"([a-z-]+)=', SCRIPT)
    )
    for name, spec in action["outputs"].items():
        assert spec["description"]
        [(step, output)] = re.findall(
            r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", spec["value"]
        )
        assert step in ids and output in written, (name, spec["value"])
    for expression in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", text):
        step, output = expression
        assert step in ids, expression
        assert output in written or step == "python", expression  # setup-python's own outputs
    for spec in action["inputs"].values():
        assert spec["description"] and "default" in spec


def test_the_action_installs_pinned_from_its_own_checkout() -> None:
    action = load_action()
    text = (ROOT / "action.yml").read_text(encoding="utf-8") + SCRIPT
    assert "pip install linkguard" not in text  # that PyPI name is another project
    assert '--constraint "$requirements" "$GITHUB_ACTION_PATH"' in SCRIPT
    steps = {step.get("uses", "").split("@")[0]: step for step in action["runs"]["steps"]}
    python = steps["actions/setup-python"]["with"]
    assert python["python-version"] == "3.12" and python["update-environment"] is False
    cache = steps["actions/cache"]["with"]
    assert "steps.prepare.outputs.requirements-hash" in cache["key"]
    assert "steps.python.outputs.python-version" in cache["key"]
    pins = [
        line
        for line in (ROOT / "ci" / "action-requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[\w.]+", pin) for pin in pins), pins
    pinned = {pin.split("==")[0].lower().replace("_", "-") for pin in pins}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[^A-Za-z0-9_.-]", d, maxsplit=1)[0] for d in project["dependencies"]]
    assert len(names) > 15 and "orjson" in names  # every runtime dependency, the last too
    for dependency in names:
        assert dependency.lower().replace("_", "-") in pinned, dependency
    upload = steps["github/codeql-action/upload-sarif"]
    assert upload["continue-on-error"] is True and "inputs.sarif == 'true'" in upload["if"]
    assert action["inputs"]["sarif"]["default"] == "false"
    artifact = steps["actions/upload-artifact"]
    assert "linkguard-report.html" in artifact["with"]["path"]
    for option in re.findall(r"(--[a-z][a-z-]+)", SCRIPT[SCRIPT.index("local args=(") :]):
        if option not in ("--noprofile", "--norc"):
            _is_scan_option(option)


def _is_scan_option(option: str) -> None:
    result = CliRunner().invoke(app, ["scan", "--help"])
    assert option in set(re.findall(r"--[a-z][a-z-]+", result.output)), option


# -- the steps, run on a checkout ----------------------------------------------------------------
def installed(runner_temp: Path, linkguard_cmd: list[str]) -> None:
    """What the install step leaves: linkguard and Python in $RUNNER_TEMP/linkguard-venv."""
    bin_dir = runner_temp / "linkguard-venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    shim = bin_dir / "linkguard"
    shim.write_text(f'#!/bin/sh\nexec {shlex.join(linkguard_cmd)} "$@"\n', encoding="utf-8")
    shim.chmod(0o755)


def act(work: Path, linkguard_cmd: list[str], **inputs: str) -> ActionRun:
    runner_temp = work.parent / f"runner_temp_{len(list(work.parent.glob('runner_temp_*')))}"
    runner_temp.mkdir()
    installed(runner_temp, linkguard_cmd)
    env = {**GIT_ENV, "HOME": str(work.parent), "PATH": "/usr/bin:/bin"}
    return run_action(
        work, runner_temp, {k.replace("_", "-"): v for k, v in inputs.items()}, env=env
    )


def results(run: ActionRun) -> dict[str, Any]:
    folder = Path(run.outputs["report-dir"])
    data = json.loads((folder / "linkguard-results.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def annotations(run: ActionRun) -> list[tuple[str, dict[str, str], str]]:
    return [parse_command(line) for line in workflow_commands(run.step("scan").log)]


@pytest.mark.slow
def test_a_pull_request_gets_annotations_a_summary_and_outputs(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    work = pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "site/templates/index.html": "<p>home</p>\n"},
        change={"site/templates/partials/footer.html": FOOTER},
    )
    run = act(work, linkguard_cmd, templates="site/templates", sarif="true")
    scan = run.step("scan")
    assert scan.proc.returncode == 0, scan.log  # the scan step records; the verdict fails
    assert run.failed is run.steps[-1] and run.failed.proc.returncode == 1
    assert run.outputs["exit-code"] == "1"
    found = results(run)["findings"]
    assert (run.outputs["errors"], run.outputs["warnings"], run.outputs["findings"]) == (
        str(sum(f["severity"] == "error" for f in found)),
        str(sum(f["severity"] == "warning" for f in found)),
        str(len(found)),
    )
    assert int(run.outputs["errors"]) == 3 and int(run.outputs["warnings"]) >= 1

    commands = annotations(run)
    located = [(name, props) for name, props, _ in commands if "file" in props]
    assert len(located) == len(found)  # one annotation per finding, on its file and line
    for name, props in located:
        assert name in ("error", "warning", "notice")
        assert props["file"] == "site/templates/partials/footer.html"
        assert (work / props["file"]).is_file()  # from the repository's top level
    assert ("error", "2", "exit-notice-missing") in {(n, p["line"], p["title"]) for n, p in located}
    assert commands[-1][0] == "notice" and commands[-1][2].startswith("FAIL: ")
    # the annotations come after the stop-commands block, the scan's own output inside it
    lines = scan.proc.stdout.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("::stop-commands::")))
    resume = lines.index(f"::{lines[first][len('::stop-commands::') :]}::")
    assert first == 0 and all(line.startswith("::") for line in lines[resume + 1 :])
    assert "partials/footer.html:2:1: error: " in "\n".join(lines[first:resume])

    assert run.summary.startswith("## linkguard: FAIL")
    folder = Path(run.outputs["report-dir"])
    assert not str(folder).startswith(str(work))  # never written into the checkout
    assert {p.name for p in folder.iterdir()} >= {
        "linkguard-report.html", "linkguard-results.json", "linkguard.sarif",
    }  # fmt: skip
    assert scan.outputs["sarif-file"] == str(folder / "linkguard.sarif")
    sarif = json.loads((folder / "linkguard.sarif").read_text(encoding="utf-8"))
    for result in sarif["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (work / uri).is_file()


@pytest.mark.slow
def test_a_clean_pull_request_passes_without_sarif(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    work = pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": "<p>home</p>\n"},
        change={"templates/about.html": "<p>about us</p>\n"},
    )
    run = act(work, linkguard_cmd, templates="templates")
    assert run.failed is None, [s.log for s in run.steps]
    assert run.outputs | {"report-dir": ""} == {
        "exit-code": "0", "findings": "0", "errors": "0", "warnings": "0", "report-dir": "",
    }  # fmt: skip
    assert "sarif-file" not in run.step("scan").outputs  # sarif is off by default
    [(name, _, message)] = annotations(run)
    assert name == "notice" and message.startswith("PASS: 0 findings")
    assert run.summary.startswith("## linkguard: PASS")


@pytest.mark.slow
@pytest.mark.parametrize(("fail_if_empty", "job_fails"), [("true", True), ("false", False)])
def test_fail_if_empty_decides_whether_nothing_checked_fails_the_job(
    tmp_path: Path, linkguard_cmd: list[str], fail_if_empty: str, job_fails: bool
) -> None:
    work = pull_request(
        tmp_path, main={"linkguard.toml": POLICY}, change={"templates/notes.txt": "x\n"}
    )
    run = act(work, linkguard_cmd, templates="templates", fail_if_empty=fail_if_empty)
    assert run.outputs["exit-code"] == "4"
    assert (run.failed is not None) is job_fails, [s.log for s in run.steps]
    if job_fails:
        assert run.failed is run.steps[-1] and run.failed.proc.returncode == 4


@pytest.mark.slow
def test_without_config_linkguard_finds_tool_linkguard_in_pyproject(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    pyproject = (
        '[project]\nname = "site"\n\n[tool.linkguard.site]\norigin = "https://www.example.com"\n'
    )
    extra = (
        '\n[[tool.linkguard.waiver]]\nrule = "exit-notice-missing"\n'
        'host = "partner.example"\nreason = "ok"\n'
    )
    work = pull_request(
        tmp_path,
        main={"pyproject.toml": pyproject, "templates/index.html": ""},
        change={"pyproject.toml": pyproject + extra, "templates/footer.html": PARTNER},
    )
    run = act(work, linkguard_cmd, templates="templates")
    assert run.failed is None and run.outputs["exit-code"] == "0", run.step("scan").log
    assert results(run)["run"]["config"] == str(work / "pyproject.toml")
    assert [f["rule"] for f in results(run)["suppressed"]] == ["exit-notice-missing"]
    # judged by the base branch's pyproject.toml, found the same way, the waiver is not there
    run = act(work, linkguard_cmd, templates="templates", trusted_config="base")
    assert run.outputs["exit-code"] == "1", run.step("scan").log
    assert results(run)["run"]["config"].endswith("linkguard-base/pyproject.toml")


@pytest.mark.slow
def test_args_reach_linkguard_as_words(tmp_path: Path, linkguard_cmd: list[str]) -> None:
    work = pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": ""},
        change={"templates/footer.html": PARTNER},
    )
    run = act(work, linkguard_cmd, templates="templates", args="--first-party 'partner.example'")
    assert run.outputs["exit-code"] == "0", run.step("scan").log  # partner is first party now
    run = act(work, linkguard_cmd, templates="templates", args="--first-party 'partner")
    assert run.failed is run.step("scan") and run.outputs["exit-code"] == "2"
    assert "linkguard: error: args cannot be split into words" in run.step("scan").log


@pytest.mark.slow
def test_in_base_mode_a_waiver_the_pull_request_adds_is_not_honoured(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    work = pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": "<p>home</p>\n"},
        change={"linkguard.toml": POLICY + WAIVER, "templates/footer.html": PARTNER},
    )
    run = act(work, linkguard_cmd, templates="templates")
    assert run.outputs["exit-code"] == "0", run.step("scan").log  # head: the PR waives it
    assert [f["rule"] for f in results(run)["suppressed"]] == ["exit-notice-missing"]

    run = act(work, linkguard_cmd, templates="templates", trusted_config="base")
    assert run.outputs["exit-code"] == "1", run.step("scan").log
    assert [(f["rule"], f["file"]) for f in results(run)["findings"]] == [
        ("exit-notice-missing", "footer.html")
    ]
    assert results(run)["suppressed"] == []


@pytest.mark.slow
def test_in_base_mode_a_baseline_the_pull_request_edits_is_not_honoured(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    empty = tmp_path / "empty"
    write(empty, {"index.html": "<p>home</p>\n"})
    out = tmp_path / "empty.json"
    CliRunner().invoke(
        app, ["scan", str(empty), "--origin", "https://www.example.com", "-o", str(out)]
    )
    work = pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "baseline.json": out.read_text(encoding="utf-8"),
              "templates/index.html": ""},
        change={"templates/footer.html": PARTNER},
    )  # fmt: skip
    run = act(work, linkguard_cmd, templates="templates", baseline="baseline.json")
    assert run.outputs["exit-code"] == "1", run.step("scan").log
    (work / "baseline.json").write_text(  # the pull request declares its finding known
        json.dumps(results(run)), encoding="utf-8"
    )
    git(work, "commit", "-q", "-am", "baseline the new finding")
    run = act(work, linkguard_cmd, templates="templates", baseline="baseline.json")
    assert run.outputs["exit-code"] == "0", run.step("scan").log
    assert run.outputs["findings"] == "0"  # the known finding is not counted as new
    run = act(
        work, linkguard_cmd, templates="templates", baseline="baseline.json", trusted_config="base"
    )
    assert run.outputs["exit-code"] == "1", run.step("scan").log
    assert results(run)["summary"]["baseline"] == {"new": 1, "known": 0, "fixed": 0}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("inputs", "said"),
    [
        ({"trusted_config": "base", "config": "missing.toml"}, "missing.toml is not on the base"),
        ({"trusted_config": "tree"}, "trusted-config must be head or base, not 'tree'"),
        ({"sarif": "yes"}, "sarif must be true or false, not 'yes'"),
        ({"templates": ""}, "nothing to scan: both templates and target are empty"),
    ],
)
def test_inputs_that_cannot_work_stop_with_a_clear_error(
    tmp_path: Path, linkguard_cmd: list[str], inputs: dict[str, str], said: str
) -> None:
    work = pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": ""},
        change={"templates/footer.html": PARTNER},
    )
    run = act(work, linkguard_cmd, **{"templates": "templates", **inputs})
    assert run.failed is run.step("scan") and run.outputs["exit-code"] == "2"
    assert f"linkguard: error: {said}" in run.step("scan").proc.stderr
    assert "  tip: " in run.step("scan").proc.stderr


@pytest.mark.slow
def test_hostile_file_names_give_one_annotation_each_and_no_other_command(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    names = [
        "::error file=README.md,line=1,title=Approved::Approved.html",
        "a,line=9%0A::b.html",
        "x ##[warning]y.html",
    ]
    work = pull_request(
        tmp_path,
        main={"linkguard.toml": POLICY, "templates/index.html": ""},
        change={f"templates/{name}": PARTNER for name in names},
    )
    tokens = []
    for _ in range(2):
        run = act(work, linkguard_cmd, templates="templates")
        assert run.outputs["exit-code"] == "1", run.step("scan").log
        commands = annotations(run)
        files = sorted(props["file"] for _, props, _ in commands if "file" in props)
        assert len(commands) == len(names) + 1  # one per finding, and the verdict
        assert files[:2] == sorted(f"templates/{name}" for name in names[:2])
        assert files[2] == "templates/x ##\\x5bwarning]y.html"  # shown escaped, never ##[
        assert all((work / f).is_file() for f in files[:2])
        assert {props["title"] for _, props, _ in commands} == {"exit-notice-missing", "linkguard"}
        tokens.append(run.step("scan").proc.stdout.splitlines()[0])
    assert tokens[0] != tokens[1]  # a token linkguard's output cannot know in advance


@pytest.mark.slow
def test_the_install_steps_install_linkguard_with_the_pinned_versions(tmp_path: Path) -> None:
    """prepare and install, for real: a virtual environment in $RUNNER_TEMP, linkguard from
    this checkout, every dependency at its pinned version (needs a package index)."""
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir()
    env = {"HOME": str(tmp_path), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    run = run_action(
        tmp_path, runner_temp, {}, env=env, only=("prepare", "install"),
        step_outputs={"python": {"python-path": sys.executable}},
    )  # fmt: skip
    assert run.failed is None, [s.log for s in run.steps]
    prepare = run.step("prepare").outputs
    assert re.fullmatch(r"[0-9a-f]{64}", prepare["requirements-hash"]) and prepare["pip-cache"]
    venv = runner_temp / "linkguard-venv" / "bin"
    version = subprocess.run(
        [str(venv / "linkguard"), "-V"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip()
    frozen = subprocess.run(
        [str(venv / "python"), "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    pins = [
        line
        for line in (ROOT / "ci" / "action-requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    normal = {line.lower().replace("_", "-") for line in frozen}
    browser_extra = ("greenlet==", "playwright==")  # the Dockerfile's, not the Action's
    wanted = {pin.lower().replace("_", "-") for pin in pins if not pin.startswith(browser_extra)}
    assert wanted <= normal, wanted - normal
