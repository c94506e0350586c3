"""A page larger than ``crawl.max_bytes`` is scanned up to the cap and reported as cut
(``pages[].truncated``, a ``page-truncated`` finding), never dropped whole: a link near the
top of a huge page is still found. The same for a crawled page, a folder file and a template.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from linkguard.cli import app

ORIGIN = "https://www.example.com"
CAP = 4096
runner = CliRunner()


def _site(root: Path) -> Path:
    """A site whose /huge.html is over the cap: a link to a third party and one to a page
    near its top, another past the cut."""
    root.mkdir()
    top = '<a href="/near.html">Near</a><a href="https://tracker.example/deal">Deal</a>'
    padding = "<p>" + "filler text " * 1000 + "</p>"  # 12 KB: three times the cap
    (root / "huge.html").write_text(f"<html><body>{top}{padding}<a href='/far.html'>Far</a>")
    (root / "index.html").write_text('<a href="/huge.html">Huge</a>')
    for name in ("near.html", "far.html"):
        (root / name).write_text(f"<title>{name}</title>")
    (root / "linkguard.toml").write_text(
        f'[site]\norigin = "{ORIGIN}"\n[crawl]\nmax_bytes = {CAP}\n'
        "respect_robots = false\nsitemaps = false\n"
    )
    return root


def _scan(target: str, config: Path, out: Path, *extra: str) -> dict[str, Any]:
    args = ["scan", target, "--config", str(config), "-o", str(out), "--fail-on", "never"]
    result = runner.invoke(app, [*args, "-q", *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def _cut(data: dict[str, Any], page: str) -> list[tuple[str, str]]:
    return [(f["rule"], f["message"]) for f in data["findings"] if f["page"] == page]


def test_a_crawled_page_over_the_cap_is_scanned_up_to_it(
    tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    root = _site(tmp_path / "site")
    data = _scan(serve(root), root / "linkguard.toml", tmp_path / "r.json")
    pages = {p["url"]: p for p in data["pages"]}
    huge = pages[f"{ORIGIN}/huge.html"]
    assert (huge["status"], huge["error"], huge["truncated"]) == (200, None, True)
    assert huge["outbound"] == 1  # the third-party link near the top was read and judged
    assert f"{ORIGIN}/near.html" in pages  # followed from above the cut
    assert f"{ORIGIN}/far.html" not in pages  # below it: never read
    assert not pages[f"{ORIGIN}/"]["truncated"]
    found = dict(_cut(data, f"{ORIGIN}/huge.html"))
    assert sorted(found) == ["exit-notice-missing", "page-truncated"]
    assert found["page-truncated"] == (
        f"Page cut at {CAP:,} bytes (crawl.max_bytes): only that much was checked."
    )


def test_a_folder_file_over_the_cap_is_scanned_up_to_it(tmp_path: Path) -> None:
    root = _site(tmp_path / "build")
    data = _scan(str(root), root / "linkguard.toml", tmp_path / "r.json")
    huge = next(p for p in data["pages"] if p["url"] == f"{ORIGIN}/huge.html")
    assert (huge["error"], huge["truncated"], huge["outbound"]) == (None, True, 1)
    cut = [f for f in data["findings"] if f["rule"] == "page-truncated"]
    assert [(f["page"], f["file"], f["severity"]) for f in cut] == [
        (f"{ORIGIN}/huge.html", "huge.html", "warning")
    ]
    assert not any(f["rule"] == "crawl-error" for f in data["findings"])


def test_a_template_over_the_cap_is_judged_up_to_it(tmp_path: Path) -> None:
    root = _site(tmp_path / "templates")
    (root / "index.html").unlink()
    out = tmp_path / "r.json"
    data = _scan("", root / "linkguard.toml", out, "--templates", str(root))
    cut = [(f["file"], f["rule"]) for f in data["findings"] if f["file"] == "huge.html"]
    assert sorted(cut) == [("huge.html", "exit-notice-missing"), ("huge.html", "page-truncated")]
    truncated = sorted(p["file"] for p in data["pages"] if p["truncated"])
    assert truncated == ["huge.html"]
