"""The HTML report's history section, rendered by the reporter from real recorded runs:
the "new since last run" lines, and inline SVG trend charts whose marks carry the runs'
numbers; nothing in it that the report's Content-Security-Policy would block."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from history_helpers import backdate, copy_site, scan

from linkguard.history import load_run
from linkguard.model import ScanResult
from linkguard.reporters import Format, render
from linkguard.reporters._history import HEIGHT

TRACKER = '<script src="https://cdn.newtracker.example/t.js"></script>'


@pytest.fixture(scope="module")
def third_run(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    """The third of three weekly runs: a tracker added in the second, Hotjar removed and
    the Twitter link noticed in the third."""
    tmp_path = tmp_path_factory.mktemp("weeks")
    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    index = site / "index.html"
    scan(site, store, tmp_path / "1.json")
    backdate(store, 1, "2026-11-17T06:00:00Z")
    index.write_text(index.read_text("utf-8").replace("</head>", TRACKER + "</head>"), "utf-8")
    scan(site, store, tmp_path / "2.json")
    backdate(store, 2, "2026-11-24T06:00:00Z")
    html = index.read_text("utf-8").replace(
        '<a href="https://twitter.com', '<a class="external-link" href="https://twitter.com'
    )
    index.write_text("\n".join(x for x in html.splitlines() if "hotjar" not in x), "utf-8")
    scan(site, store, tmp_path / "3.json")
    return load_run(store, 3)


def _section(html: str) -> str:
    match = re.search(r'<section id="history".*?</section>', html, re.S)
    assert match, "no history section"
    return match.group(0)


def _chart(section: str, name: str) -> str:
    match = re.search(rf'<svg[^>]*data-chart="{name}".*?</svg>', section, re.S)
    assert match, f"no {name} chart"
    return match.group(0)


def test_the_findings_chart_draws_each_run_by_severity(third_run: ScanResult) -> None:
    history = third_run.history
    assert history is not None
    chart = _chart(_section(render(third_run, Format.HTML)), "findings")
    titles = re.findall(r"<title>(.*?)</title>", chart)
    expected = [
        f"run {p.run} ({p.started[:10]}): {p.findings[s]:,} {s}"
        for p in history.trend
        for s in ("error", "warning", "info")
        if p.findings.get(s)
    ]
    assert titles == expected
    assert titles[0].startswith("run 1 (2026-11-17): ")
    # stacked bars: each run's bar is as tall as its total, the tallest the full height
    totals = [sum(p.findings.values()) for p in history.trend]
    heights: dict[str, float] = {}
    for x, height in re.findall(
        r'<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', chart
    ):
        heights[x] = heights.get(x, 0.0) + float(height)
    assert [round(h, 1) for h in heights.values()] == [
        round(t / max(totals) * HEIGHT, 1) for t in totals
    ]


def test_the_coverage_and_third_party_charts_carry_the_runs_numbers(
    third_run: ScanResult,
) -> None:
    history = third_run.history
    assert history is not None
    section = _section(render(third_run, Format.HTML))
    coverage = _chart(section, "coverage")
    points = re.findall(r"<title>(.*?)</title>", coverage)
    assert points == [
        f"run {p.run} ({p.started[:10]}): {p.noticed / p.needing_notice:.1%} "
        f"({p.noticed:,} of {p.needing_notice:,} links)"
        for p in history.trend
    ]
    assert points[0].endswith("20.0% (2 of 10 links)")  # the Twitter link got its notice
    assert points[-1].endswith("30.0% (3 of 10 links)")
    assert "<polyline" in coverage
    parties = re.findall(r"<title>(.*?)</title>", _chart(section, "third-parties"))
    undeclared = [t for t in parties if t.endswith(" undeclared")]
    counts = [p.third_parties["undeclared"] for p in history.trend]
    assert undeclared == [
        f"run {p.run} ({p.started[:10]}): {n} undeclared"
        for p, n in zip(history.trend, counts, strict=True)
    ]
    assert counts[1] == counts[0] + 1  # the tracker's vendor
    assert counts[2] == counts[1] - 1  # Hotjar's


def test_the_section_says_what_changed_since_the_last_run(third_run: ScanResult) -> None:
    section = _section(render(third_run, Format.HTML))
    assert "since the last run on 2026-11-24 (run 2)." in section
    assert (
        'class="history-gone-hosts"><li><span class="url"><bdi>static.hotjar.com</bdi>' in section
    )
    fixed = re.search(r'<ul class="history-fixed">.*?</ul>', section, re.S)
    assert fixed and "undeclared-script" in fixed.group(0) and "hotjar" in fixed.group(0)
    oldest = re.search(r'<table class="grid history-oldest">.*?</table>', section, re.S)
    assert oldest and '<td data-label="Open since">2026-11-17</td>' in oldest.group(0)


def test_the_section_is_safe_under_the_reports_content_policy(third_run: ScanResult) -> None:
    html = render(third_run, Format.HTML)
    section = _section(html)
    assert "<script" not in section and "style=" not in section
    assert not re.search(r"\son[a-z]+=", section)  # no event handler attributes
    assert "src=" not in section  # nothing is loaded; pages are links that send no referrer
    for link in re.findall(r"<a [^>]*>", section):
        assert 'rel="noreferrer noopener"' in link
    # the only script in the document is the report's own inline one, beside its data
    # block (JSON, which no browser runs)
    assert re.findall(r"<script[^>]*>", html) == [
        '<script type="application/json" id="lg-data">',
        "<script>",
    ]


def test_a_report_without_history_has_no_history_section(
    third_run: ScanResult,
) -> None:
    from dataclasses import replace

    html = render(replace(third_run, history=None), Format.HTML)
    assert 'id="history"' not in html
    markdown = render(replace(third_run, history=None), Format.MARKDOWN)
    assert "History:" not in markdown


def test_the_json_round_trips_the_history_section(third_run: ScanResult) -> None:
    from linkguard.results import from_json, to_json

    assert from_json(to_json(third_run)) == third_run


@pytest.mark.slow
def test_the_charts_draw_in_chromium_without_a_policy_violation(
    third_run: ScanResult, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """In a real browser, under the report's own Content-Security-Policy: the charts have a
    size on screen and the console reports no refusal (a style attribute or a script in the
    section would be one). A violation is first shown to be reported at all."""
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium is not installed")
    folder = tmp_path_factory.mktemp("report")
    html = render(third_run, Format.HTML)
    (folder / "report.html").write_text(html, encoding="utf-8")
    broken = html.replace('<section id="history"', '<section style="color:red" id="history"')
    (folder / "broken.html").write_text(broken, encoding="utf-8")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            seen: dict[str, list[str]] = {}
            for name in ("broken", "report"):
                page = browser.new_page()
                messages = seen.setdefault(name, [])
                page.on("console", lambda m, messages=messages: messages.append(m.text))
                page.goto((folder / f"{name}.html").as_uri())
                sizes = page.eval_on_selector_all(
                    "svg[data-chart]",
                    "els => els.map(e => [e.dataset.chart, e.getBoundingClientRect().height])",
                )
                page.close()
        finally:
            browser.close()
    assert any("Content Security Policy" in m for m in seen["broken"])
    assert seen["report"] == []
    assert [name for name, _ in sizes] == ["coverage", "third-parties", "findings"]
    assert all(height > 50 for _, height in sizes)
