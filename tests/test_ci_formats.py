"""The CI formats on results built directly: GitHub annotations (escaping as the runner
unescapes), GitLab Code Quality (shape, stable fingerprints), and SARIF within GitHub's
documented limits on a very large run (folding said in the run), valid against the schema."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from github_runner import parse_command, workflow_commands
from report_samples import failing_site, finding, hostile_site, passing_site
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.model import Finding, ScanResult, Severity
from linkguard.reporters import Format, render
from linkguard.reporters import sarif as sarif_module

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import gen_site

SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
E, W = Severity.ERROR, Severity.WARNING


def in_repository(result: ScanResult, folder: str = "site/templates") -> ScanResult:
    run = replace(result.run, repository="/work/repo", repository_folder=folder)
    return replace(result, run=run)


def template_finding(file: str, line: int, rule: str = "exit-notice-missing") -> Finding:
    return finding(
        rule, E, f"https://www.example.com/{file}", line, "https://partner.example/",
        "partner.example", '<a href="https://partner.example/">', "Link has no exit notice.",
        file=file,
    )  # fmt: skip


# -- GitHub annotations ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "footer.html",
        "a,line=9::b.html",
        "100%25,%0A.html",
        "::error file=README.md::x.html",
        "new\nline.html",
        "rtl\u202etxt.html",
    ],
)
def test_an_annotation_names_the_file_the_runner_will_read(name: str) -> None:
    result = in_repository(passing_site())
    result = replace(result, findings=(template_finding(name, 7),))
    text = render(result, Format.GITHUB)
    commands = workflow_commands(text)
    assert commands == text.splitlines()  # every line is a command, and only our own
    (kind, props, message), (last, verdict, said) = map(parse_command, commands)
    assert (kind, props["line"], props["title"]) == ("error", "7", "exit-notice-missing")
    shown = name.replace("\n", "\\n").replace("\u202e", "\\u202e")  # display.py's escapes
    assert props["file"] == f"site/templates/{shown}"
    assert set(props) == {"file", "line", "title"}
    assert message == "Link has no exit notice. (https://partner.example/)"
    assert (last, verdict, said.split(":")[0]) == ("notice", {"title": "linkguard"}, "FAIL")


def test_annotations_fold_crawled_pages_and_leave_out_known_and_suppressed() -> None:
    result = failing_site()
    commands = [parse_command(line) for line in render(result, Format.GITHUB).splitlines()]
    shown = [c for c in commands if c[1].get("title") != "linkguard"]
    new = [f for f in result.findings if not f.known and f.suppressed_by is None]
    assert len(shown) == len({(f.rule, f.target) for f in new if not f.file}) + sum(
        1 for f in new if f.file
    )
    exit_notice = next(m for _, p, m in shown if "social.example.net" in m)
    assert "and 29 more pages." in exit_notice
    ranks = [{"error": 3, "warning": 2, "notice": 1}[kind] for kind, _, _ in shown]
    assert ranks == sorted(ranks, reverse=True)  # most severe first


def test_hostile_results_give_the_runner_no_command_but_the_annotations() -> None:
    text = render(hostile_site(), Format.GITHUB)
    assert workflow_commands(text) == text.splitlines()
    for line in text.splitlines():
        assert "##[" not in line and "\n" not in parse_command(line)[2]


# -- GitLab Code Quality ---------------------------------------------------------------------
def test_code_quality_issues_have_what_gitlab_requires() -> None:
    result = in_repository(failing_site())
    result = replace(result, run=replace(result.run, config="linkguard.toml"))
    issues = json.loads(render(result, Format.CODEQUALITY))
    assert issues and isinstance(issues, list)
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["lines"]["begin"], int)
    prints = [i["fingerprint"] for i in issues]
    assert len(prints) == len(set(prints))  # GitLab tells issues apart by fingerprint
    policy = next(i for i in issues if i["check_name"] == "unused-declaration")
    assert policy["location"]["path"] == "linkguard.toml"
    assert not any("waiver" in i["description"] for i in issues)  # suppressed: left out


def test_code_quality_fingerprints_survive_moved_lines_and_other_pages() -> None:
    before = in_repository(passing_site())
    before = replace(before, findings=(template_finding("footer.html", 7),))
    after = replace(before, findings=(replace(before.findings[0], line=40),))
    [one] = json.loads(render(before, Format.CODEQUALITY))
    [two] = json.loads(render(after, Format.CODEQUALITY))
    assert one["fingerprint"] == two["fingerprint"]
    assert (one["location"]["path"], two["location"]["lines"]["begin"]) == (
        "site/templates/footer.html",
        40,
    )


# -- SARIF on a very large run ---------------------------------------------------------------
def _crawl_findings(targets: int, pages: int) -> tuple[Finding, ...]:
    """``targets`` different bad links, each on one page, plus one footer bug on ``pages``."""
    out = [
        finding(
            "exit-notice-missing",
            W if n % 2 else E,
            f"https://www.example.com/p{n}/",
            10,
            f"https://t{n}.example/",
            f"t{n}.example",
            f'<a href="https://t{n}.example/">',
            "m",
        )
        for n in range(targets)
    ]
    out += [
        finding(
            "undeclared-script",
            E,
            f"https://www.example.com/page{n}/",
            3,
            "https://cdn.tracker.example/t.js",
            "cdn.tracker.example",
            "<script>",
            "s",
            kind="script",
        )
        for n in range(pages)
    ]
    return tuple(out)


@pytest.mark.slow
def test_a_huge_crawl_stays_within_github_s_limits_and_says_what_was_folded() -> None:
    findings = _crawl_findings(targets=30_000, pages=5_000)
    result = replace(failing_site(), findings=findings, suppressed=())
    text = render(result, Format.SARIF)
    log = json.loads(text)
    run = log["runs"][0]
    results = run["results"]
    assert len(results) == sarif_module.MAX_RESULTS  # 30,001 folds: the least severe left out
    assert all(r["level"] == "error" or r["level"] == "warning" for r in results)
    assert sum(r["level"] == "error" for r in results) == 15_000 + 1  # every error kept
    for result_ in results:
        assert len(result_["locations"]) + len(result_.get("relatedLocations", ())) <= 1000
        assert len(result_.get("relatedLocations", ())) <= sarif_module.MAX_RELATED
    footer = next(r for r in results if r["ruleId"] == "undeclared-script")
    assert footer["properties"]["occurrences"] == 5_000
    folding = run["properties"]["folding"]
    assert folding["findings"] == 35_000 and folding["resultsLeftOut"] == 30_001 - 25_000
    assert folding["findingsLeftOut"] == 5_001  # one warning each
    assert folding["relatedLocationsLeftOut"] == 4_999 - folding["relatedLocationsPerResult"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    said = " ".join(n["message"]["text"] for n in notes)
    assert "one result per rule and target" in said and "5000 results" in said
    assert len(gzip.compress(text.encode("utf-8"))) < 10 * 1024 * 1024  # the upload limit


def test_many_file_findings_fold_by_rule_and_target_past_the_result_limit() -> None:
    findings = tuple(template_finding(f"t{n}.html", n % 50 + 1) for n in range(26_000))
    result = in_repository(replace(passing_site(), findings=findings))
    run = json.loads(render(result, Format.SARIF))["runs"][0]
    [folded] = run["results"]
    assert run["properties"]["folding"]["filesFolded"] is True
    assert folded["properties"]["occurrences"] == 26_000
    assert folded["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "site/templates/t0.html",
        "uriBaseId": "%SRCROOT%",
    }


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_folded_and_repository_rooted_sarif_is_valid(validator: jsonschema.Draft4Validator) -> None:
    result = replace(failing_site(), findings=_crawl_findings(targets=50, pages=300))
    for sample in (result, in_repository(hostile_site())):
        log = json.loads(render(sample, Format.SARIF))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_past_the_cap_annotations_fold_by_rule_and_target_and_say_what_was_left_out() -> None:
    from linkguard.reporters.github import MAX_ANNOTATIONS

    findings = tuple(template_finding(f"t{n}.html", 3) for n in range(MAX_ANNOTATIONS + 1))
    many_targets = tuple(
        replace(template_finding("x.html", n + 1), target=f"https://t{n}.example/", severity=W)
        for n in range(MAX_ANNOTATIONS + 5)
    )
    result = in_repository(replace(passing_site(), findings=findings + many_targets))
    commands = [parse_command(line) for line in render(result, Format.GITHUB).splitlines()]
    assert len(commands) == MAX_ANNOTATIONS + 1
    kind, props, message = commands[0]  # the error on 1,001 files: one annotation, first
    assert (kind, props["file"]) == ("error", "site/templates/t0.html")
    assert message.endswith(f"Also in {MAX_ANNOTATIONS} more places.")
    assert commands[-1][2].endswith("; 6 less severe annotations left out (see the report)")


# -- SARIF of a real crawl of the synthetic site ---------------------------------------------
@pytest.mark.slow
def test_sarif_of_a_crawl_of_the_synthetic_site_is_valid_folded_and_within_limits(
    tmp_path: Path, serve: Callable[[Path], str], validator: jsonschema.Draft4Validator
) -> None:
    site = tmp_path / "site"
    gen_site.generate(site, 120, seed=1)
    base = serve(site)
    out = tmp_path / "crawl.sarif"
    done = CliRunner().invoke(
        app,
        ["scan", base + "/", "--config", str(site / "linkguard.toml"), "-q",
         "-f", "sarif", "-o", str(out), "-f", "json", "-o", str(tmp_path / "crawl.json")],
    )  # fmt: skip
    assert done.exit_code == 1, done.output
    text = out.read_text(encoding="utf-8")
    log = json.loads(text)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    findings = json.loads((tmp_path / "crawl.json").read_text(encoding="utf-8"))["findings"]
    run = log["runs"][0]
    results = run["results"]
    assert len(results) < len(findings)  # one per rule and target, not one per page
    assert max(r["properties"]["occurrences"] for r in results) >= 100  # a head script
    counted = sum(r["properties"]["occurrences"] for r in results)
    assert counted == len(findings) + len(
        json.loads((tmp_path / "crawl.json").read_text(encoding="utf-8"))["suppressed"]
    )
    assert {(r["ruleId"], r["properties"]["target"]) for r in results} == {
        (f["rule"], f["target"]) for f in findings
    }
    assert run["properties"]["folding"]["foldedResults"] == len(results)
    for result in results:
        assert len(result.get("relatedLocations", ())) <= sarif_module.MAX_RELATED
    prints = [r["partialFingerprints"]["linkguard/v1"] for r in results]
    assert len(prints) == len(set(prints))
    assert len(gzip.compress(text.encode("utf-8"))) < 10 * 1024 * 1024
