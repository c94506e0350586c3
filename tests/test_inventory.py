"""The third-party inventory says only what is true of every host it groups: a vendor is
named by what all its hosts share, and its page count is of distinct pages, never more than
were scanned."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import html as lxml_html
from typer.testing import CliRunner

from linkguard.cli import app

runner = CliRunner()

PLUS = '<a class="ext" href="https://plus.google.com/share?url=x">Share</a>'
FORM = '<iframe src="https://docs.google.com/forms/d/e/1FAIpQL/viewform"></iframe>'


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    site = tmp_path / "site"
    for name, body in pages.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<!doctype html><title>{name}</title>{body}", encoding="utf-8")
    return site


def _scan(site: Path, tmp_path: Path) -> tuple[dict[str, object], Path]:
    out = tmp_path / "r.json"
    html = tmp_path / "r.html"
    result = runner.invoke(
        app, ["scan", str(site), "-f", "json", "-o", str(out), "-f", "html", "-o", str(html)]
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(out.read_text(encoding="utf-8")), html


def _row(report: Path, name: str) -> lxml_html.HtmlElement:
    tree = lxml_html.fromstring(report.read_bytes())
    rows = tree.xpath(
        "//section[@id='third-parties']//tbody/tr[normalize-space(th/bdi[1])=$name]",
        name=name,
    )
    assert len(rows) == 1, f"no single inventory row named {name}"
    return rows[0]


def test_a_group_is_not_named_after_one_of_its_hosts(tmp_path: Path) -> None:
    """An undeclared Google Forms frame is not "Google Plus, social" because a Google Plus
    link shares its registrable domain."""
    site = _site(tmp_path, {"index.html": PLUS + FORM})
    results, report = _scan(site, tmp_path)
    named = {t["host"]: t["name"] for t in results["third_parties"]}  # type: ignore[union-attr]
    assert named == {"plus.google.com": "Google Plus", "docs.google.com": None}

    row = _row(report, "google.com")
    cells = [" ".join(td.text_content().split()) for td in row.xpath("td")]
    assert row.xpath("th/div") == []  # no "Google Plus" under the group's name
    assert cells[2:4] == ["", ""]  # company, category: not shared by both hosts
    hosts = " ".join(row.xpath(".//ul[@class='hosts']")[0].text_content().split())
    assert "plus.google.com Google Plus (Google, social) link; 1 page" in hosts
    assert "docs.google.com not named by third-party-web frame; 1 page" in hosts


def test_what_all_hosts_share_still_names_the_group(tmp_path: Path) -> None:
    both = (
        '<script src="https://apis.google.com/js/platform.js"></script>'
        '<img src="https://www.google.com/images/logo.png" alt="">'
    )
    site = _site(tmp_path, {"index.html": both})
    _, report = _scan(site, tmp_path)
    row = _row(report, "google.com")
    assert row.xpath("string(th/div[@class='muted'])") == "Other Google APIs/SDKs"
    cells = [" ".join(td.text_content().split()) for td in row.xpath("td")]
    assert cells[2:4] == ["Google", "utility"]


def test_a_vendor_counts_distinct_pages_not_the_sum_of_its_hosts(tmp_path: Path) -> None:
    """Three pages, each using both Google hosts: 3 pages, not "3-6"."""
    site = _site(tmp_path, {f"p{n}.html": PLUS + FORM for n in range(3)})
    results, report = _scan(site, tmp_path)
    parties = {t["host"]: t for t in results["third_parties"]}  # type: ignore[union-attr]
    assert {h: (t["pages"], t["vendor_pages"]) for h, t in parties.items()} == {
        "plus.google.com": (3, 3),
        "docs.google.com": (3, 3),
    }
    pages = _row(report, "google.com").xpath("td[@class='num']")[0]
    assert pages.text_content() == "3"


def test_overlapping_hosts_are_counted_once_per_page(tmp_path: Path) -> None:
    site = _site(tmp_path, {"a.html": PLUS, "b.html": PLUS + FORM, "c.html": FORM})
    results, _ = _scan(site, tmp_path)
    counts = {t["host"]: (t["pages"], t["vendor_pages"]) for t in results["third_parties"]}  # type: ignore[union-attr]
    assert counts == {"plus.google.com": (2, 3), "docs.google.com": (2, 3)}


def test_results_without_distinct_counts_never_show_more_pages_than_scanned(
    tmp_path: Path,
) -> None:
    """A results file from before ``vendor_pages`` gives a range: at least the busiest
    host's pages, at most the sum, capped at the pages scanned (4, not 2-4 on 3 pages)."""
    site = _site(tmp_path, {"a.html": PLUS, "b.html": PLUS + FORM, "c.html": FORM})
    results, _ = _scan(site, tmp_path)
    for party in results["third_parties"]:  # type: ignore[union-attr]
        party.pop("vendor_pages", None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(results), encoding="utf-8")
    report = tmp_path / "old.html"
    done = runner.invoke(app, ["report", str(old), "-f", "html", "-o", str(report)])
    assert done.exit_code == 0, done.output
    pages = _row(report, "google.com").xpath("td[@class='num']")[0]
    assert " ".join(pages.text_content().split()) == "2–3"
