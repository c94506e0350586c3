"""The engine and the scan's folding of verdicts: severities, rules turned off, a rule that
raises, waivers, broken interstitials, and the sample sites' findings rule by rule."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rule_judge import ORIGIN, PAGE, judge, policy

from linkguard.config import Policy, load_policy
from linkguard.model import FetchedPage, RunInfo, ScanResult, Severity
from linkguard.rules import RULES, PageContext
from linkguard.scan import ScanRequest, make_scope, run_scan
from linkguard.scan.aggregate import ResultBuilder
from linkguard.scan.analysis import read_page

LEAKY = '<script src="https://cdn.example.net/a.js"></script><a href="https://x.example.net/">x</a>'


def _fold(html: str, toml: str = "", today: date = date(2026, 6, 1)) -> ScanResult:
    rules = policy(toml)
    builder = ResultBuilder(rules, make_scope(ORIGIN, rules), today=today)
    builder.add(judge(html, toml=toml))
    run = RunInfo(target="t", origin=ORIGIN, first_party=(), started="", finished="", config=None)
    return builder.build(run)


def _rules(findings: object) -> set[str]:
    return {f.rule for f in findings}  # type: ignore[attr-defined]


def test_a_rule_turned_off_is_not_run() -> None:
    result = _fold(LEAKY, '[rules]\nmissing-sri = "off"\nexit-notice-missing = "off"\n')
    assert _rules(result.findings) == {"undeclared-script"}


def test_a_severity_override_applies_to_findings() -> None:
    result = _fold(LEAKY, '[rules]\nundeclared-script = "info"\n')
    by_rule = {f.rule: f.severity for f in result.findings}
    assert by_rule["undeclared-script"] is Severity.INFO
    assert by_rule["exit-notice-missing"] is Severity.ERROR
    assert result.summary.findings["info"] == 1


def test_a_rule_that_raises_becomes_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _broken_sri(monkeypatch)
    analysis = judge(LEAKY)
    [error] = [f for f in analysis.findings if f.rule == "internal-error"]
    assert (error.page, error.target, error.severity) == (PAGE, PAGE, Severity.ERROR)
    assert error.message == "rule missing-sri failed: RuntimeError: bug"
    assert {"undeclared-script", "exit-notice-missing"} <= _rules(analysis.findings)
    assert analysis.record.outbound == 1


def _broken_sri(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(ctx: PageContext, rules: Policy) -> list[object]:
        raise RuntimeError("bug")

    monkeypatch.setitem(RULES, "missing-sri", replace(RULES["missing-sri"], check=boom))


@pytest.mark.parametrize(
    ("toml", "severity", "waived"),
    [
        ("", Severity.ERROR, False),
        ('[rules]\ninternal-error = "warning"\n', Severity.WARNING, False),
        ('[rules]\ninternal-error = "off"\n', None, False),
        ('[[waiver]]\nrule = "internal-error"\npage = "/page.html"\nreason = "known bug"\n',
         Severity.ERROR, True),
    ],
)  # fmt: skip
def test_internal_error_obeys_the_policy_like_any_catalogue_rule(
    monkeypatch: pytest.MonkeyPatch, toml: str, severity: Severity | None, waived: bool
) -> None:
    _broken_sri(monkeypatch)
    result = _fold(LEAKY, toml)
    kept = [f for f in (*result.findings, *result.suppressed) if f.rule == "internal-error"]
    assert [f.severity for f in kept] == ([severity] if severity else [])
    assert [f.suppressed_by is not None for f in kept] == ([waived] if severity else [])


WAIVE = '[[waiver]]\nrule = "{rule}"\n{where}\nreason = "accepted"\nexpires = {expires}\n'


@pytest.mark.parametrize(
    ("rule", "where", "expires", "waived"),
    [
        ("undeclared-script", 'host = "*.example.net"', "2027-03-31", True),
        ("undeclared-script", 'page = "/page.html"', "2027-03-31", True),
        ("undeclared-script", 'page = "https://www.example.com/*"', "2027-03-31", True),
        ("undeclared-script", 'page = "/other/*"', "2027-03-31", False),
        ("undeclared-script", 'host = "*.example.org"', "2027-03-31", False),
        ("*", 'host = "cdn.example.net"', "2027-03-31", True),
        ("undeclared-script", 'host = "*.example.net"', "2026-06-01", True),  # the last day
        ("undeclared-script", 'host = "*.example.net"', "2026-05-31", False),  # it returns
    ],
)
def test_waivers(rule: str, where: str, expires: str, waived: bool) -> None:
    result = _fold(LEAKY, WAIVE.format(rule=rule, where=where, expires=expires))
    assert ("undeclared-script" in _rules(result.suppressed)) is waived
    assert ("undeclared-script" in _rules(result.findings)) is not waived
    if waived:
        [suppressed] = [f for f in result.suppressed if f.rule == "undeclared-script"]
        assert suppressed.suppressed_by is not None and "accepted" in suppressed.suppressed_by
        assert result.summary.suppressed == len(result.suppressed)


def test_ignored_findings_are_counted_and_listed() -> None:
    html = '<a data-linkguard-ignore="exit-notice-missing" href="https://x.example.net/">x</a>'
    result = _fold(html)
    assert result.findings == ()
    [kept] = result.suppressed
    assert (kept.rule, kept.suppressed_by) == ("exit-notice-missing", "data-linkguard-ignore")
    assert kept.fingerprint
    assert result.summary.suppressed == 1


def _scan(target: str, rules: Policy) -> ScanResult:
    return run_scan(ScanRequest(target, rules, make_scope(target, rules), rules.crawl))


def test_a_broken_interstitial_is_a_finding_on_the_links_through_it(
    sample_sites: Path, tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    site = tmp_path / "site"
    shutil.copytree(sample_sites / "northwind-clinic", site)
    rules = load_policy(site / "linkguard.toml")
    healthy = _scan(serve(site), rules)
    assert not [f for f in healthy.findings if f.rule == "exit-notice-missing"]
    shutil.rmtree(site / "leaving")
    broken = _scan(serve(site), rules)
    [finding] = [f for f in broken.findings if f.rule == "exit-notice-missing"]
    assert finding.page == "https://www.northwind-clinic.com/"
    assert finding.target == "https://www.healthcare.gov/coverage/"
    assert "/leaving/" in finding.message and "broken" in finding.message
    inventory = {t.host for t in broken.third_parties}
    assert "www.healthcare.gov" in inventory


def test_leaky_shop_shows_every_rule(sample_sites: Path) -> None:
    root = sample_sites / "leaky-shop"
    result = _scan(str(root), load_policy(root / "linkguard.toml"))
    counts = Counter(f.rule for f in result.findings)
    checked = {rule.id for rule in RULES.values() if rule.check is not None}
    # they judge a browser visit
    browser_only = {"undeclared-cookie", "cookie-lifetime", "tracking-before-consent"}
    assert (checked - browser_only) | {"unused-declaration"} <= counts.keys()
    assert counts["exit-notice-missing"] == 7
    assert {f.suppressed_by for f in result.suppressed} >= {"data-linkguard-ignore"}
    assert result.summary.outbound_links == 10
    assert result.summary.outbound_with_notice == 2
    assert result.summary.notice_mechanisms == {"selector": 1, "text": 1}
    by_host = {t.host: t for t in result.third_parties}
    hotjar = by_host["static.hotjar.com"]
    assert (hotjar.name, hotjar.company, hotjar.category) == ("Hotjar", "Hotjar", "analytics")
    assert by_host["www.googletagmanager.com"].declared_by == "Google Analytics"
    assert by_host["www.googletagmanager.com"].name == "Google Tag Manager"


def test_northwind_clinic_keeps_its_promises(sample_sites: Path) -> None:
    root = sample_sites / "northwind-clinic"
    result = _scan(str(root), load_policy(root / "linkguard.toml"))
    assert result.summary.findings == {"error": 0, "warning": 0, "info": 0}


def test_northwind_clinic_notices(sample_sites: Path) -> None:
    root = sample_sites / "northwind-clinic"
    result = _scan(str(root), load_policy(root / "linkguard.toml"))
    summary = result.summary
    coverage = (summary.outbound_links, summary.outbound_with_notice, summary.outbound_exempt)
    assert coverage == (10, 8, 2)  # the two exempt links need no notice and show none
    assert summary.notice_mechanisms == {"interstitial": 1, "text": 7}
    assert result.findings == ()


def test_the_context_lists_the_third_party_references_once_in_document_order() -> None:
    # Most checks judge only references to third parties; the context picks them out once.
    html = (
        '<a href="/about">a</a><script src="https://cdn.example.net/a.js"></script>'
        '<img src="/logo.png"><a href="https://x.example.net/">x</a>'
        '<iframe src="https://www.youtube-nocookie.com/embed/1"></iframe>'
    )
    rules = policy()
    scope = make_scope(ORIGIN, rules)
    page = FetchedPage(url=PAGE, final_url=PAGE, status=200, depth=0, body=html.encode())
    read = read_page(page, rules, scope)
    ctx = PageContext(PAGE, read.refs, scope)
    assert [c.ref.raw for c in ctx.third] == [
        "https://cdn.example.net/a.js",
        "https://x.example.net/",
        "https://www.youtube-nocookie.com/embed/1",
    ]
    assert replace(ctx, refs=read.refs[:2]).third == ctx.third[:1]
