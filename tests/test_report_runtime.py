"""The reports carry browser mode's verdict on the markup's evidence and the history's dates.

A markup finding on a page a browser visited is ``confirmed`` (the visit loaded it),
``not-loaded`` (named in the markup, never asked for: lower confidence) or ``noticed`` (the
link as rendered shows a notice a script applied); a host inline scripts mention is
confirmed or not loaded. The HTML report says so in the rows it serves and in the rows its
script draws from the data block, the Markdown in its findings table, and both give the
exit notices as rendered. With a history store, each problem says since when it is open.

The browser results are a real scan of tests/browser_site.py's hub in Chromium, recorded in
tests/fixtures/browser_hub.results.json and read through the results codec; the history
results are real runs of the CLI over a sample site with ``--history``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from history_helpers import backdate, copy_site, scan
from report_samples import failing_site

from linkguard.history import load_run
from linkguard.model import ScanResult
from linkguard.reporters import Format, render
from linkguard.results import from_json

HUB = Path(__file__).parent / "fixtures" / "browser_hub.results.json"
NOT_LOADED = "not loaded when visited"
NOTICED = "notice shown when rendered"
CONFIRMED = "confirmed in a browser"


def hub() -> ScanResult:
    """The recorded browser-mode scan: one ``not-loaded`` script, one ``noticed`` link."""
    return from_json(HUB.read_text(encoding="utf-8"))


def mixed() -> ScanResult:
    """The hub with the never-loaded script also on another page, where a visit loaded it."""
    result = hub()
    [never] = [f for f in result.findings if f.target == "https://never.test/n.js"]
    page = never.page.replace("mentions.html", "custom.html")
    again = replace(never, page=page, runtime="confirmed", fingerprint=never.fingerprint + "x")
    return replace(
        result, findings=tuple(sorted((*result.findings, again), key=lambda f: f.sort_key()))
    )


def doc(result: ScanResult) -> Any:
    return lxml.html.document_fromstring(render(result, Format.HTML))


def row(page: Any, section: str, subject: str) -> Any:
    [found] = [
        tr
        for tr in page.xpath(f"//*[@id='{section}']//tbody/tr")
        if tr.xpath(".//td[@class='target']/span[@class='url']")[0].text_content() == subject
    ]
    return found


def tags(element: Any) -> list[str]:
    return [t.text_content() for t in element.xpath(".//span[contains(@class, 'tag-rt')]")]


def data(page: Any) -> dict[str, Any]:
    return json.loads(page.get_element_by_id("lg-data").text_content())


def test_the_html_problem_rows_say_what_the_browser_saw_of_the_markups_evidence() -> None:
    page = doc(hub())
    never = row(page, "rule-undeclared-script", "never.test")
    assert tags(never) == [NOT_LOADED]
    assert "tag-rt-not-loaded" in never.xpath(".//span[contains(@class, 'tag-rt')]")[0].get("class")
    custom = row(page, "rule-exit-notice-missing", "https://partner.test/custom")
    assert tags(custom) == [NOTICED]
    # what a visit saw itself carries no verdict on the markup
    assert tags(row(page, "rule-exit-notice-missing", "https://partner.test/stripped")) == []
    assert tags(row(page, "rule-undeclared-script", "widget.test")) == []
    options = page.xpath("//select[@name='rt']/option")
    assert [(o.get("value"), o.text_content()) for o in options] == [
        ("", "any verdict"),
        ("confirmed", "confirmed"),
        ("not-loaded", "not loaded"),
        ("noticed", "notice shown"),
    ]
    legend = page.xpath("//p[contains(@class, 'runtime-legend')]")[0].text_content()
    assert "named in the markup, but the visit never asked for it: lower confidence" in legend


def test_a_problem_found_on_several_pages_counts_its_verdicts_and_lists_each() -> None:
    never = row(doc(mixed()), "rule-undeclared-script", "never.test")
    places = never.xpath(".//td[@class='where']//li")
    assert [tags(li) for li in places] == [[CONFIRMED], [NOT_LOADED]]  # custom, mentions
    assert tags(never.xpath(".//td[@class='target']")[0]) == [
        f"1 {CONFIRMED}",
        f"1 {NOT_LOADED}",
    ]


def test_the_by_page_view_marks_each_finding() -> None:
    page = doc(hub())
    [mentions] = [
        tr
        for tr in page.xpath("//*[@id='pages']//tbody/tr")
        if "/mentions.html" in tr.xpath("th")[0].text_content()
    ]
    items = {
        li.xpath("span[@class='url']")[0].text_content(): tags(li) for li in mentions.xpath(".//li")
    }
    assert items == {"https://never.test/n.js": [NOT_LOADED], "https://widget.test/w.js": []}


def test_the_data_block_carries_the_verdicts_for_the_rows_the_script_draws() -> None:
    block = data(doc(mixed()))
    words = dict(block["rt"])
    assert words == {"": "", "confirmed": CONFIRMED, "not-loaded": NOT_LOADED, "noticed": NOTICED}
    strings = block["str"]
    by_target = {}
    for occ in block["occ"]:
        by_target.setdefault(strings[occ[5]], []).append(occ)
    never = by_target["https://never.test/n.js"]
    assert [block["rt"][o[7]][0] for o in never] == ["confirmed", "not-loaded"]
    assert [o[8] for o in never] == [-1, -1]  # no history: open since nobody knows
    assert all(len(o) == 7 for o in by_target["https://widget.test/w.js"])  # no verdict
    group = block["groups"][never[0][0]]
    assert [(block["rt"][i][0], strings[s]) for i, s in group[12]] == [
        ("confirmed", f"1 {CONFIRMED}"),
        ("not-loaded", f"1 {NOT_LOADED}"),
    ]


def test_a_scan_without_a_browser_has_no_verdicts_anywhere() -> None:
    text = render(failing_site(), Format.HTML)
    page = lxml.html.document_fromstring(text)
    block = data(page)
    assert "rt" not in block
    assert all(len(o) == 7 for o in block["occ"]) and all(len(g) == 12 for g in block["groups"])
    assert not page.xpath("//span[contains(@class, 'tag-rt')]")
    assert not page.xpath("//*[contains(@class, 'runtime-legend')]")
    assert not page.xpath("//select[@name='rt']")  # no verdict to filter by
    markdown = render(failing_site(), Format.MARKDOWN)
    assert "| browser |" not in markdown and "rendered" not in markdown


def test_the_inventory_marks_the_hosts_scripts_mention() -> None:
    page = doc(hub())
    rows = {
        tr.xpath("th")[0].text_content(): tr.xpath("td[@data-label='Kinds']")[0].text_content()
        for tr in page.xpath("//*[@id='third-parties']//tbody/tr")
    }
    assert "mentioned by a script, not loaded when visited" in rows["cdn.test"]
    assert "mentioned by a script, loaded when visited" in rows["widget.test"]
    assert "mentioned by a script, loaded when visited" in rows["vendor.test"]
    assert "mentioned" not in rows["partner.test"] and "mentioned" not in rows["never.test"]


def test_both_reports_give_the_exit_notices_as_rendered() -> None:
    page = doc(hub())
    summary = page.get_element_by_id("summary").text_content()
    assert (
        "As a browser rendered the visited pages: 3 outbound links, 2 with a text notice."
        in summary
    )
    markdown = render(hub(), Format.MARKDOWN)
    assert (
        "- Exit notices as a browser rendered the visited pages: "
        "3 outbound links, 2 with a text notice." in markdown
    )


def test_markdown_findings_carry_the_browsers_verdict_and_the_mentions() -> None:
    markdown = render(mixed(), Format.MARKDOWN)
    lines = markdown.splitlines()
    assert "| severity | rule | target | pages | first seen | browser |" in lines
    [never] = [ln for ln in lines if "`https://never.test/n.js`" in ln]
    assert never.endswith(f"| 1 {CONFIRMED}, 1 {NOT_LOADED} |")
    [custom] = [ln for ln in lines if "`https://partner.test/custom`" in ln]
    assert custom.endswith(f"| {NOTICED} |")
    assert "lower confidence" in markdown
    assert "- Mentioned by a script, loaded when visited: `vendor.test`, `widget.test`." in lines
    assert "- Mentioned by a script, not loaded when visited: `cdn.test`, `forms.test`." in lines


# -- history: open since ---------------------------------------------------------------------
TRACKER = '<script src="https://cdn.newtracker.example/t.js"></script>'


@pytest.fixture(scope="module")
def second_run(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    """Two weekly runs of the leaky shop: a tracker added before the second."""
    tmp_path = tmp_path_factory.mktemp("weeks")
    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    scan(site, store, tmp_path / "1.json")
    backdate(store, 1, "2026-11-17T06:00:00Z")
    index = site / "index.html"
    index.write_text(index.read_text("utf-8").replace("</head>", TRACKER + "</head>"), "utf-8")
    scan(site, store, tmp_path / "2.json")
    return load_run(store, 2)


def test_each_problem_says_since_when_it_is_open(second_run: ScanResult) -> None:
    page = doc(second_run)
    since = {
        tr.xpath(".//td[@class='target']/span[@class='url']")[0].text_content(): [
            d.text_content() for d in tr.xpath(".//td[@class='target']/div[@class='since']")
        ]
        for tr in page.xpath("//*[@id='findings']//tbody/tr")
    }
    assert since.pop("cdn.newtracker.example") == []  # new in this run: nothing to say
    assert since and all(v == ["open since 2026-11-17"] for v in since.values())
    listed = [
        li.text_content() for li in page.xpath("//*[@id='pages']//tbody//li[not(@class='more')]")
    ]
    assert [t for t in listed if "newtracker" in t and "open since" in t] == []
    assert [t for t in listed if "newtracker" not in t and "open since 2026-11-17" not in t] == []
    block = data(page)
    strings = block["str"]
    opened = {
        strings[o[5]]: (strings[o[8]] if len(o) > 8 and o[8] >= 0 else "") for o in block["occ"]
    }
    assert opened.pop("https://cdn.newtracker.example/t.js") == ""
    assert set(opened.values()) == {"2026-11-17"}


def test_the_open_longest_table_labels_its_cells_for_phone_cards(second_run: ScanResult) -> None:
    page = doc(second_run)
    cells = page.xpath("//table[contains(@class, 'history-oldest')]/tbody/tr[1]/td")
    assert [c.get("data-label") for c in cells] == ["Open since", "Rule", "Page", "Target"]


def test_markdown_findings_say_since_when_they_are_open(second_run: ScanResult) -> None:
    lines = render(second_run, Format.MARKDOWN).splitlines()
    assert "| severity | rule | target | pages | first seen | open since |" in lines
    rows = [ln for ln in lines if ln.startswith(("| error | `", "| warning | `"))]
    [new] = [ln for ln in rows if "newtracker" in ln]
    assert new.endswith("|  |")
    assert all(ln.endswith("| 2026-11-17 |") for ln in rows if ln != new)
