"""What linkguard prints cannot be steered by what it judges: file names, URLs and text from
pages reach a terminal, a CI log and the HTML report escaped, never as commands, escape
sequences or bidirectional reordering."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import lxml.html
from github_runner import workflow_commands
from report_samples import TOOL_VERSION, finding
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.display import json_text, log_line, shown
from linkguard.model import RunInfo, ScanResult, Severity, Summary
from linkguard.reporters.console import render_summary

runner = CliRunner()

RLO = "\u202e"  # right-to-left override: "abc\u202eexe.html" reads as "abclmth.exe"
CSI = "\x9b"  # the one-byte C1 escape sequence introducer
ISOLATES = "\u2066\u2067\u2068\u2069"
MARKS = "\u200e\u200f"
# Every character a terminal or a reviewer could be steered by, in one string.
HOSTILE = f"{RLO}{CSI}31m\x1b[2J{ISOLATES}{MARKS}\u061c\u200b\ufeff\x7f\x85\u2028\U000e0041"
RAW = set(HOSTILE) - {"[", "2", "J", "3", "1", "m"}
COMMAND_NAME = "::error file=README.md,line=1,title=Approved::Approved.html"
TRACKER = '<script src="https://tracker.example/t.js"></script>\n'
ORIGIN = ("--origin", "https://www.example.com")


def _templates(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for name, body in files.items():
        (root / name).write_text(body, encoding="utf-8")
    return root


def _scan(root: Path, fmt: str, output: str = "-") -> str:
    """A template scan of ``root`` written in ``fmt``: stdout, or the file ``output``."""
    args = ["scan", "--templates", str(root), *ORIGIN, "-f", fmt, "-o", output, "--quiet"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    return result.stdout if output == "-" else Path(output).read_text(encoding="utf-8")


# -- the shared helper ------------------------------------------------------------------
def test_the_helper_escapes_every_steering_character_and_leaves_text_alone() -> None:
    assert shown("партнёр 外部サイト\ttab ok") == "партнёр 外部サイト\ttab ok"
    escaped = shown(f"a{HOSTILE}z ##[error]x")
    assert not RAW & set(escaped), escaped
    assert escaped.startswith("a\\u202e\\x9b31m\\x1b[2J\\u2066\\u2067\\u2068\\u2069\\u200e")
    assert escaped.endswith("\\U000e0041z ##\\x5berror]x")
    assert shown("bad\udcffname") == "bad\\udcffname"  # a name that is not UTF-8
    assert log_line(" \u3000::error::x") == " \u3000\\x3a:error::x"
    line = json_text({"href": f"{HOSTILE}##[x]\udcff"})
    assert json.loads(line) == {"href": f"{HOSTILE}##[x]\udcff"}
    assert not RAW & set(line) and "##[" not in line


# -- item: the text format cannot emit a workflow command --------------------------------
def test_a_file_named_like_a_workflow_command_gives_the_runner_no_command(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    root = _templates(
        tmp_path / "templates",
        {COMMAND_NAME: TRACKER, "x ##[warning]y.html": TRACKER, " ::notice::z.html": TRACKER},
    )
    for out in (
        _scan(root, "text"),
        subprocess.run(
            [*linkguard_cmd, "scan", "--templates", str(root), *ORIGIN, "-f", "text", "-o", "-"],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout,
    ):
        assert workflow_commands(out) == [], out
        assert "\\x3a:error file=README.md,line=1,title=Approved::Approved.html:1:1: error: " in out
        assert "x ##\\x5bwarning]y.html:1:1: error: " in out
        assert " \\x3a:notice::z.html:1:1: error: " in out


# -- item: control and bidirectional characters are shown escaped -----------------------
def test_text_output_shows_control_and_bidi_characters_escaped(tmp_path: Path) -> None:
    root = _templates(tmp_path / "templates", {f"x{HOSTILE}.html": TRACKER})
    out = _scan(root, "text")
    assert not RAW & set(out), repr(out)
    assert f"x{shown(HOSTILE)}.html:1:1: error: " in out
    assert len(out.splitlines()) == 3  # the finding, its fix, the verdict: no forged line


def test_links_and_classify_print_json_escapes_for_control_and_bidi(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    href = f"https://evil.example/{HOSTILE}"
    page = f'<!DOCTYPE html><a href="{href}" title="t">x</a>'.encode()
    (site / "index.html").write_bytes(page)
    listed = runner.invoke(app, ["links", str(site), *ORIGIN])
    assert listed.exit_code == 0, listed.output
    assert not RAW & set(listed.stdout), repr(listed.stdout)
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["href"] == href  # escaped for the terminal, the same string for a reader
    classified = runner.invoke(app, ["classify", *ORIGIN, "--", href, f"/{CSI}x"])
    assert classified.exit_code == 0, classified.output
    assert not RAW & set(classified.stdout), repr(classified.stdout)
    rows = [json.loads(line) for line in classified.stdout.splitlines()]
    assert [r["href"] for r in rows] == [href, f"/{CSI}x"]


def test_the_console_summary_shows_control_and_bidi_characters_escaped() -> None:
    why = f"redirect to a URL that is not http(s) or not valid: {HOSTILE}"
    run = RunInfo(
        target="templates",
        origin="https://www.example.com",
        first_party=(),
        started="2026-03-03T08:00:00Z",
        finished="2026-03-03T08:00:01Z",
        config=None,
        tool_version=TOOL_VERSION,
    )
    summary = Summary(
        pages=0,
        references=0,
        outbound_links=0,
        outbound_with_notice=0,
        third_party_hosts=0,
        findings={},
        start_page_error=why,
    )
    result = ScanResult(run, summary, (), (), (), (), ())
    text = render_summary(result)
    assert not RAW & set(text), repr(text)
    assert f"not valid: {shown(HOSTILE)})" in text
    painted = render_summary(result, color=True)  # linkguard's own colours, nothing else
    assert not (RAW - {"\x1b"}) & set(painted) and f"not valid: {shown(HOSTILE)})" in painted


def test_markdown_code_spans_show_control_and_bidi_characters_escaped(tmp_path: Path) -> None:
    root = _templates(tmp_path / "templates", {f"x{RLO}{CSI}.html": TRACKER})
    text = _scan(root, "markdown", str(tmp_path / "summary.md"))
    assert RLO not in text and CSI not in text
    assert "`x\\u202e\\x9b.html:1`" in text


# -- item: the HTML report isolates untrusted text ---------------------------------------
def test_the_html_report_isolates_untrusted_text_in_bdi_and_still_escapes_it(
    tmp_path: Path,
) -> None:
    name = f"<img src=x onerror=alert(1)>{RLO}lmth.exe.html"
    root = _templates(tmp_path / "templates", {name: TRACKER.replace("t.js", f"{RLO}t.js")})
    text = _scan(root, "html", str(tmp_path / "report.html"))
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    doc = lxml.html.document_fromstring(text)
    assert not doc.xpath("//img")
    holders = [
        node
        for node in doc.iter()
        if isinstance(node.tag, str)
        and (RLO in (node.text or "") or RLO in (node.tail or "") or RLO in node.get("title", ""))
    ]
    assert holders, "the file name is in the report"
    for node in holders:
        # text inside an element: the element is the bdi; a tail belongs to the parent
        inside = node if RLO in (node.text or "") else node.getparent()
        assert inside is not None and inside.tag == "bdi", lxml.html.tostring(inside)
    assert any("file" in (n.getparent().get("class") or "") for n in holders)


def _hostile_finding(**changes: object) -> ScanResult:
    """A results file (``linkguard report``) whose finding names its rule hostilely."""
    bad = finding(
        "exit-notice-missing",
        Severity.ERROR,
        "https://www.example.com/",
        3,
        "https://evil.example/",
        "evil.example",
        "<a>",
        f"Link {HOSTILE}",
        file=f"{HOSTILE}.html",
    )
    run = RunInfo(
        target="t",
        origin="https://www.example.com",
        first_party=(),
        started="2026-03-03T08:00:00Z",
        finished="2026-03-03T08:00:01Z",
        config=None,
        tool_version=TOOL_VERSION,
    )
    summary = Summary(
        pages=1,
        references=1,
        outbound_links=1,
        outbound_with_notice=0,
        third_party_hosts=1,
        findings={"error": 1},
    )
    return ScanResult(run, summary, (), (), (bad,), (), ())


def test_a_saved_results_file_rendered_as_text_is_escaped_too(tmp_path: Path) -> None:
    from linkguard.results import to_json

    saved = tmp_path / "results.json"
    saved.write_text(to_json(_hostile_finding()), encoding="utf-8")
    result = runner.invoke(app, ["report", str(saved), "--format", "text", "--output", "-"])
    assert result.exit_code == 0, result.output
    assert not RAW & set(result.stdout), repr(result.stdout)
    assert workflow_commands(result.stdout) == []


def test_diff_of_two_real_scans_gives_the_runner_no_command(tmp_path: Path) -> None:
    """A link's fragment keeps ``##[`` (URLs do not encode it there): ``diff`` prints it."""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "index.html").write_text("<p>home</p>", encoding="utf-8")
    href = "https://evil.example/##[error]pwned"
    (new / "index.html").write_text(f'<a href="{href}">x</a>', encoding="utf-8")
    for site in (old, new):
        args = ["scan", str(site), *ORIGIN, "-o", str(tmp_path / f"{site.name}.json"), "-q"]
        assert runner.invoke(app, args).exit_code in (0, 1)
    saved = [str(tmp_path / "old.json"), str(tmp_path / "new.json")]
    text = runner.invoke(app, ["diff", *saved])
    assert text.exit_code == 0, text.output
    assert workflow_commands(text.stdout) == [], text.stdout
    assert "https://evil.example/##\\x5berror]pwned" in text.stdout
    as_json = runner.invoke(app, ["diff", *saved, "--json"])
    assert workflow_commands(as_json.stdout) == [], as_json.stdout
    assert [f["target"] for f in json.loads(as_json.stdout)["new_findings"]] == [href]


def test_errors_and_warnings_quoting_a_target_show_it_escaped(tmp_path: Path) -> None:
    """An error or warning that quotes a folder name, an error from a server or a tip prints
    it as every report does: a bidi override shown as \\u202e, a leading :: never a command."""
    empty = tmp_path / "::error file=README.md::approved\u202eexe.lmth"
    empty.mkdir()
    runner = CliRunner()
    result = runner.invoke(app, ["scan", str(empty), "--output", str(tmp_path / "r.json")])
    assert result.exit_code == 4, result.output
    assert "\u202e" not in result.output and "\\u202e" in result.output
    assert workflow_commands(result.output) == []
    assert "no site origin is set" in result.output  # the warning quoted it too
