"""The rows the HTML report's script draws from its data block carry browser mode's verdict
too, in a real browser (headless Chromium through Playwright, the system Chromium).

The recorded browser-mode scan (tests/fixtures/browser_hub.results.json) gets thirty more
widespread undeclared scripts, so its never-loaded script is past the first screen of its
rule: it is in the data block only, and shown by the script when searched for or paged to.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from test_report_runtime import NOT_LOADED, hub

from linkguard.model import ScanResult
from linkguard.reporters import Format, render
from linkguard.reporters.html import GROUPS_PER_PAGE

CHROMIUM = next(
    (p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None
)
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser extra is not installed")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
    ),
]
EXTRA = 30


def crowded() -> ScanResult:
    """The hub with EXTRA more undeclared scripts, each on two pages."""
    result = hub()
    [never] = [f for f in result.findings if f.target == "https://never.test/n.js"]
    more = tuple(
        replace(
            never,
            target=f"https://cdn{n:02d}.test/s.js",
            host=f"cdn{n:02d}.test",
            message=never.message.replace("never.test", f"cdn{n:02d}.test"),
            element=f'<script src="https://cdn{n:02d}.test/s.js">',
            page=never.page.replace("mentions.html", page),
            runtime="",
            fingerprint=f"{never.fingerprint}{n}{page}",
        )
        for n in range(EXTRA)
        for page in ("custom.html", "late.html")
    )
    findings = tuple(sorted((*result.findings, *more), key=lambda f: f.sort_key()))
    return replace(result, findings=findings)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("runtime") / "report.html"
    path.write_text(render(crowded(), Format.HTML), encoding="utf-8")
    return path


@pytest.fixture
def page(report: Path) -> Iterator[Any]:
    from linkguard.browser._chromium import chromium_env

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, env=chromium_env()
        )
        opened = browser.new_page()
        errors: list[str] = []
        opened.on("pageerror", lambda exc: errors.append(str(exc)))
        opened.goto(report.as_uri())
        opened.wait_for_selector("html[data-lg-ready='1']")
        opened.errors = errors
        yield opened
        browser.close()


def subjects(page: Any) -> list[str]:
    return [
        str(t)
        for t in page.eval_on_selector_all(
            "#rule-undeclared-script tbody > tr",
            "rs => rs.map(r => r.cells[0].querySelector('.url').textContent)",
        )
    ]


def test_the_never_loaded_script_is_past_the_first_screen(report: Path) -> None:
    served = lxml.html.document_fromstring(report.read_text(encoding="utf-8"))
    rows = served.xpath("//*[@id='rule-undeclared-script']//tbody/tr")
    assert len(rows) == GROUPS_PER_PAGE
    assert "never.test" not in "".join(r.text_content() for r in rows)


def test_a_row_the_script_draws_shows_the_browsers_verdict(page: Any) -> None:
    assert page.errors == []
    page.locator("#rule-undeclared-script nav.pager").get_by_role("button", name="Next").click()
    assert "never.test" in subjects(page)
    row = page.locator("#rule-undeclared-script tbody > tr", has_text="never.test")
    tag = row.locator("td.target .tag-rt")
    assert tag.count() == 1 and tag.text_content() == NOT_LOADED
    assert "tag-rt-not-loaded" in (tag.get_attribute("class") or "")
    # the words are searchable: they find the row, and the page the finding is on
    page.fill("input[name=q]", "not loaded when")
    assert subjects(page) == ["never.test"]
    pages = page.locator("#pages tbody > tr")
    assert pages.count() == 1 and "/mentions.html" in (pages.first.text_content() or "")
    finding = pages.first.locator("li .tag-rt")
    assert finding.text_content() == NOT_LOADED
    assert page.errors == []


def test_the_browser_filter_keeps_the_findings_with_that_verdict(page: Any) -> None:
    page.select_option("select[name=rt]", "not-loaded")
    assert subjects(page) == ["never.test"]
    assert page.get_attribute("html", "data-lg-visible") == "1"
    assert page.locator("#rule-exit-notice-missing").is_hidden()
    assert [r.strip() for r in page.locator("#pages tbody > tr th").all_text_contents()] == [
        "/mentions.html"
    ]
    page.select_option("select[name=rt]", "noticed")
    assert page.locator("#rule-undeclared-script").is_hidden()
    notices = page.locator("#rule-exit-notice-missing tbody > tr")
    assert notices.count() == 1 and "partner.test/custom" in (notices.text_content() or "")
    sync_api.expect(page).to_have_url(re.compile(r"#browser=noticed"))  # kept in the address
    assert page.errors == []


AXE = Path(__file__).parent / "fixtures" / "axe-core" / "axe.min.js"


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not vendored in tests/fixtures")
def test_axe_finds_no_serious_issue_in_the_verdicts_and_the_filter(page: Any) -> None:
    page.select_option("select[name=rt]", "not-loaded")  # the filter used, rows redrawn
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, first: v.nodes[0] && v.nodes[0].html}))"
    )
    assert [v for v in found if v["impact"] in ("serious", "critical")] == []
