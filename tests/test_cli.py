"""The command line as users and CI run it: Typer's CliRunner, and the installed script."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app

runner = CliRunner()


def test_classify_prints_one_json_object_per_href() -> None:
    result = runner.invoke(
        app,
        [
            "classify",
            "--origin",
            "https://www.example.com",
            "--first-party",
            "example.co.jp",
            "--",
            "/about",
            "https://example.com.evil.net/",
            "//cdn.example.co.jp/x.js",
            "mailto:a@example.com",
            "https://exa mple.com/",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["party"] for r in rows] == ["first", "third", "first", "none", "invalid"]
    assert set(rows[0]) == {"href", "url", "host", "site", "party", "reason"}
    assert rows[1]["site"] == "evil.net"
    assert rows[2]["url"] == "https://cdn.example.co.jp/x.js"


def test_classify_without_origin_is_a_usage_error() -> None:
    result = runner.invoke(app, ["classify", "--", "/x"])
    assert result.exit_code == 2
    assert "origin" in result.output


def test_scan_folder_writes_results_and_prints_scope(sample_sites: Path, tmp_path: Path) -> None:
    site = sample_sites / "northwind-clinic"
    out = tmp_path / "r.json"
    result = runner.invoke(
        app,
        [
            "scan",
            str(site),
            "--config",
            str(site / "linkguard.toml"),
            "--format",
            "json",
            "--output",
            str(out),
            "--fail-on",
            "never",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "scope: origin https://www.northwind-clinic.com" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "linkguard/results/v1"
    assert data["run"]["first_party"] == [
        "northwind-clinic.co.jp",
        "northwind-clinic.com",
        "www.northwind-clinic.com",
    ]
    assert data["summary"]["pages"] == 6


def test_scan_rejects_a_target_that_is_neither_url_nor_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "neither an http(s) URL nor a folder" in result.output


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path), "--config", str(tmp_path / "no.toml")])
    assert result.exit_code == 2
    assert "no such config file" in result.output


def test_links_streams_every_reference(sample_sites: Path) -> None:
    site = sample_sites / "leaky-shop"
    result = runner.invoke(app, ["links", str(site), "--config", str(site / "linkguard.toml")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"page", "line", "kind", "tag", "attr", "href", "url", "host", "party"} <= set(rows[0])
    hotjar = [r for r in rows if r["host"] == "static.hotjar.com"]
    assert hotjar and hotjar[0]["kind"] == "script" and hotjar[0]["party"] == "third"


def test_installed_script_scans_a_folder(
    linkguard_cmd: list[str], sample_sites: Path, tmp_path: Path
) -> None:
    site = sample_sites / "leaky-shop"
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [
            *linkguard_cmd,
            "scan",
            str(site),
            "--config",
            str(site / "linkguard.toml"),
            "--output",
            str(out),
            "--fail-on",
            "never",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["pages"] == 5


def test_demo_serves_and_crawls_a_sample_site(linkguard_cmd: list[str], tmp_path: Path) -> None:
    proc = subprocess.run(
        [*linkguard_cmd, "demo", "northwind-clinic", "--out", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "serving northwind-clinic at http://127.0.0.1:" in proc.stderr
    data = json.loads((tmp_path / "demo" / "results.json").read_text(encoding="utf-8"))
    pages = [p["url"] for p in data["pages"]]
    assert "https://www.northwind-clinic.com/about/" in pages
    # the portal on another first-party domain is not on the local copy: never looked up
    assert not any("portal.northwind-clinic.co.jp" in url for url in pages)
    assert data["summary"]["findings"] == {"error": 0, "warning": 0, "info": 0}
    assert (tmp_path / "demo" / "report.html").stat().st_size > 0


def test_python_dash_m_works(linkguard_cmd: list[str]) -> None:
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "linkguard", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout.startswith("linkguard ")


def test_a_scan_cut_by_max_pages_says_so_everywhere(tmp_path: Path) -> None:
    """Console, results JSON and HTML report all say how many pages a limit kept out."""
    site = tmp_path / "site"
    site.mkdir()
    for n in range(5):
        (site / f"p{n}.html").write_text(f"<title>{n}</title><a href='/p{n + 1}.html'>next</a>")
    out = tmp_path / "r.json"
    report = tmp_path / "report.html"
    result = runner.invoke(
        app,
        [
            *("scan", str(site), "--max-pages", "2"),
            *("--format", "json", "--output", str(out)),
            *("--format", "html", "--output", str(report)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "not scanned" in result.output
    assert "3 pages found, kept out by crawl.max_pages 3" in result.output
    data = json.loads(out.read_text())
    assert data["summary"]["not_crawled"] == {"max_pages": 3}
    assert len(data["pages"]) == 2
    html = report.read_text()
    assert "CRAWL LIMITS REACHED." in html
    assert "<code>crawl.max_pages</code> (3)" in html


def test_a_format_without_output_goes_to_its_default_file(
    sample_sites: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--format and --output pair by position; a format left without one gets its own name."""
    monkeypatch.chdir(tmp_path)
    site = sample_sites / "northwind-clinic"
    args = ["scan", str(site), "--config", str(site / "linkguard.toml"), "--quiet"]
    result = runner.invoke(app, [*args, "-f", "json", "-o", "r.json", "-f", "sarif", "-f", "text"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "linkguard.sarif",
        "linkguard.txt",
        "r.json",
    ]
    report = runner.invoke(app, ["report", "r.json", "-f", "markdown", "-f", "junit"])
    assert report.exit_code == 0, report.output
    assert {"linkguard-summary.md", "linkguard-junit.xml"} <= {p.name for p in tmp_path.iterdir()}
    assert runner.invoke(app, ["report", "r.json"]).exit_code == 0
    assert (tmp_path / "linkguard-report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["scan"], "scan needs a TARGET"),
        (
            ["scan", ".", "-q", "--baseline", "missing.json"],
            "missing.json: cannot read results file",
        ),
        (["classify", "--", "/x"], "classify needs an origin"),
        (["links", ".", "--max-pages", "0"], "--max-pages must be at least 1, not 0"),
        (["report", "missing.json"], "missing.json: cannot read results file"),
        (["diff", "missing.json", "missing.json"], "missing.json: cannot read results file"),
        (["init", "missing-folder"], "neither an http(s) URL nor a folder"),
        (["demo", "no-such-site"], "no sample site named 'no-such-site'"),
    ],
)
def test_every_command_fails_through_one_error_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    """A mistake the user can fix is one line (and a tip) on stderr and exit code 2, never a
    traceback, whichever command made it."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("linkguard: error: ") and says in result.stderr
    assert "Traceback" not in result.output and not result.stdout


def test_a_multi_line_start_tag_is_reported_on_its_first_line(tmp_path: Path) -> None:
    """In the results and in SARIF, a finding points at the ``<a``, not at the ``>`` five
    lines further down where the tag ends."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<p>intro</p>\n<a\n  class="x"\n  href="https://partner.example/"\n  title="t"\n>go</a>\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["scan", str(site), "-f", "json", "-o", str(tmp_path / "r.json"),
              "-f", "sarif", "-o", str(tmp_path / "r.sarif")],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    [finding] = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]
    assert (finding["rule"], finding["file"], finding["line"]) == (
        "exit-notice-missing", "index.html", 2,
    )  # fmt: skip
    sarif = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    [location] = sarif["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"]["region"]["startLine"] == 2


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_outputs_follow_the_umask(tmp_path: Path, umask: int) -> None:
    """A report is written with the mode any new file gets (0666 less the umask), not 0600,
    so one published on an intranet server can be read; still atomically, nothing left."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<a href="/about/">about</a>', encoding="utf-8")
    out = tmp_path / "out"
    previous = os.umask(umask)
    try:
        result = runner.invoke(
            app, ["scan", str(site), "-f", "json", "-o", str(out / "r.json"),
                  "-f", "html", "-o", str(out / "r.html")],
        )  # fmt: skip
        report = runner.invoke(
            app, ["report", str(out / "r.json"), "-f", "markdown", "-o", str(out / "r.md")]
        )
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert report.exit_code == 0, report.output
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes == dict.fromkeys(("r.json", "r.html", "r.md"), 0o666 & ~umask)


def test_short_help_and_version_options_work_like_the_long_ones() -> None:
    """-h on the program and on a command, and -V, as command-line users expect."""
    runner = CliRunner()
    assert runner.invoke(app, ["-h"]).output == runner.invoke(app, ["--help"]).output
    scan_help = runner.invoke(app, ["scan", "-h"])
    assert scan_help.exit_code == 0 and "--templates" in scan_help.output
    version = runner.invoke(app, ["-V"])
    assert version.exit_code == 0 and version.output.startswith("linkguard ")
    assert version.output == runner.invoke(app, ["--version"]).output


def test_colour_follows_no_color_force_color_and_dumb_terminals(
    tmp_path: Path, linkguard_cmd: list[str], sample_sites: Path
) -> None:
    """FORCE_COLOR colours a CI log (not a terminal); NO_COLOR wins; TERM=dumb is plain."""
    from linkguard.cli._outputs import wants_color

    assert wants_color(True, {}) and not wants_color(False, {})
    assert not wants_color(True, {"TERM": "dumb"})
    assert not wants_color(True, {"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert wants_color(False, {"FORCE_COLOR": "1"}) and not wants_color(False, {"FORCE_COLOR": "0"})

    def summary(**env: str) -> str:
        run = subprocess.run(
            [*linkguard_cmd, "scan", str(sample_sites / "leaky-shop"), "-o", str(tmp_path / "r")],
            capture_output=True, text=True, env={**os.environ, **env}, timeout=120,
        )  # fmt: skip
        return run.stderr

    assert "\x1b[" in summary(FORCE_COLOR="1")  # stderr is a pipe here, not a terminal
    assert "\x1b[" not in summary(FORCE_COLOR="1", NO_COLOR="1")
