"""Per-page work is linear in the page's size: an element with a million attributes, thousands
of links described by one huge element, links nested a thousand deep around a megabyte of
text. Each page is judged exactly as a scan judges it and must give the right references;
none of these tests measures time (the measurements are in the commit that made them
linear)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.extract import MAX_ELEMENT, extract_references, start_tag
from linkguard.extract._elements import MAX_TEXT

sys.path.insert(0, str(Path(__file__).parent / "rules"))
from rule_judge import judge

PAGE = "https://www.example.com/page.html"
CROWDED = 257  # attributes on one element
LONG = 32_768  # characters: a long page around the crowded element
PARTNER = "https://partner.example.net/"
TRACKER = "https://tracker.example.org/t.js"
NOTICE = "(link is external)"


def _names(count: int) -> str:
    """``count`` distinct attribute names without values: the fewest bytes per attribute."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"

    def name(i: int) -> str:
        out = ""
        while True:
            i, r = divmod(i, 36)
            out = digits[r] + out
            if not i:
                return "a" + out

    return " ".join(name(i) for i in range(count))


def _crowded_page(count: int, script_count: int | None = None) -> str:
    """A link and a script whose URL-bearing attribute comes after ``count`` others (the
    script's after ``script_count``), on a page long enough to have them counted."""
    names = _names(count)
    script_names = names if script_count is None else _names(script_count)
    return (
        f'<html><body><p>{"word " * (LONG // 5)}</p><a {names} href="{PARTNER}">Partner</a>'
        f'<script {script_names} src="{TRACKER}"></script></body></html>'
    )


class _CountingAttributes(Mapping[str, str]):
    """An element's attributes that count how many values are read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.reads = 0

    def __getitem__(self, name: str) -> str:
        self.reads += 1
        return "value"

    def __iter__(self) -> Iterator[str]:
        return (f"attribute{i}" for i in range(self.count))

    def __len__(self) -> int:
        return self.count


def test_a_start_tag_stops_reading_attributes_once_past_its_bound() -> None:
    attrs = _CountingAttributes(1_000_000)
    snippet = start_tag("a", attrs)
    assert len(snippet) == MAX_ELEMENT and snippet.startswith('<a attribute0="value"')
    assert attrs.reads < MAX_ELEMENT  # a few dozen, not a million


def test_an_element_with_hundreds_of_attributes_is_read_in_its_place() -> None:
    page = extract_references(_crowded_page(CROWDED), PAGE)
    assert [(r.kind, r.url) for r in page.references] == [("link", PARTNER), ("script", TRACKER)]
    assert all(len(r.element) <= MAX_ELEMENT for r in page.references)
    assert [r.line for r in page.references] == [1, 1]


def test_100000_attributes_on_one_element_give_the_right_references() -> None:
    analysis = judge(_crowded_page(100_000))
    assert {(f.rule, f.target) for f in analysis.findings} >= {
        ("exit-notice-missing", PARTNER),
        ("undeclared-script", TRACKER),
    }


def test_4000_links_described_by_a_one_megabyte_element_are_judged() -> None:
    note = f'<p id="note">{NOTICE} ' + "word " * 200_000 + "</p>"
    links = "".join(
        f'<a href="https://p{i}.example.net/" aria-describedby="note">P{i}</a>\n'
        for i in range(4_000)
    )
    analysis = judge(f"<html><body>{note}{links}</body></html>")
    assert (analysis.record.outbound, analysis.record.noticed) == (4_000, 4_000)
    assert analysis.mechanisms == (("text", 4_000),)


def test_links_nested_a_thousand_deep_around_a_megabyte_are_judged() -> None:
    opening = "".join(f'<a href="https://p{i}.example.net/"><div>' for i in range(1_000))
    page = extract_references(f"<html><body>{opening}{'word ' * 200_000}</body></html>", PAGE)
    links = [r for r in page.references if r.kind == "link"]
    assert len(links) == 1_000
    assert all(len(r.text) <= MAX_TEXT for r in links)
    # each link's text is read from its first MAX_NODES elements: the inner ones reach the
    # text, the outer ones are cut before it (a notice there is not credited, never forged)
    assert links[-1].text.startswith("word word") and links[0].text == ""


def _scan(site: Path, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app, ["scan", str(site), "--origin", "https://www.example.com", "--format", "json",
              "-o", str(out), "--quiet"],
    )  # fmt: skip
    return result.exit_code, json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_folder_of_hostile_pages_is_scanned_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    # a million attributes on one element: 6 MB, under the 10 MB page cap
    (site / "attributes.html").write_text(_crowded_page(1_000_000, 1_000), encoding="utf-8")
    note = f'<p id="note">{NOTICE} ' + "word " * 200_000 + "</p>"
    links = "".join(f'<a href="https://p{i}.example.net/" aria-describedby="note">P</a>'
                    for i in range(4_000))  # fmt: skip
    (site / "described.html").write_text(f"<body>{note}{links}</body>", encoding="utf-8")
    code, data = _scan(site, tmp_path)
    assert code == 1
    assert [p["error"] for p in data["pages"]] == [None, None]
    found = {(f["file"], f["rule"], f["target"]) for f in data["findings"]}
    assert found == {
        ("attributes.html", "exit-notice-missing", PARTNER),
        ("attributes.html", "undeclared-script", TRACKER),
    }
    described = next(p for p in data["pages"] if p["file"] == "described.html")
    assert (described["outbound"], described["noticed"]) == (4_000, 4_000)
