"""The HTML report in a real browser (headless Chromium): its script runs under the report's
own Content-Security-Policy, filters given in the address apply, hostile text stays text,
and a screenshot can be taken to look at.

Set LINKGUARD_SCREENSHOT=/path/shot.png to keep the screenshot of the failing sample.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from report_samples import XSS_IMG, XSS_SCRIPT, failing_site, hostile_site

from linkguard.model import ScanResult
from linkguard.reporters import Format, render

CHROMIUM = next(
    (
        p
        for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
        if p and Path(p).exists()
    ),
    None,
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)


def chromium(profile: Path, *args: str) -> str:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=2000",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def open_report(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Render a result, open it at an address fragment, return the DOM after scripts ran."""

    def opened(result: ScanResult, fragment: str = "") -> lxml.html.HtmlElement:
        page = tmp_path / "report.html"
        page.write_text(render(result, Format.HTML), encoding="utf-8")
        dom = chromium(tmp_path / "profile", "--dump-dom", page.as_uri() + fragment)
        doc = lxml.html.document_fromstring(dom)
        assert doc.get("data-lg-ready") == "1", "the report's script did not run"
        return doc

    return opened


def visible(rows: list[lxml.html.HtmlElement]) -> list[lxml.html.HtmlElement]:
    return [r for r in rows if r.get("hidden") is None]


def test_a_severity_filter_in_the_address_hides_other_findings(open_report) -> None:  # type: ignore[no-untyped-def]
    doc = open_report(failing_site(), "#severity=warning")
    assert doc.get_element_by_id("filters").get("hidden") is None  # shown once JS runs
    rows = doc.xpath("//section[@id='findings']//tr[@data-filter-row]")
    shown = visible(rows)
    assert shown and all(r.get("data-sev") == "warning" for r in shown)
    assert len(shown) == int(doc.get("data-lg-visible"))
    error_rule = doc.get_element_by_id("rule-exit-notice-missing")
    assert error_rule.get("hidden") is not None
    assert doc.get_element_by_id("rule-missing-sri").get("hidden") is None
    boxes = {b.get("value"): b.get("checked") for b in doc.xpath("//input[@name='severity']")}
    assert boxes["warning"] is not None


def test_rule_host_and_text_filters(open_report) -> None:  # type: ignore[no-untyped-def]
    doc = open_report(failing_site(), "#rule=undeclared-script")
    sections = doc.xpath("//section[@id='findings']/section[@data-filter-section]")
    assert [s.get("id") for s in sections if s.get("hidden") is None] == ["rule-undeclared-script"]

    doc = open_report(failing_site(), "#host=press.example.org")
    shown = visible(doc.xpath("//section[@id='findings']//tr[@data-filter-row]"))
    assert [r.get("data-rule") for r in shown] == ["unsafe-target-blank"]

    doc = open_report(failing_site(), "#q=legacy")
    pages = visible(doc.xpath("//section[@id='pages']//tr[@data-filter-row]"))
    assert [r.xpath("string(th)") for r in pages] == ["/legacy/"]


def test_sortable_columns_get_buttons(open_report) -> None:  # type: ignore[no-untyped-def]
    doc = open_report(failing_site())
    assert doc.xpath("//section[@id='pages']//thead//th/button[@class='sort']")


def test_hostile_text_stays_text_in_the_browser(open_report) -> None:  # type: ignore[no-untyped-def]
    doc = open_report(hostile_site(), "#q=evil")
    assert not doc.xpath("//img")
    assert not doc.xpath("//a[starts-with(normalize-space(@href), 'javascript:')]")
    assert len(doc.xpath("//script[not(@type)]")) == 1
    text = doc.text_content()
    assert XSS_IMG in text and XSS_SCRIPT in text


def test_screenshot(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(failing_site(), Format.HTML), encoding="utf-8")
    shot = tmp_path / "report.png"
    chromium(
        tmp_path / "profile",
        "--hide-scrollbars",
        "--window-size=1280,2000",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    keep = os.environ.get("LINKGUARD_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)
