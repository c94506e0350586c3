"""Where CI formats locate findings: SARIF from the repository's top level in a real git
repository, and ``--templates`` reading git's own file list (``.gitignore`` honoured)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

POLICY = '[site]\norigin = "https://www.example.com"\n'
FOOTER = (
    "<footer>\n"
    '  <a href="https://partner.example/">Partner</a>\n'
    '  <script src="https://cdn.tracker.example/t.js"></script>\n'
    "</footer>\n"
)
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "PATH": "/usr/bin:/bin",
}


def git(cwd: Path, *args: str) -> None:
    env = {**_GIT_ENV, "HOME": str(cwd)}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def write(root: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")


def repository(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    write(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "site")
    return root


def scan(cmd: list[str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*cmd, "scan", *args, "--quiet"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**_GIT_ENV, "HOME": str(cwd)},
    )


def uris(log: dict[str, Any]) -> list[dict[str, Any]]:
    """Every artifact location of every result, related locations included."""
    found = []
    for result in log["runs"][0]["results"]:
        for location in (*result["locations"], *result.get("relatedLocations", ())):
            found.append(location["physicalLocation"]["artifactLocation"])
    return found


def test_every_sarif_uri_resolves_to_a_file_from_the_repository_root(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    root = repository(
        tmp_path,
        {
            "web/site/linkguard.toml": POLICY,
            "web/site/templates/partials/footer.html": FOOTER,
            "web/site/templates/pages/über uns.html": FOOTER,
            "web/site/templates/index.html": "<p>home</p>\n",
        },
    )
    elsewhere = root / "web"  # run from below the top, naming the folder relatively
    sarif = tmp_path / "out.sarif"
    proc = scan(
        linkguard_cmd, elsewhere, "--templates", "site/templates",
        "--config", "site/linkguard.toml", "-f", "sarif", "-o", str(sarif),
        "-f", "json", "-o", str(tmp_path / "out.json"),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    log = json.loads(sarif.read_text(encoding="utf-8"))
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.resolve().as_uri() + "/"
    located = uris(log)
    assert len(located) >= 4
    for artifact in located:
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert (root / unquote(artifact["uri"])).is_file(), artifact
    assert {a["uri"] for a in located} == {
        "web/site/templates/partials/footer.html",
        "web/site/templates/pages/%C3%BCber%20uns.html",
    }
    results = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert results["run"]["repository"] == str(root.resolve())
    assert results["run"]["repository_folder"] == "web/site/templates"
    files = {f["file"] for f in results["findings"]}
    assert files == {"partials/footer.html", "pages/über uns.html"}


def test_a_folder_outside_any_repository_keeps_its_own_relative_paths(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    folder = tmp_path / "plain"
    write(folder, {"linkguard.toml": POLICY, "footer.html": FOOTER})
    sarif = tmp_path / "out.sarif"
    proc = scan(linkguard_cmd, folder, "--templates", ".", "-f", "sarif", "-o", str(sarif))
    assert proc.returncode == 1, proc.stderr
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert "originalUriBaseIds" not in log["runs"][0]
    assert {a["uri"] for a in uris(log)} == {"footer.html"}
    assert all("uriBaseId" not in a for a in uris(log))


def test_templates_dot_reads_git_s_file_list_and_skips_what_gitignore_names(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    root = repository(
        tmp_path,
        {
            ".gitignore": "_site/\n*.generated.html\n",
            "linkguard.toml": POLICY,
            "templates/footer.html": FOOTER,
        },
    )
    # built output and a generated file: ignored, never committed, not the templates
    write(root, {"_site/index.html": FOOTER, "templates/x.generated.html": FOOTER})
    write(root, {"templates/new.html": FOOTER})  # new, not yet added: judged
    out = tmp_path / "r.json"
    proc = scan(linkguard_cmd, root, "--templates", ".", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    files = {f["file"] for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}
    assert files == {"templates/footer.html", "templates/new.html"}

    # a build folder named on purpose is read although .gitignore names it
    proc = scan(linkguard_cmd, root, "--templates", "_site", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    files = {f["file"] for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}
    assert files == {"index.html"}


def test_a_tracked_file_counts_even_where_gitignore_matches_it(tmp_path: Path) -> None:
    from linkguard.sources.templates import template_files

    root = repository(tmp_path, {"templates/keep.html": FOOTER})
    write(root, {".gitignore": "*.html\n", "templates/later.html": FOOTER})
    names = [p.relative_to(root).as_posix() for p in template_files(root)]
    assert names == ["templates/keep.html"]  # git tracks it; the untracked one is ignored
