"""Template mode: template sources judged in place, findings at file:line, dynamic URLs listed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.config import load_policy
from linkguard.scan import ScanRequest, make_scope, run_scan
from linkguard.sources.templates import changed_since, template_files

runner = CliRunner()


@pytest.fixture
def travel(sample_sites: Path) -> Path:
    return sample_sites / "travel-templates"


def _scan_templates(root: Path):  # type: ignore[no-untyped-def]
    policy = load_policy(root / "linkguard.toml")
    files = tuple(template_files(root, policy.templates.paths, policy.templates.exclude))
    request = ScanRequest(
        str(root), policy, make_scope(str(root), policy), policy.crawl, templates=files
    )
    return run_scan(request)


def test_template_files_follow_the_policy_globs(travel: Path) -> None:
    names = [p.relative_to(travel).as_posix() for p in template_files(travel, ["**/*.j2"])]
    assert names == ["pages/booking.j2"]
    every = [p.relative_to(travel).as_posix() for p in template_files(travel)]
    assert "partials/footer.html" in every and "linkguard.toml" not in every


def test_findings_point_at_template_file_and_line(travel: Path) -> None:
    result = _scan_templates(travel)
    located = {(f.rule, f.file, f.line) for f in result.findings}
    assert ("undeclared-script", "layouts/base.html", 9) in located
    assert ("exit-notice-missing", "partials/footer.html", 6) in located
    assert ("unsafe-target-blank", "partials/footer.html", 7) in located
    assert ("insecure-form", "pages/booking.j2", 6) in located
    assert ("undeclared-form-target", "django/contact.html", 10) in located


def test_templated_path_with_literal_host_is_judged(travel: Path) -> None:
    result = _scan_templates(travel)
    forms = [
        f
        for f in result.findings
        if f.rule == "undeclared-form-target" and f.file == "pages/booking.j2"
    ]
    assert forms and forms[0].host == "newsletter.mailcorp.example"
    assert "{…}" in forms[0].target
    assert not any(
        f.file == "pages/booking.j2" and f.rule == "undeclared-frame" for f in result.findings
    )  # declared, and its path is templated


def test_dynamic_destinations_are_listed_not_judged(travel: Path) -> None:
    result = _scan_templates(travel)
    dynamic = {(d.file, d.line, d.raw) for d in result.dynamic}
    assert ("partials/header.html", 5, "{…}") in dynamic
    assert ("layouts/base.html", 10, "https://{…}/bundle.js") in dynamic
    assert ("django/contact.html", 5, "{…}") in dynamic
    assert result.summary.dynamic_references == len(result.dynamic)
    assert not any("{…}/bundle.js" in f.target for f in result.findings)


def test_cli_template_mode_and_sarif_locations(travel: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(
        app,
        [
            "scan",
            "--templates",
            str(travel),
            "--config",
            str(travel / "linkguard.toml"),
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {f["file"] for f in data["findings"]} >= {"layouts/base.html", "partials/footer.html"}
    assert data["dynamic"]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(cwd),
            "PATH": "/usr/bin:/bin",
        },
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_judges_only_changed_files(travel: Path, tmp_path: Path) -> None:
    repo = tmp_path / "site"
    shutil.copytree(travel, repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "initial")
    footer = repo / "partials" / "footer.html"
    footer.write_text(
        footer.read_text(encoding="utf-8").replace(
            "</footer>", '<a href="https://new-partner.example/">New partner</a>\n</footer>'
        ),
        encoding="utf-8",
    )
    assert changed_since(repo, "HEAD") == {footer.resolve()}
    out = tmp_path / "r.json"
    result = runner.invoke(
        app,
        [
            "scan",
            "--templates",
            str(repo),
            "--changed-since",
            "HEAD",
            "--config",
            str(repo / "linkguard.toml"),
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {f["file"] for f in data["findings"]} == {"partials/footer.html"}
    assert any(f["host"] == "new-partner.example" for f in data["findings"])
    bad = runner.invoke(app, ["scan", "--templates", str(repo), "--changed-since", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output


def test_a_template_name_that_is_not_a_url_path_is_percent_encoded(
    travel: Path, tmp_path: Path
) -> None:
    """``?`` and ``#`` in a file name are part of the page's name, not a query or fragment."""
    root = tmp_path / "travel"
    shutil.copytree(travel, root)
    (root / "partials" / "footer.html").rename(root / "partials" / "footer?v=2#x.html")
    result = _scan_templates(root)
    [page] = [p for p in result.pages if p.file == "partials/footer?v=2#x.html"]
    assert page.url.endswith("/partials/footer%3Fv=2%23x.html")
