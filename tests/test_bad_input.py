"""Every bad input is a one-line error with a tip and exit code 2, never a traceback with exit
code 1 (which means "findings"), and the outputs that can be written still are: an output
path that is a folder, file names that are not UTF-8, results, baseline and resume files of
the wrong shape, JSON and TOML nested past any reason, numbers past any reason."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.scan.journal import identity

runner = CliRunner()
ORIGIN = "https://www.example.com"
CLEAN = "<p>Nothing to report.</p>"


def _site(root: Path, html: str = CLEAN) -> Path:
    root.mkdir()
    (root / "index.html").write_text(html, encoding="utf-8")
    (root / "linkguard.toml").write_text(f'[site]\norigin = "{ORIGIN}"\n', encoding="utf-8")
    return root


def _clean_error(output: str, *expected: str) -> None:
    """One error line (and its tip), no traceback."""
    assert "Traceback" not in output
    for text in expected:
        assert text in output, output
    assert "tip: " in output


def _results(tmp_path: Path) -> dict[str, object]:
    """A real results file, as `scan` writes it, to break in one place."""
    site = _site(tmp_path / "good-site", '<a href="https://x.example.net/">x</a>')
    out = tmp_path / "good.json"
    result = runner.invoke(app, ["scan", str(site), "-o", str(out), "-q"])
    assert result.exit_code == 1, result.output  # one finding: exit-notice-missing
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


# -- outputs -----------------------------------------------------------------------------
def test_an_output_that_is_a_folder_fails_cleanly_and_the_other_outputs_are_written(
    tmp_path: Path,
) -> None:
    site = _site(tmp_path / "site")
    folder = tmp_path / "reports"
    folder.mkdir()
    fine = tmp_path / "report.html"
    args = ["scan", str(site), "-f", "json", "-o", str(folder), "-f", "html", "-o", str(fine)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    _clean_error(result.output, f"{folder}: cannot write the json output: it is a folder")
    assert fine.read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    assert list(folder.iterdir()) == []  # no temporary file left behind


def test_report_and_init_to_a_folder_fail_cleanly(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps(_results(tmp_path)), encoding="utf-8")
    result = runner.invoke(app, ["report", str(saved), "-o", str(folder)])
    assert result.exit_code == 2
    _clean_error(result.output, f"{folder}: cannot write the html output: it is a folder")
    site = _site(tmp_path / "site")
    result = runner.invoke(app, ["init", str(site), "--force", "-o", str(folder)])
    assert result.exit_code == 2
    _clean_error(result.output, f"{folder}: cannot write the policy: it is a folder")


# -- file names ----------------------------------------------------------------------------
@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="these file systems want UTF-8")
def test_a_file_name_that_is_not_utf8_is_scanned_and_shown_escaped(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    name = os.fsdecode(b"caf\xe9.html")  # Latin-1, as an old upload tool saved it
    (site / name).write_text('<a href="https://x.example.net/">x</a>', encoding="utf-8")
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["scan", str(site), "-f", "json", "-o", str(out), "-q"])
    assert result.exit_code == 1, result.output  # the finding in café.html, nothing else
    data = json.loads(out.read_bytes().decode("utf-8"))  # strict UTF-8
    files = sorted(p["file"] for p in data["pages"])
    assert files == ["caf\\xe9.html", "index.html"]
    assert [f["file"] for f in data["findings"]] == ["caf\\xe9.html"]
    assert [p["url"] for p in data["pages"] if p["file"] != "index.html"] == [
        f"{ORIGIN}/caf%E9.html"  # the URL a static server serves the file at
    ]


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="these file systems want UTF-8")
def test_a_target_or_config_path_that_is_not_utf8_is_a_clean_error(tmp_path: Path) -> None:
    site = _site(tmp_path / os.fsdecode(b"build-\xff"))
    result = runner.invoke(app, ["scan", str(site), "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    _clean_error(result.output, "is not UTF-8 text")
    good = _site(tmp_path / "good")
    config = tmp_path / os.fsdecode(b"policy-\xff.toml")
    config.write_text(f'[site]\norigin = "{ORIGIN}"\n', encoding="utf-8")
    result = runner.invoke(app, ["scan", str(good), "-c", str(config), "-o", str(tmp_path / "r")])
    assert result.exit_code == 2
    _clean_error(result.output, "is not UTF-8 text")


# -- results, baselines and resume files of the wrong shape ---------------------------------
def _broken(data: dict[str, object], path: str, value: object) -> dict[str, object]:
    """``data`` (a results file) with the value at ``path`` (``findings.0.line``) replaced."""
    copy = json.loads(json.dumps(data))
    *parents, last = path.split(".")
    node = copy
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    return copy  # type: ignore[no-any-return]


WRONG = [
    ("findings", 5, "findings is a number, not a list"),
    ("findings.0.line", "x", "findings[0].line is a string, not an integer"),
    ("findings.0.page", 5, "findings[0].page is a number, not a string"),
    ("findings.0.severity", "fatal", "findings[0].severity is 'fatal', not one of error"),
    ("summary", [], "summary is a list, not an object"),
    ("summary.findings", {"error": "1"}, "summary.findings['error'] is a string, not an integer"),
    ("run.complete", "yes", "run.complete is a string, not true or false"),
    ("run.first_party", "example.com", "run.first_party is a string, not a list"),
    ("pages.0.depth", 1e400, "pages[0].depth is a number, not an integer"),
    ("third_parties.0.kinds", [1], "third_parties[0].kinds[0] is a number, not a string"),
    ("tool", 5, "tool is a number, not an object"),
]


@pytest.mark.parametrize(("path", "value", "message"), WRONG, ids=[w[0] for w in WRONG])
def test_a_results_or_baseline_file_of_the_wrong_shape_is_a_clean_error(
    tmp_path: Path, path: str, value: object, message: str
) -> None:
    bad = tmp_path / "bad.json"
    text = json.dumps(_broken(_results(tmp_path), path, value))
    bad.write_text(text.replace("Infinity", "1e400"), encoding="utf-8")
    for args in (
        ["report", str(bad), "-o", str(tmp_path / "report.html")],
        ["diff", str(bad), str(bad)],
        ["scan", str(_site(tmp_path / "site")), "--baseline", str(bad), "-o", "-"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        _clean_error(result.output, f"{bad}: malformed results file: {message}")


def test_a_results_file_that_is_not_text_or_nested_past_reason_is_a_clean_error(
    tmp_path: Path,
) -> None:
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\xd0\xff" * 10)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for bad, message in ((binary, "not UTF-8 text"), (deep, "nested too deeply")):
        result = runner.invoke(app, ["report", str(bad), "-o", str(tmp_path / "r.html")])
        assert result.exit_code == 2, result.output
        _clean_error(result.output, f"{bad}: ", message)


def test_a_resume_file_of_the_wrong_shape_is_a_clean_error(tmp_path: Path) -> None:
    target = "http://127.0.0.1:9/"  # never reached: the state file is refused first
    header = identity(target, "http://127.0.0.1:9", ("127.0.0.1",), None)
    page = {"url": target, "depth": 0, "hops": [], "follow": [], "page": {"references": 1e400}}
    for line, message in (
        (json.dumps(page).replace("Infinity", "1e400"), "line 2 is damaged"),
        ("[" * 100_000 + "]" * 100_000, "line 2 is damaged"),
        (json.dumps({**page, "depth": "deep"}), "line 2 is damaged"),
    ):
        state = tmp_path / "crawl.state"
        state.write_text(json.dumps(header) + "\n" + line + "\n", encoding="utf-8")
        result = runner.invoke(app, ["scan", target, "--resume", str(state), "-o", "-"])
        assert result.exit_code == 2, result.output
        _clean_error(result.output, f"{state}: {message}")


# -- policy files --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("a = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
        ("[site]\nfirst_party = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
        ("[crawl]\nmax_pages = 1e32", "[crawl.max_pages] must be a whole number"),
        ("[crawl]\nmax_pages = " + "1" + "0" * 30, "[crawl.max_pages] is out of range"),
        ("[crawl]\nmax_bytes = " + "1" + "0" * 17, "[crawl.max_bytes] is out of range"),
        ("[crawl]\nmax_depth = " + "1" + "0" * 30, "[crawl.max_depth] is out of range"),
        ("[crawl]\nmax_per_pattern = " + "9" * 30, "[crawl.max_per_pattern] is out of range"),
    ],
    ids=["deep", "deep-in-a-key", "float", "huge", "huge-bytes", "huge-depth", "huge-pattern"],
)
def test_a_policy_nested_or_numbered_past_reason_is_a_clean_error(
    tmp_path: Path, toml: str, message: str
) -> None:
    site = _site(tmp_path / "site")
    config = tmp_path / "linkguard.toml"
    config.write_text(toml + "\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(site), "-c", str(config), "-o", "-"])
    assert result.exit_code == 2, result.output
    _clean_error(result.output, f"{config}", message)


def test_a_page_limit_past_reason_on_the_command_line_is_a_clean_error(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    result = runner.invoke(app, ["scan", str(site), "--max-pages", "1" + "0" * 30, "-o", "-"])
    assert result.exit_code == 2, result.output
    _clean_error(result.output, "--max-pages must be from 1 to 10000000")
