"""One verdict: a run's exit code and every report of it say the same thing, for suppressed,
known (baseline) and new findings and for an incomplete run, through the real CLI."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from report_samples import E, finding, passing_site
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.model import ScanResult
from linkguard.reporters import Format
from linkguard.reporters.console import render_summary
from linkguard.results import from_json, to_json
from linkguard.results.verdict import FailOn, Verdict, verdict_of

runner = CliRunner()
TRACKER = "https://tracker.example.net/t.js"
WAIVER = """
[[waiver]]
rule = "undeclared-script"
host = "tracker.example.net"
reason = "vendor under review"
"""


def _with_error(**changes: object) -> ScanResult:
    """The passing sample plus one error finding in its main list, changed by ``changes``."""
    result = passing_site()
    page = result.pages[0].url
    extra = finding(
        "undeclared-script",
        E,
        page,
        9,
        TRACKER,
        "tracker.example.net",
        f'<script src="{TRACKER}">',
        "Script from tracker.example.net, which the policy does not declare.",
        kind="script",
    )
    extra = replace(extra, **changes)  # type: ignore[arg-type]
    return replace(result, findings=(*result.findings, extra))


def _reports(results: Path, out: Path) -> dict[Format, str]:
    """Every format, rendered from the saved results by ``linkguard report``."""
    args = ["report", str(results)]
    for fmt in Format:
        args += ["--format", fmt.value, "--output", str(out / f"report.{fmt.value}")]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    return {fmt: (out / f"report.{fmt.value}").read_text(encoding="utf-8") for fmt in Format}


def _statuses(reports: dict[Format, str], console: str) -> dict[str, str]:
    """What each report says of the run: PASS, FAIL or INCOMPLETE."""
    text = re.fullmatch(r"linkguard: (\w+): .*", reports[Format.TEXT].splitlines()[-1])
    markdown = re.match(r"## linkguard: (\w+)\n", reports[Format.MARKDOWN])
    html = re.search(r'<div class="verdict verdict-(\w+)">', reports[Format.HTML])
    summary = re.search(r"verdict\s+(\w+) \(", console)
    assert text and markdown and html and summary
    return {
        "text": text[1],
        "markdown": markdown[1],
        "html": html[1].upper(),
        "console": summary[1],
    }


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"suppressed_by": "waiver: accepted until the vendor review"}, "PASS", 0),
        ({"suppressed_by": "data-linkguard-ignore"}, "PASS", 0),
        ({"known": True}, "PASS", 0),
        ({}, "FAIL", 1),
    ],
)
def test_the_exit_code_and_every_report_agree(
    tmp_path: Path, changes: dict[str, object], status: str, code: int
) -> None:
    """A suppressed error finding in the main list fails nothing (the exit code used to
    ignore ``suppressed_by`` and exit 1 while every report said PASS)."""
    saved = tmp_path / "results.json"
    saved.write_text(to_json(_with_error(**changes)), encoding="utf-8")
    result = from_json(saved.read_text(encoding="utf-8"))
    verdict = verdict_of(result)
    assert (verdict.status, verdict.exit_code) == (status, code)

    reports = _reports(saved, tmp_path)
    says = _statuses(reports, render_summary(result))
    assert says == dict.fromkeys(says, status)
    junit = ET.fromstring(reports[Format.JUNIT])
    assert junit.get("failures") == str(code)  # one page fails when the run fails
    sarif = json.loads(reports[Format.SARIF])["runs"][0]["results"]
    entry = next(r for r in sarif if r["ruleId"] == "undeclared-script")
    assert ("suppressions" in entry) is ("suppressed_by" in changes)
    assert verdict_of(from_json(reports[Format.JSON])) == verdict


def test_an_incomplete_run_exits_3_whatever_it_found(tmp_path: Path) -> None:
    for changes, status in (({}, "FAIL"), ({"suppressed_by": "waiver: x"}, "INCOMPLETE")):
        result = _with_error(**changes)
        result = replace(result, run=replace(result.run, complete=False))
        verdict = verdict_of(result)
        assert (verdict.status, verdict.exit_code) == (status, 3)
        saved = tmp_path / "results.json"
        saved.write_text(to_json(result), encoding="utf-8")
        says = _statuses(_reports(saved, tmp_path), render_summary(result))
        assert says == dict.fromkeys(says, status)


@pytest.mark.parametrize(
    ("verdict", "code"),
    [
        (Verdict(0, FailOn.ERROR, True), 0),
        (Verdict(2, FailOn.WARNING, True), 1),
        (Verdict(0, FailOn.NEVER, True), 0),
        (Verdict(0, FailOn.ERROR, False), 3),
        (Verdict(5, FailOn.INFO, False), 3),
    ],
)
def test_exit_codes(verdict: Verdict, code: int) -> None:
    assert verdict.exit_code == code


def _site(root: Path, toml: str) -> Path:
    root.mkdir()
    body = f'<!DOCTYPE html><title>t</title><script src="{TRACKER}"></script>'
    (root / "index.html").write_text(body, encoding="utf-8")
    policy = f'[site]\norigin = "https://www.example.com"\n{toml}'
    (root / "linkguard.toml").write_text(policy, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("toml", "status", "code"),
    [
        (WAIVER, "PASS", 0),
        ("", "FAIL", 1),
    ],
)
def test_a_scan_exits_as_its_reports_say(tmp_path: Path, toml: str, status: str, code: int) -> None:
    site = _site(tmp_path / "site", toml)
    out = tmp_path / "out"
    args = ["scan", str(site), "--config", str(site / "linkguard.toml")]
    for fmt in Format:
        args += ["--format", fmt.value, "--output", str(out / f"report.{fmt.value}")]
    done = runner.invoke(app, args)
    assert done.exit_code == code, done.output
    reports = {fmt: (out / f"report.{fmt.value}").read_text(encoding="utf-8") for fmt in Format}
    says = _statuses(reports, done.output)
    assert says == dict.fromkeys(says, status)
    assert verdict_of(from_json(reports[Format.JSON])).exit_code == code
