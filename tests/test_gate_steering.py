"""The template gate cannot be steered by the pull request it judges: ``--changed-since``
sees every changed file whatever its name and never hands git an option, and ``linkguard
init`` writes a policy that loads, whatever the crawled site's URLs hold.

Each fixture is a real git repository made in the test, run through the real CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.config import load_policy
from linkguard.sources.templates import changed_since

runner = CliRunner()
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TRACKER = '<script src="https://tracker.example/t.js"></script>\n'
CLEAN = '<p><a href="/about">About</a></p>\n'
POLICY = '[site]\norigin = "https://www.example.com"\n'


def git(cwd: Path, *args: str) -> str:
    """git in ``cwd`` with no user or system configuration (core.quotePath as shipped)."""
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)
    return done.stdout.decode()


def committed(repo: Path, files: dict[str, str]) -> Path:
    """A git repository at ``repo`` whose one commit holds ``files`` and a policy."""
    for name, body in {"linkguard.toml": POLICY, **files}.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(body, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "main")
    return repo


def _gate(repo: Path, out: Path, since: str) -> tuple[int, str]:
    args = ["scan", "--templates", str(repo / "templates"), f"--changed-since={since}"]
    args += ["--config", str(repo / "linkguard.toml"), "-f", "json", "-o", str(out), "-q"]
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


# -- item: names git quotes are still changed files --------------------------------------
QUOTED = ('say "hi" \\ back.html', "tab\there.html", "footér.html", "新しい.html")


def test_changed_since_finds_files_whose_names_git_quotes(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    repo = committed(
        tmp_path / "site",
        {"templates/index.html": CLEAN, f"templates/{QUOTED[0]}": CLEAN},
    )
    templates = repo / "templates"
    (templates / QUOTED[0]).write_text(CLEAN + TRACKER, encoding="utf-8")  # modified
    (templates / QUOTED[1]).write_text(TRACKER, encoding="utf-8")
    git(repo, "add", f"templates/{QUOTED[1]}")  # staged
    (templates / QUOTED[2]).write_text(TRACKER, encoding="utf-8")  # new, untracked
    (templates / QUOTED[3]).write_text(TRACKER, encoding="utf-8")
    assert '"' in git(repo, "status", "--porcelain")  # git quotes these names by default

    out = tmp_path / "results.json"
    code, said = _gate(repo, out, "HEAD")
    assert code == 1, said
    results = json.loads(out.read_text(encoding="utf-8"))
    assert {p["file"] for p in results["pages"]} == set(QUOTED)
    assert {f["file"] for f in results["findings"]} == set(QUOTED)

    gate = ["scan", "--templates", str(templates), "--changed-since", "HEAD"]
    text = ["--config", str(repo / "linkguard.toml"), "-f", "text", "-o", "-", "-q"]
    installed = subprocess.run(
        [*linkguard_cmd, *gate, *text],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 1, installed.stderr
    assert "footér.html:1:1: error: " in installed.stdout
    assert "tab\there.html:1:1: error: " in installed.stdout


# -- item: a revision is never an option to git -------------------------------------------
@pytest.mark.parametrize("since", ["--output={written}", "-p", "--no-index", ""])
def test_a_revision_that_git_would_read_as_an_option_is_refused(
    tmp_path: Path, since: str, linkguard_cmd: list[str]
) -> None:
    repo = committed(tmp_path / "site", {"templates/index.html": CLEAN})
    written = tmp_path / "written.txt"
    since = since.format(written=written)
    code, said = _gate(repo, tmp_path / "r.json", since)
    assert code == 2, said
    assert "a revision cannot be empty or start with '-'" in said
    assert "tip: pass a branch, tag or commit" in said
    assert "Traceback" not in said
    gate = ["scan", "--templates", str(repo / "templates"), f"--changed-since={since}"]
    installed = subprocess.run(
        [*linkguard_cmd, *gate, "--config", str(repo / "linkguard.toml"), "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert installed.returncode == 2, installed.stderr
    assert "start with '-'" in installed.stderr
    assert not written.exists()


@pytest.mark.parametrize("since", ["nope", "HEAD:linkguard.toml", "HEAD^{tree}", "HEAD~5"])
def test_a_revision_that_names_no_commit_is_a_clear_error(tmp_path: Path, since: str) -> None:
    repo = committed(tmp_path / "site", {"templates/index.html": CLEAN})
    code, said = _gate(repo, tmp_path / "r.json", since)
    assert code == 2, said
    assert f"--changed-since {since!r}: no such commit in " in said


def test_a_folder_outside_any_repository_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "index.html").write_text(TRACKER, encoding="utf-8")
    (tmp_path / "linkguard.toml").write_text(POLICY, encoding="utf-8")
    code, said = _gate(tmp_path, tmp_path / "r.json", "HEAD")
    assert code == 2, said
    assert "git said: " in said and "not a git repository" in said


# -- item: init writes a policy it can read back ------------------------------------------
def test_init_writes_a_policy_that_loads_whatever_the_crawled_urls_hold(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    site = tmp_path / "site\n[x]"  # a folder name that breaks out of a comment line
    site.mkdir()
    links = [
        "/leaving?u%7F=https://evil.example/",  # U+007F: JSON writes it raw, TOML forbids it
        "/go?%7Burl%7D=https://evil.example/",  # a route with {url} twice
        "/out?%E2%80%AEx=https://evil.example/",  # a right-to-left override in the name
        "/away?a\\b=https://evil.example/",  # a backslash: escaped, and still the route
        "/exit?to=https://partner.example/",
        "/exit?to=https://evil.example/",
    ]
    page = "<!DOCTYPE html>" + "".join(f'<a href="{href}">x</a>' for href in links)
    (site / "index.html").write_text(page, encoding="utf-8")
    out = tmp_path / "linkguard.toml"
    done = subprocess.run(
        [*linkguard_cmd, "init", str(site), "--origin", "https://www.example.com", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    policy = load_policy(out)  # it loads: that is the point
    assert policy.exit_notice.interstitials == ("/exit?to={url}", "/away?a\\b={url}")
    written = out.read_text(encoding="utf-8")
    assert "\x7f" not in written and "\u202e" not in written
    assert "/site\\n[x] (1 page)." in written
    assert "# Not written, 1 link(s) seemed to use this interstitial: '/go?{url}={url}'" in written
    assert "must contain `{url}` exactly once" in written
    assert "'/leaving?u\\x7f={url}': linkguard would not read " in written
    assert "'/out?\\u202ex={url}': linkguard would not read " in written
    rescan = runner.invoke(app, ["scan", str(site), "--config", str(out), "-f", "text", "-o", "-"])
    assert rescan.exit_code == 0, rescan.output  # every link goes through a written route


def test_changed_since_is_the_branch_own_changes_after_main_moved_on(tmp_path: Path) -> None:
    """A pull request is judged on what it changed since it left main (REV...HEAD): a page
    main changed after the branch was cut is not the branch's."""
    repo = committed(
        tmp_path / "site", {"templates/index.html": CLEAN, "templates/about.html": CLEAN}
    )
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "templates" / "index.html").write_text(CLEAN + "<p>new</p>", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "feature")
    git(repo, "checkout", "-q", "main")
    (repo / "templates" / "about.html").write_text(CLEAN + TRACKER, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main moves on")
    git(repo, "checkout", "-q", "feature")
    changed = changed_since(repo / "templates", "main")
    assert changed == {(repo / "templates" / "index.html").resolve()}
    code, output = _gate(repo, tmp_path / "r.json", "main")
    assert code == 0, output  # about.html's tracker is main's, not this branch's
