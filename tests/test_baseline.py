"""--baseline and diff: findings matched by fingerprint, counted, across unrelated edits."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from linkguard.config import load_policy
from linkguard.model import (
    Finding,
    RunInfo,
    ScanResult,
    Severity,
    Summary,
    ThirdParty,
    fingerprint,
)
from linkguard.results import from_json, to_json
from linkguard.results.baseline import apply_baseline, diff, diff_to_json, render_diff
from linkguard.scan import ScanRequest, make_scope, run_scan

PAGE = "https://www.example.com/a.html"


def _finding(target: str, line: int = 3, rule: str = "exit-notice-missing") -> Finding:
    print_ = fingerprint(rule, PAGE, target, "link")
    host = "x.example.net"
    return Finding(
        rule=rule,
        severity=Severity.ERROR,
        page=PAGE,
        line=line,
        target=target,
        host=host,
        element="<a>",
        message="m",
        kind="link",
        fingerprint=print_,
    )


def _result(
    findings: tuple[Finding, ...] = (),
    suppressed: tuple[Finding, ...] = (),
    hosts: tuple[str, ...] = (),
) -> ScanResult:
    parties = tuple(
        ThirdParty(host=h, site=h, name=None, declared=False, kinds=("link",), pages=1)
        for h in hosts
    )
    return ScanResult(
        RunInfo(
            target="t",
            origin="https://www.example.com",
            first_party=(),
            started="",
            finished="",
            config=None,
        ),
        Summary(
            pages=1,
            references=1,
            outbound_links=0,
            outbound_with_notice=0,
            third_party_hosts=len(hosts),
        ),
        (),
        parties,
        findings,
        suppressed,
    )


def test_the_same_findings_are_all_known() -> None:
    base = _result((_finding("https://a/"), _finding("https://b/")))
    marked = apply_baseline(base, base)
    assert all(f.known for f in marked.findings)
    assert marked.summary.baseline == {"new": 0, "known": 2, "fixed": 0}


def test_a_finding_that_moved_lines_is_still_known() -> None:
    moved = _result((_finding("https://a/", line=40),))
    marked = apply_baseline(moved, _result((_finding("https://a/", line=3),)))
    assert marked.summary.baseline == {"new": 0, "known": 1, "fixed": 0}


def test_new_known_and_fixed_are_counted() -> None:
    old = _result((_finding("https://a/"), _finding("https://gone/")))
    new = _result((_finding("https://a/"), _finding("https://new/")))
    marked = apply_baseline(new, old)
    assert marked.summary.baseline == {"new": 1, "known": 1, "fixed": 1}
    assert [f.target for f in marked.findings if not f.known] == ["https://new/"]


def test_fingerprints_are_counted_not_collected() -> None:
    """A second unnoticed link to the same place on the same page is a new finding."""
    old = _result((_finding("https://a/", line=3),))
    new = _result((_finding("https://a/", line=3), _finding("https://a/", line=9)))
    marked = apply_baseline(new, old)
    assert marked.summary.baseline == {"new": 1, "known": 1, "fixed": 0}
    assert [f.line for f in marked.findings if not f.known] == [9]


def test_a_waived_finding_is_not_fixed_and_an_expired_waiver_brings_it_back() -> None:
    finding = _finding("https://a/")
    waived = replace(finding, suppressed_by="waiver: accepted")
    newly_waived = apply_baseline(_result(suppressed=(waived,)), _result((finding,)))
    assert newly_waived.summary.baseline == {"new": 0, "known": 0, "fixed": 0}
    expired = apply_baseline(_result((finding,)), _result(suppressed=(waived,)))
    assert expired.summary.baseline == {"new": 1, "known": 0, "fixed": 0}


def test_results_without_fingerprints_are_matched_by_computed_ones() -> None:
    bare = replace(_finding("https://a/"), fingerprint="")
    marked = apply_baseline(_result((_finding("https://a/"),)), _result((bare,)))
    assert marked.summary.baseline == {"new": 0, "known": 1, "fixed": 0}


def test_known_survives_the_results_file() -> None:
    marked = apply_baseline(_result((_finding("https://a/"),)), _result((_finding("https://a/"),)))
    again = from_json(to_json(marked))
    assert again.findings[0].known and again.summary.baseline == marked.summary.baseline


def test_diff_lists_new_and_fixed_findings_and_hosts() -> None:
    old = _result((_finding("https://a/"), _finding("https://gone/")), hosts=("a", "gone"))
    new = _result((_finding("https://a/", line=8), _finding("https://new/")), hosts=("a", "new"))
    changes = diff(old, new)
    assert [f.target for f in changes.new_findings] == ["https://new/"]
    assert [f.target for f in changes.fixed_findings] == ["https://gone/"]
    assert [t.host for t in changes.new_third_parties] == ["new"]
    assert [t.host for t in changes.gone_third_parties] == ["gone"]
    assert changes.changed and not diff(old, old).changed
    text = render_diff(changes, "old.json", "new.json")
    assert "new findings: 1\n  + error   exit-notice-missing    /a.html:3  https://new/" in text
    assert "fixed findings: 1" in text and "  - gone (link; undeclared)" in text
    data = json.loads(diff_to_json(changes))
    assert data["new_third_parties"] == ["new"] and data["fixed_findings"][0]["target"] == (
        "https://gone/"
    )


def test_a_new_waiver_is_not_a_fix_in_a_diff() -> None:
    finding = _finding("https://a/")
    waived = replace(finding, suppressed_by="waiver: accepted")
    assert not diff(_result((finding,)), _result(suppressed=(waived,))).changed


def _scan(target: Path) -> ScanResult:
    policy = load_policy(target / "linkguard.toml")
    return run_scan(ScanRequest(str(target), policy, make_scope(str(target), policy), policy.crawl))


def test_fingerprints_survive_unrelated_edits_of_a_real_site(
    sample_sites: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(sample_sites / "leaky-shop", site)
    before = _scan(site)
    for page in site.rglob("*.html"):  # every line moves
        page.write_text("\n\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    grinder = site / "products" / "grinder.html"
    html = grinder.read_text(encoding="utf-8")
    tracker = '<script src="https://t.example/x-1.0.0.js"></script></head>'
    grinder.write_text(html.replace("</head>", tracker), encoding="utf-8")
    after = apply_baseline(_scan(site), before)
    assert after.summary.baseline == {"new": 2, "known": len(before.findings), "fixed": 0}
    assert {(f.rule, f.target) for f in after.findings if not f.known} == {
        ("undeclared-script", "https://t.example/x-1.0.0.js"),
        ("missing-sri", "https://t.example/x-1.0.0.js"),
    }


# -- each occurrence its own fingerprint ---------------------------------------------------
BAD = '<p><a href="https://x.example.net/">x</a></p>\n'


def _scan_cli(site: Path, out: Path, *extra: str, code: int = 1) -> dict[str, object]:
    from typer.testing import CliRunner

    from linkguard.cli import app

    result = CliRunner().invoke(
        app, ["scan", str(site), "-f", "json", "-o", str(out), "-f", "sarif",
              "-o", str(out.with_suffix(".sarif")), *extra],
    )  # fmt: skip
    assert result.exit_code == code, result.output
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _prints(data: dict[str, object]) -> list[tuple[int, str]]:
    return [(f["line"], f["fingerprint"]) for f in data["findings"]]  # type: ignore[attr-defined]


def test_an_added_identical_bad_link_is_a_new_finding_with_its_own_fingerprint(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(BAD, encoding="utf-8")
    base = _scan_cli(site, tmp_path / "base.json")
    [(_, first)] = _prints(base)

    (site / "index.html").write_text(BAD + BAD, encoding="utf-8")
    now = _scan_cli(site, tmp_path / "now.json", "--baseline", str(tmp_path / "base.json"))
    [(line_kept, kept), (line_added, added)] = _prints(now)
    assert (line_kept, line_added) == (1, 2)
    assert kept == first != added  # the first keeps today's fingerprint: baselines stay valid
    assert now["summary"]["baseline"] == {"new": 1, "known": 1, "fixed": 0}  # type: ignore[index]
    assert [f["line"] for f in now["findings"] if not f["known"]] == [2]  # type: ignore[attr-defined]

    sarif = json.loads((tmp_path / "now.sarif").read_text(encoding="utf-8"))
    partial = [r["partialFingerprints"] for r in sarif["runs"][0]["results"]]
    assert len({json.dumps(p, sort_keys=True) for p in partial}) == 2  # a code-scanning UI
    # keeps them apart too
    assert [r["baselineState"] for r in sarif["runs"][0]["results"]] == ["unchanged", "new"]


def test_occurrence_fingerprints_survive_edits_that_move_lines(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(BAD + BAD, encoding="utf-8")
    before = [p for _, p in _prints(_scan_cli(site, tmp_path / "a.json"))]
    (site / "index.html").write_text(
        "<h1>News</h1>\n\n\n" + BAD + "<p>text</p>\n" + BAD, encoding="utf-8"
    )
    after = [p for _, p in _prints(_scan_cli(site, tmp_path / "b.json"))]
    assert before == after and len(set(after)) == 2


def test_a_baseline_written_before_occurrences_had_fingerprints_still_knows_both(
    tmp_path: Path,
) -> None:
    """Results from before repeat the first fingerprint for each identical finding: read as
    a baseline, or diffed, they match a new run's numbered occurrences."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(BAD + BAD, encoding="utf-8")
    old = _scan_cli(site, tmp_path / "old.json")
    [(_, first), _] = _prints(old)
    for finding in old["findings"]:  # type: ignore[attr-defined]
        finding["fingerprint"] = first  # as the earlier version wrote them
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")

    now = _scan_cli(site, tmp_path / "now.json", "--baseline", str(tmp_path / "old.json"), code=0)
    assert now["summary"]["baseline"] == {"new": 0, "known": 2, "fixed": 0}  # type: ignore[index]
    changes = diff(
        from_json((tmp_path / "old.json").read_text(encoding="utf-8")),
        from_json((tmp_path / "now.json").read_text(encoding="utf-8")),
    )
    assert not changes.new_findings and not changes.fixed_findings
