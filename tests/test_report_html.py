"""The HTML report: self-contained, inert against hostile crawled data, accessible,
deterministic, grouped, and small enough at 50,000 findings."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from dataclasses import replace
from importlib.resources import files

import lxml.html
import pytest
from report_samples import (
    XSS_IMG,
    XSS_JS,
    XSS_SCRIPT,
    failing_site,
    finding,
    hostile_site,
    passing_site,
    synthetic,
)

from linkguard.model import ScanResult, Severity
from linkguard.reporters import Format, render
from linkguard.reporters.html import GROUPS_PER_PAGE, OCCURRENCES_SHOWN, PAGES_PER_PAGE
from linkguard.results import from_json, to_json
from linkguard.rules import RULES

Doc = lxml.html.HtmlElement


def html_of(result: ScanResult) -> str:
    return render(result, Format.HTML)


def parse(text: str) -> Doc:
    return lxml.html.document_fromstring(text)


@pytest.fixture(scope="module")
def failing() -> Doc:
    return parse(html_of(failing_site()))


@pytest.fixture(scope="module")
def hostile_text() -> str:
    return html_of(hostile_site())


# -- self-contained: nothing is fetched, nothing calls a third party ---------------------------
@pytest.mark.parametrize("make", [passing_site, failing_site, hostile_site])
def test_the_report_loads_nothing_and_links_safely(make: object) -> None:
    text = html_of(make())  # type: ignore[operator]
    doc = parse(text)
    assert not doc.xpath("//*[@src]"), "nothing may be loaded by src="
    assert not doc.xpath("//link | //iframe | //object | //embed | //img | //base")
    assert not doc.xpath("//*[@srcset or @background or @poster or @action or @formaction]")
    for anchor in doc.xpath("//a[@href]"):
        href = anchor.get("href")
        if href.startswith("#"):
            continue
        assert re.match(r"https?://", href), href
        assert {"noreferrer", "noopener"} <= set(anchor.get("rel", "").split()), href
    for block in doc.xpath("//style | //script[not(@type)]"):
        assert not re.search(r"https?://|@import|url\(", block.text or "")
    assert len(doc.xpath("//script[not(@type)]")) == 1 and len(doc.xpath("//style")) == 1
    data = doc.xpath("//script[@type]")
    assert [d.get("type") for d in data] == ["application/json"]  # data, never run


def test_a_content_security_policy_allows_only_our_own_css_and_js(failing: Doc) -> None:
    policy = failing.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in policy and "img-src 'none'" in policy
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        body = failing.xpath(f"//{tag}[not(@type)]")[0].text
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy


# -- hostile crawled data stays text -----------------------------------------------------------
def test_hostile_crawled_data_renders_as_text(hostile_text: str) -> None:
    doc = parse(hostile_text)
    assert not doc.xpath("//img"), "an <img> from crawled text became an element"
    assert not doc.xpath("//*[@*[starts-with(name(), 'on')]]"), "an event handler attribute"
    assert not doc.xpath("//a[starts-with(normalize-space(@href), 'javascript:')]")
    assert len(doc.xpath("//script[not(@type)]")) == 1  # only ours
    text = doc.text_content()
    assert XSS_IMG in text and XSS_SCRIPT in text and XSS_JS in text
    assert "\x00" not in hostile_text and "\x07" not in hostile_text


def test_a_javascript_page_url_is_never_a_link(hostile_text: str) -> None:
    doc = parse(hostile_text)
    spans = [e for e in doc.xpath("//span[@class='url']") if e.text_content() == XSS_JS]
    assert spans, "the javascript: page is shown as text"
    assert all(a.get("href", "").startswith(("#", "https://", "http://")) for a in doc.xpath("//a"))


def test_links_to_pages_use_the_url_a_browser_would_send(hostile_text: str) -> None:
    doc = parse(hostile_text)
    hrefs = [a.get("href") for a in doc.xpath("//a[@rel]")]
    assert hrefs and all("<" not in h and " " not in h for h in hrefs)


# -- the top of the report ---------------------------------------------------------------------
def test_the_header_states_site_verdict_and_scan_facts(failing: Doc) -> None:
    assert failing.xpath("string(//h1)") == "https://www.shop.example"
    verdict = failing.xpath("string(//*[contains(@class, 'verdict-word')])")
    assert verdict == "FAIL"
    facts = {
        dt.text_content(): dd.text_content().strip()
        for dt, dd in zip(
            failing.xpath("//dl[@class='facts']//dt"),
            failing.xpath("//dl[@class='facts']//dd"),
            strict=True,
        )
    }
    assert facts["Site (origin)"] == "https://www.shop.example"
    assert facts["First party"] == "shop.example"
    assert facts["Policy file"] == "ci/linkguard.toml"
    assert facts["Policy sha256"] == "9b1e" * 16
    assert facts["Started"] == "2026-03-02 10:00:00 UTC"
    assert facts["Tool"].startswith("linkguard ")
    assert facts["Pages scanned"].startswith("46 ")
    assert facts["Completeness"] == "complete"


def test_verdicts_and_the_incomplete_banner() -> None:
    passing = parse(html_of(passing_site()))
    assert passing.xpath("string(//*[contains(@class, 'verdict-word')])") == "PASS"
    assert not passing.xpath("//*[@class='banner']")
    hostile = parse(html_of(hostile_site()))
    banner = hostile.xpath("string(//*[@class='banner'])")
    assert "INCOMPLETE SCAN" in banner
    never = replace(failing_site(), run=replace(failing_site().run, fail_on="never"))
    doc = parse(html_of(never))
    assert doc.xpath("string(//*[contains(@class, 'verdict-word')])") == "PASS"


def test_summary_cards_count_cover_and_compare(failing: Doc) -> None:
    cards = " ".join(failing.xpath("//div[@class='card']")[i].text_content() for i in range(4))
    cards = re.sub(r"\s+", " ", cards)
    assert "error 90 (16 known)" in cards
    assert "46 of 138 outbound links" in cards
    assert "33.3%" in cards
    assert "1 declared" in cards and "3 undeclared" in cards and "3 only linked to" in cards
    assert re.search(r"new ?78 known ?56 fixed ?3", cards)
    donut = failing.xpath("//svg[contains(@class, 'donut')]")[0]
    assert donut.get("aria-label").startswith("33.3%")


# -- third parties -----------------------------------------------------------------------------
def test_inventory_has_one_row_per_vendor_expandable_to_hosts(failing: Doc) -> None:
    rows = failing.xpath("//section[@id='third-parties']//tbody/tr")
    names = [r.xpath("string(th)") for r in rows]
    assert len(rows) == 7
    gtm = rows[names.index("Google Tag Manager")]
    assert gtm.xpath("string(td[1])") == "declared"
    assert gtm.xpath("string(.//details/summary)") == "2 hosts"
    assert [li.xpath("string(span[@class='url'])") for li in gtm.xpath(".//details//li")] == [
        "www.google-analytics.com",
        "www.googletagmanager.com",
    ]


# -- findings, grouped -------------------------------------------------------------------------
def test_a_template_bug_on_many_pages_is_one_row(failing: Doc) -> None:
    section = failing.xpath("//section[@id='rule-exit-notice-missing']")[0]
    rows = section.xpath(".//tbody/tr")
    assert len(rows) == 1
    row = rows[0]
    assert row.get("data-sev") == "error" and row.get("data-host") == "social.example.net"
    assert row.xpath("string(td[@class='num'])") == "46"
    places = row.xpath(".//details//li")
    assert len(places) == OCCURRENCES_SHOWN + 1  # the first ones, then "and 36 more"
    assert places[-1].text_content() == f"and {46 - OCCURRENCES_SHOWN} more"
    assert row.xpath("string(.//span[contains(@class, 'tag-known')])") == "16 known"


def test_each_rule_shows_rationale_and_how_to_fix(failing: Doc) -> None:
    for rule_id in ("exit-notice-missing", "undeclared-script", "missing-sri"):
        rule = RULES[rule_id]
        section = failing.xpath(f"//section[@id='rule-{rule_id}']")[0]
        assert section.xpath("string(.//h3)") == rule.name
        assert section.xpath("string(.//p[@class='rationale'])") == rule.rationale
        assert section.xpath("string(.//figure[contains(@class, 'ex-bad')]//code)") == rule.bad
        assert section.xpath("string(.//figure[contains(@class, 'ex-good')]//code)") == rule.good


def test_rules_are_ordered_by_severity(failing: Doc) -> None:
    severities = [
        s.get("class").split("-")[-1]
        for s in failing.xpath("//section[@id='findings']/section[@data-filter-section]")
    ]
    ranks = [Severity(s).rank for s in severities]
    assert ranks == sorted(ranks, reverse=True)


def test_long_page_lists_are_capped() -> None:
    origin = "https://www.example.org"
    many = tuple(
        finding(
            "exit-notice-missing",
            Severity.ERROR,
            f"{origin}/p/{n:04d}",
            5,
            "https://x.example.net/",
            "x.example.net",
            "<a href=x>",
            "m",
        )
        for n in range(OCCURRENCES_SHOWN + 37)
    )
    result = replace(passing_site(), findings=many)
    doc = parse(html_of(result))
    items = doc.xpath("//section[@id='rule-exit-notice-missing']//details//li")
    assert len(items) == OCCURRENCES_SHOWN + 1
    assert items[-1].text_content() == "and 37 more"


def test_the_by_page_view_lists_every_page(failing: Doc) -> None:
    rows = failing.xpath("//section[@id='pages']//tbody/tr")
    assert len(rows) == 47  # 46 scanned pages and the one that failed
    legacy = next(r for r in rows if r.xpath("string(th)") == "/legacy/")
    assert "HTTP 500" in legacy.text_content()
    product = next(r for r in rows if r.xpath("string(th)") == "/products/item-007/")
    assert product.get("data-sev") == "error warning"
    assert product.get("data-rule") == "exit-notice-missing missing-sri undeclared-script"


def test_suppressed_findings_are_listed_with_their_reasons(failing: Doc) -> None:
    section = failing.xpath("//section[@id='suppressed']")[0]
    text = section.text_content()
    assert "waiver: self-hosting the font in Q2 (until 2026-06-30)" in text
    assert "data-linkguard-ignore" in text
    assert len(section.xpath(".//tbody/tr")) == 2
    main = failing.xpath("//section[@id='findings']")[0].text_content()
    assert "fonts.example-cdn.net/inter.css" not in main


def test_dynamic_references_are_listed(hostile_text: str) -> None:
    section = parse(hostile_text).xpath("//section[@id='dynamic']")[0]
    assert "{{ partner_url }}" in section.text_content()
    assert "templates/search.html" in section.text_content()


def test_no_findings_says_so() -> None:
    doc = parse(html_of(replace(passing_site(), findings=())))
    assert "No findings" in doc.xpath("string(//section[@id='findings'])")


# -- accessibility -----------------------------------------------------------------------------
def test_landmarks_language_and_heading_order(failing: Doc) -> None:
    assert failing.get("lang") == "en"
    for landmark in ("header", "nav", "main", "footer"):
        assert len(failing.xpath(f"//{landmark}")) >= 1, landmark
    assert len(failing.xpath("//h1")) == 1
    levels = [int(h.tag[1]) for h in failing.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


def test_tables_have_captions_and_scoped_headers(failing: Doc) -> None:
    for table in failing.xpath("//table"):
        assert table.xpath("caption"), "every table has a caption"
        assert all(th.get("scope") == "col" for th in table.xpath("thead//th"))
        assert all(th.get("scope") == "row" for th in table.xpath("tbody//th"))


def test_every_control_has_a_label(failing: Doc) -> None:
    for control in failing.xpath("//input | //select"):
        assert control.xpath("ancestor::label"), control.get("name")


# -- determinism, the JSON round trip, scale ---------------------------------------------------
def test_the_same_result_renders_byte_identical_html() -> None:
    assert html_of(failing_site()) == html_of(failing_site())
    assert html_of(from_json(to_json(failing_site()))) == html_of(failing_site())


def test_templates_and_assets_are_package_resources() -> None:
    names = {p.name for p in files("linkguard.templates").iterdir()}
    assert {"report.html.j2", "report.css", "report.js", "_macros.html.j2"} <= names
    assert "__init__.py" in names


@pytest.mark.slow
def test_fifty_thousand_findings_render_under_15_mb_with_one_screen_as_html() -> None:
    result = synthetic(findings=50_000, pages=2_000, targets=30)
    text = html_of(result)
    size = len(text.encode("utf-8"))
    assert size < 15 * 1024 * 1024, f"{size / 1e6:.1f} MB"
    doc = parse(text)
    for section in doc.xpath("//section[@id='findings']/section[@data-filter-section]"):
        assert len(section.xpath(".//tbody/tr")) <= GROUPS_PER_PAGE
    assert len(doc.xpath("//section[@id='pages']//tbody/tr")) == PAGES_PER_PAGE
    note = doc.xpath("string(//section[@id='pages']//noscript)")
    assert "The first 50 of 2,000 pages are shown" in note
