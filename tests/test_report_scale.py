"""The HTML report at the size of a real site, in a real browser (headless Chromium through
Playwright, the system Chromium by ``executable_path``): one row per problem, a group lists
its pages, search reaches a finding on the last page, filters narrow every list, only a
screen of rows is in the document, a phone gets cards under a one-line toolbar, printing
drops the controls, readers without JavaScript get the first screen, and axe-core (vendored
in tests/fixtures/axe-core) finds no serious or critical issue. Timing is measured in
bench/report_scale.py, never asserted here.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_scale_sample import CDN, IMAGES, NEEDLE, SOCIAL, large_result, page_url

from linkguard.reporters import Format, render
from linkguard.reporters._grouping import group_problems
from linkguard.reporters.html import GROUPS_PER_PAGE, PAGES_PER_PAGE

PAGES = 3000
AXE = Path(__file__).parent / "fixtures" / "axe-core" / "axe.min.js"
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


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "report.html"
    path.write_text(render(large_result(PAGES), Format.HTML), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from linkguard.browser._chromium import chromium_env

    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, env=chromium_env()
        )
        yield launched
        launched.close()


@pytest.fixture
def open_report(browser: Any, report_file: Path) -> Iterator[Any]:
    """Open the large report (optionally at an address fragment, a viewport, without JS)."""
    contexts = []

    def opened(
        fragment: str = "",
        width: int = 1280,
        height: int = 900,
        js: bool = True,
        path: Path = report_file,
    ) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=js
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri() + fragment)
        if js:
            page.wait_for_selector("html[data-lg-ready='1']")
        page.errors = errors
        return page

    yield opened
    for context in contexts:
        context.close()


def rows(page: Any, section: str) -> list[str]:
    """The address in the first cell of each row of a section (rule sections by id)."""
    return [
        str(t)
        for t in page.eval_on_selector_all(
            f"#{section} tbody > tr",
            "rs => rs.map(r => r.cells[0].querySelector('.url').textContent.trim())",
        )
    ]


def test_one_row_per_problem_and_a_group_lists_its_pages(open_report: Any) -> None:
    page = open_report()
    assert page.errors == []
    assert rows(page, "rule-undeclared-script") == [CDN]  # seven integrity values, one row
    assert rows(page, "rule-undeclared-resource") == [IMAGES]  # 3,000 images, one host
    assert rows(page, "rule-missing-sri") == ["https://widgets.example.com/w.js"]
    row = page.locator("#rule-undeclared-script tbody tr")
    text = row.text_content() or ""
    assert "7 other variants" not in text and "6 other variants" in text
    row.locator("summary").click()
    places = row.locator("ol > li")
    sync_api.expect(places).to_have_count(100)  # a hundred at a time, once opened
    row.locator("button.more-button").click()
    sync_api.expect(places).to_have_count(200)
    first = places.nth(0).locator("a")
    assert first.get_attribute("href") == page_url(0)
    assert first.get_attribute("rel") == "noreferrer noopener"
    assert "3,000" in row.locator("td.num").text_content()


def test_only_a_screen_of_rows_is_in_the_document_and_the_pager_moves(open_report: Any) -> None:
    page = open_report()
    notices = page.locator("#rule-exit-notice-missing tbody > tr")
    assert notices.count() == GROUPS_PER_PAGE
    assert page.locator("#pages tbody > tr").count() == PAGES_PER_PAGE
    assert page.evaluate("document.getElementsByTagName('*').length") < 5000
    expected = next(
        r
        for r in group_problems(large_result(PAGES).findings)
        if r.rule.id == "exit-notice-missing"
    )
    subjects = [p.subject for p in expected.problems]
    assert rows(page, "rule-exit-notice-missing") == subjects[:GROUPS_PER_PAGE]
    pager = page.locator("#rule-exit-notice-missing nav.pager")
    assert f"1–{GROUPS_PER_PAGE} of {len(subjects):,} problems" in pager.text_content()
    pager.get_by_role("button", name="Next").click()
    assert rows(page, "rule-exit-notice-missing") == subjects[GROUPS_PER_PAGE : 2 * GROUPS_PER_PAGE]


def test_sorting_orders_the_whole_list_not_the_screen(open_report: Any) -> None:
    page = open_report()
    head = page.locator("#pages thead th").first
    head.locator("button.sort").click()  # ascending: already the order
    head.locator("button.sort").click()  # descending: the last page comes first
    assert head.get_attribute("aria-sort") == "descending"
    assert rows(page, "pages")[0] == f"/news/2/page-{PAGES - 1:05d}.html"
    pages = page.locator("#rule-exit-notice-missing thead th").nth(2)
    assert pages.text_content().strip() == "Pages"
    pages.locator("button.sort").click()
    assert rows(page, "rule-exit-notice-missing")[-1] != SOCIAL  # shared link: not on screen 1
    pages.locator("button.sort").click()
    assert rows(page, "rule-exit-notice-missing")[0] == SOCIAL  # on every page: first


def test_search_finds_a_finding_on_the_last_page(open_report: Any) -> None:
    page = open_report()
    page.fill("input[name=q]", "needle.example.org")
    assert rows(page, "rule-exit-notice-missing") == [NEEDLE]
    assert page.locator("#rule-undeclared-script").is_hidden()
    assert rows(page, "pages") == [f"/news/2/page-{PAGES - 1:05d}.html"]
    # a page's address finds the problems on it, each opened at the matching place
    page.fill("input[name=q]", f"page-{PAGES - 1:05d}")
    script = page.locator("#rule-undeclared-script tbody tr")
    assert script.count() == 1
    assert script.locator("details").get_attribute("open") is not None
    places = script.locator("ol > li")
    assert places.count() == 1 and places.nth(0).locator("a").get_attribute("href") == page_url(
        PAGES - 1
    )
    assert "1 place of 3,000 match" in script.locator("summary").text_content()
    sync_api.expect(page).to_have_url(re.compile(r"#q=page-"))  # kept in the address


def test_filters_narrow_every_list(open_report: Any) -> None:
    page = open_report()
    page.uncheck("input[name=severity][value=error]")
    sections = page.eval_on_selector_all(
        "#findings section[data-filter-section]:not([hidden])", "s => s.map(x => x.id)"
    )
    assert sections == ["rule-undeclared-resource", "rule-missing-sri"]
    assert page.get_attribute("html", "data-lg-visible") == "2"
    assert "showing 2 of" in page.locator("output[name=shown]").inner_text()
    page.check("input[name=severity][value=error]")
    page.select_option("select[name=rule]", "missing-sri")
    assert rows(page, "rule-missing-sri") == ["https://widgets.example.com/w.js"]
    # pages: only those with a missing-sri finding (every tenth)
    assert "1–50 of 300 pages" in page.locator("#pages nav.pager").text_content()
    page.select_option("select[name=rule]", "")
    page.fill("input[name=host]", "example-cdn.net")  # a domain matches its hosts
    visible = page.eval_on_selector_all(
        "#findings section[data-filter-section]:not([hidden])", "s => s.map(x => x.id)"
    )
    assert visible == ["rule-undeclared-script", "rule-undeclared-resource"]
    page.click("button[type=reset]")
    sync_api.expect(page.locator("#rule-exit-notice-missing")).to_be_visible()
    assert page.locator("output[name=shown]").inner_text() == ""


def test_a_filter_in_the_address_applies(open_report: Any) -> None:
    page = open_report("#severity=warning&q=x/2999.jpg")
    assert rows(page, "rule-undeclared-resource") == [IMAGES]
    assert page.locator("#rule-exit-notice-missing").is_hidden()
    assert page.locator("#rule-undeclared-resource ol > li").count() == 1


def test_a_phone_gets_cards_under_a_one_line_toolbar(open_report: Any) -> None:
    page = open_report(width=390, height=844)
    toolbar = page.locator("nav.toolbar").bounding_box()
    assert toolbar is not None and toolbar["height"] < 60  # one line
    assert page.locator("#sections").is_hidden()
    page.click("#menu-button")
    assert page.locator("#sections").is_visible()
    page.click("#menu-button")
    page.click("#filters-button")
    assert page.locator("select[name=rule]").is_visible()
    card = page.locator("#rule-exit-notice-missing tbody tr").first
    assert card.evaluate("r => getComputedStyle(r).display") == "block"
    box = card.bounding_box()
    assert box is not None and box["width"] <= 390
    label = card.locator("td.where").evaluate("c => getComputedStyle(c, '::before').content")
    assert label == '"Where"'
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing wider than the phone"


def test_printing_drops_the_controls(open_report: Any, tmp_path: Path) -> None:
    page = open_report()
    page.emulate_media(media="print")
    for hidden in ("nav.toolbar", "#pages", "nav.pager >> nth=0"):
        assert page.locator(hidden).is_hidden(), hidden
    for shown in ("#summary", "#third-parties", "#findings"):
        assert page.locator(shown).is_visible(), shown
    pdf = page.pdf(path=str(tmp_path / "report.pdf"))
    assert pdf.startswith(b"%PDF")
    # what printing lists: every matching row (up to 2,000 a list), then paged again
    notices = page.locator("#rule-exit-notice-missing tbody > tr")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert notices.count() == 2000
    note = page.locator("#rule-exit-notice-missing p.print-note")
    assert note.text_content() == (
        f"The first 2,000 of {PAGES + 1:,} problems are printed: filter the report to print"
        " the others."
    )
    assert page.locator("#rule-undeclared-script tbody > tr").count() == 1
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert notices.count() == GROUPS_PER_PAGE


def test_without_javascript_the_first_screen_is_there(open_report: Any) -> None:
    page = open_report(js=False)
    assert page.locator("#filters").is_hidden()
    assert page.locator("#summary").is_visible()
    assert page.locator("#rule-exit-notice-missing tbody > tr").count() == GROUPS_PER_PAGE
    assert page.locator("#pages tbody > tr").count() == PAGES_PER_PAGE
    note = page.locator("#rule-exit-notice-missing p.more-rows")
    assert "shown with JavaScript on" in note.inner_text()
    assert page.locator("#sections").is_visible()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not vendored in tests/fixtures")
@pytest.mark.parametrize("sample", ["large", "failing"])
@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_axe_finds_no_serious_or_critical_issue(
    open_report: Any, tmp_path: Path, sample: str, width: int, height: int
) -> None:
    from report_samples import failing_site

    path = None
    if sample == "failing":
        path = tmp_path / "failing.html"
        path.write_text(render(failing_site(), Format.HTML), encoding="utf-8")
    page = open_report(width=width, height=height, **({"path": path} if path else {}))
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " first: v.nodes[0] && v.nodes[0].html}))"
    )
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
    assert page.errors == []


def test_hostile_text_in_the_data_stays_text(
    open_report: Any, browser: Any, tmp_path: Path
) -> None:
    from report_samples import XSS_IMG, hostile_site

    path = tmp_path / "hostile.html"
    path.write_text(render(hostile_site(), Format.HTML), encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    page.goto(path.as_uri() + "#q=evil")
    page.wait_for_selector("html[data-lg-ready='1']")
    assert page.locator("img").count() == 0
    assert page.evaluate("document.scripts.length") == 2  # the data block and ours
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert XSS_IMG in page.locator("#findings").text_content()
    context.close()
