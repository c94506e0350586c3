"""Reporters: every format renders every sample as its golden file, and each format keeps
its own promises (SARIF valid against the official schema, JUnit well-formed, Markdown inert,
console summary)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from report_samples import SAMPLES, XSS_IMG, assert_golden, failing_site, hostile_site, passing_site

from linkguard._version import __version__
from linkguard.model import Finding, ScanResult, Severity, ThirdParty
from linkguard.reporters import Format, render, renderer_for
from linkguard.reporters._digest import vendors
from linkguard.reporters.console import render_summary
from linkguard.reporters.markdown import code
from linkguard.results import from_json, to_dict, to_json
from linkguard.results.verdict import is_failing, verdict_of
from linkguard.rules import RULES

SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
EXTENSIONS = {
    Format.HTML: "html",
    Format.JSON: "json",
    Format.SARIF: "sarif",
    Format.JUNIT: "junit.xml",
    Format.MARKDOWN: "md",
    Format.TEXT: "txt",
}


# -- the factory -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_has_a_reporter(fmt: Format) -> None:
    text = renderer_for(fmt)(passing_site())
    assert isinstance(text, str) and text.endswith("\n")
    assert render(passing_site(), fmt) == text


def test_render_takes_the_format_name_too() -> None:
    assert render(passing_site(), "markdown") == render(passing_site(), Format.MARKDOWN)  # type: ignore[arg-type]


# -- golden files ------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_golden(sample: str, fmt: Format) -> None:
    assert_golden(f"{sample}.{EXTENSIONS[fmt]}", render(SAMPLES[sample](), fmt))


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_golden_console(sample: str) -> None:
    assert_golden(f"{sample}.console.txt", render_summary(SAMPLES[sample]()) + "\n")


def _written_by(result: ScanResult, version: str) -> ScanResult:
    return replace(result, run=replace(result.run, tool_version=version))


@pytest.mark.parametrize("fmt", [*Format, "console"])
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_a_result_that_names_no_version_shows_the_running_one(sample: str, fmt: str) -> None:
    """Reports name the linkguard that wrote the result; the samples name a fixed one, so
    their golden files stay put when linkguard's version changes."""

    def draw(result: ScanResult) -> str:
        return render_summary(result) if fmt == "console" else render(result, Format(fmt))

    marker = "9.9.9-sample"
    named = draw(_written_by(SAMPLES[sample](), marker))
    assert (marker in named) is (fmt not in (Format.MARKDOWN, Format.TEXT))  # no version there
    assert draw(_written_by(SAMPLES[sample](), "")) == named.replace(marker, __version__)


# -- the verdict every report shares -------------------------------------------------------------
def _one(severity: Severity, **changes: object) -> Finding:
    base = Finding(
        rule="missing-sri",
        severity=severity,
        page="https://a.example/",
        line=3,
        target="https://t.example/x.js",
        host="t.example",
        element="<script>",
        message="m",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("severity", "fail_on", "changes", "fails"),
    [
        (Severity.ERROR, "error", {}, True),
        (Severity.WARNING, "error", {}, False),
        (Severity.WARNING, "warning", {}, True),
        (Severity.INFO, "warning", {}, False),
        (Severity.INFO, "info", {}, True),
        (Severity.ERROR, "never", {}, False),
        (Severity.ERROR, "error", {"known": True}, False),
        (Severity.ERROR, "error", {"suppressed_by": "waiver: x"}, False),
    ],
)
def test_a_finding_fails_the_run_when_new_unsuppressed_and_at_fail_on(
    severity: Severity, fail_on: str, changes: dict[str, object], fails: bool
) -> None:
    assert is_failing(_one(severity, **changes), fail_on) is fails


def test_verdicts_of_the_samples() -> None:
    assert verdict_of(passing_site()).status == "PASS"
    failing = verdict_of(failing_site())
    assert failing.status == "FAIL"
    assert failing.failing == sum(
        1 for f in failing_site().findings if not f.known and f.severity.rank >= 2
    )
    assert verdict_of(hostile_site()).status == "FAIL"
    quiet = replace(hostile_site(), findings=())
    assert verdict_of(quiet).status == "INCOMPLETE"


def test_vendors_fold_hosts_by_declaration_then_by_site() -> None:
    listed = {v.name: v for v in vendors(failing_site().third_parties)}
    assert [h.host for h in listed["Google Tag Manager"].hosts] == [
        "www.google-analytics.com",
        "www.googletagmanager.com",
    ]
    assert listed["Google Tag Manager"].declared
    cdn = listed["example-cdn.net"]
    assert (
        not cdn.declared and len(cdn.hosts) == 3 and cdn.kinds == ("frame", "image", "stylesheet")
    )
    assert [v.status for v in listed.values()] == [
        "undeclared",
        "undeclared",
        "undeclared",
        "declared",
        "linked",
        "linked",
        "linked",
    ]
    assert listed["example.net"].status == "linked"  # only linked to: no declaration needed


def test_a_vendor_a_script_only_names_needs_no_declaration() -> None:
    def host(name: str, kinds: tuple[str, ...]) -> ThirdParty:
        return ThirdParty(host=name, site=name, name=None, declared=False, kinds=kinds, pages=1)

    listed = {
        v.name: v.status
        for v in vendors(
            (
                host("s.w.org", ("mention",)),
                host("pay.example.net", ("link", "mention")),
                host("tracker.example.org", ("mention", "script")),
            )
        )
    }
    assert listed == {
        "s.w.org": "linked",
        "pay.example.net": "linked",
        "tracker.example.org": "undeclared",
    }


# -- JSON -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_json_is_the_results_contract(sample: str) -> None:
    result = SAMPLES[sample]()
    text = render(result, Format.JSON)
    assert text == to_json(result)
    assert render(from_json(text), Format.JSON) == text
    # The streamed writer's fast path for flat objects is byte for byte json.dumps.
    assert text == json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"


# -- SARIF ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_sarif_is_valid_against_the_official_schema(
    sample: str, sarif_validator: jsonschema.Draft4Validator
) -> None:
    log = json.loads(render(SAMPLES[sample](), Format.SARIF))
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_sarif_rules_carry_rationale_fix_and_examples() -> None:
    log = json.loads(render(failing_site(), Format.SARIF))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "linkguard" and driver["version"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(RULES) <= set(rules)
    exit_rule = rules["exit-notice-missing"]
    assert exit_rule["shortDescription"]["text"] == RULES["exit-notice-missing"].rationale
    assert exit_rule["defaultConfiguration"]["level"] == "error"
    assert RULES["exit-notice-missing"].bad in exit_rule["help"]["markdown"]
    assert RULES["exit-notice-missing"].good in exit_rule["help"]["text"]
    assert rules["unused-declaration"]["defaultConfiguration"]["level"] == "note"
    assert RULES["internal-error"].fix in rules["internal-error"]["help"]["text"]
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_describes_a_rule_outside_this_versions_catalogue() -> None:
    sample = failing_site()
    retired = replace(sample.findings[0], rule="retired-rule")  # from an older results file
    log = json.loads(render(replace(sample, findings=(*sample.findings, retired)), Format.SARIF))
    driver = log["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [*RULES, "retired-rule"]
    assert "not in this version's catalogue" in driver["rules"][-1]["shortDescription"]["text"]
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_results_locate_fingerprint_baseline_and_suppress() -> None:
    result = failing_site()
    log = json.loads(render(result, Format.SARIF))
    results = log["runs"][0]["results"]
    assert len(results) == len(result.findings) + len(result.suppressed)
    for entry in results:
        location = entry["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] >= 1
        assert re.fullmatch(r"[0-9a-f]{16}", entry["partialFingerprints"]["linkguard/v1"])
        assert entry["baselineState"] in ("new", "unchanged")
    unused = next(e for e in results if e["ruleId"] == "unused-declaration")
    assert unused["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "linkguard.toml"
    )
    known = [e for e in results if e["baselineState"] == "unchanged"]
    assert len(known) == sum(1 for f in result.findings if f.known)
    suppressed = [e for e in results if "suppressions" in e]
    assert {
        (s["suppressions"][0]["kind"], s["suppressions"][0]["justification"]) for s in suppressed
    } == {
        ("inSource", "data-linkguard-ignore"),
        ("external", "waiver: self-hosting the font in Q2 (until 2026-06-30)"),
    }
    levels = {e["ruleId"]: e["level"] for e in results}
    assert levels["missing-sri"] == "warning" and levels["undeclared-script"] == "error"


def test_sarif_without_baseline_has_no_baseline_state() -> None:
    log = json.loads(render(passing_site(), Format.SARIF))
    assert all("baselineState" not in e for e in log["runs"][0]["results"])


def test_sarif_uses_the_template_file_and_keeps_hostile_urls_inert() -> None:
    log = json.loads(render(hostile_site(), Format.SARIF))
    uris = [
        e["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for e in log["runs"][0]["results"]
    ]
    assert "templates/search.html" in uris
    assert all("<" not in uri and " " not in uri for uri in uris)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False


# -- JUnit ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_junit_is_well_formed_with_a_case_per_page(sample: str) -> None:
    result = SAMPLES[sample]()
    root = ET.fromstring(render(result, Format.JUNIT).encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    pages = {p.url for p in result.pages} | {f.page for f in result.findings}
    assert len(cases) == len(pages) + (0 if result.run.complete else 1)
    assert {c.get("classname") for c in cases} == {result.run.origin}
    failures = suite.findall("testcase/failure")
    assert len(failures) == verdict_of(result).failing
    failed_cases = [c for c in cases if c.find("failure") is not None]
    assert len(failed_cases) == int(suite.get("failures", "-1"))


def test_junit_fails_only_what_fails_the_run() -> None:
    root = ET.fromstring(render(failing_site(), Format.JUNIT))
    case = next(c for c in root.iter("testcase") if c.get("name") == "/products/item-003/")
    failures = case.findall("failure")
    # fail-on warning: the new undeclared script fails; the known exit notice and known SRI
    # finding are reported as output only
    assert [f.get("type") for f in failures] == ["undeclared-script"]
    out = case.findtext("system-out") or ""
    assert "missing-sri" in out and "[known]" in out and "exit-notice-missing" in out


def test_junit_escapes_hostile_text_and_drops_impossible_characters() -> None:
    text = render(hostile_site(), Format.JUNIT)
    root = ET.fromstring(text)
    assert "\x00" not in text and "\x07" not in text
    messages = [f.get("message", "") for f in root.iter("failure")]
    assert any(XSS_IMG in m for m in messages)  # the text survives, escaped, as text
    assert root.find(".//testcase[@name='(scan)']/error") is not None  # incomplete scan


# -- Markdown ------------------------------------------------------------------------------
_SPAN = re.compile(r"(`+)(.*?)\1")


def _outside_code(markdown: str) -> str:
    return _SPAN.sub("", markdown)


def test_markdown_verdict_counts_coverage_and_baseline() -> None:
    text = render(failing_site(), Format.MARKDOWN)
    assert text.startswith("## linkguard: FAIL\n")
    assert "| error | 90 | 16 |" in text
    assert "- Exit notices: 46 of 138 outbound links (33.3%)." in text
    assert "- Baseline: 78 new, 56 known, 3 fixed." in text
    assert "| suppressed | 2 | |" in text
    assert render(passing_site(), Format.MARKDOWN).startswith("## linkguard: PASS\n")


def test_markdown_caps_the_list_at_twenty_groups() -> None:
    from linkguard.reporters import markdown

    text = markdown.render(failing_site(), top=3)
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| error |")
        or line.startswith("| warning |")
        or line.startswith("| info |")
    ]
    assert len(rows) == 3 + 3  # three severity count rows, three findings
    assert re.search(r"and 8 more groups \(\d+ findings\)", text)


def test_markdown_crawled_text_is_inert() -> None:
    text = render(hostile_site(), Format.MARKDOWN)
    outside = _outside_code(text)
    assert "<" not in outside and "http" not in outside and "javascript" not in outside
    for line in text.splitlines():
        if line.startswith("| error |") and "exit-notice" in line:
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) == 7  # 5 cells: pipes inside code spans are escaped
    assert "INCOMPLETE SCAN" in text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain", "`plain`"),
        ("a`b", "`` a`b ``"),
        ("``x", "``` ``x ```"),
        ("a|b", "`a\\|b`"),
        ("line\nbreak\u2028", "`line\\nbreak\\u2028`"),
        ("", "(none)"),
    ],
)
def test_markdown_code_spans(raw: str, shown: str) -> None:
    assert code(raw) == shown


# -- console ------------------------------------------------------------------------------------
def test_console_summary_is_plain_unless_colour_is_asked() -> None:
    plain = render_summary(failing_site())
    assert "\x1b[" not in plain
    assert "verdict" in plain and "FAIL" in plain
    assert "46 with exit notice (33.3%)" in plain
    assert "7: 1 declared, 3 undeclared, 3 only linked to (10 hosts)" in plain
    coloured = render_summary(failing_site(), color=True)
    assert "\x1b[1;31mFAIL\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_console_summary_says_incomplete_and_hides_control_characters() -> None:
    result = hostile_site()
    result = replace(result, run=replace(result.run, origin="https://x.example/\x1b[2J"))
    text = render_summary(result)
    assert "INCOMPLETE" in text and "\x1b" not in text
