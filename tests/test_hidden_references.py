"""What Chromium loads cannot hide from linkguard: a hostile build folder, scanned through
the real CLI, has every third party it loads reported, and a page linkguard cannot read as
a browser does is recorded as not scanned, with the reason."""

from __future__ import annotations

import html
import json
from pathlib import Path

from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.extract import extract_references
from linkguard.extract._elements import MAX_SRCDOC_DEPTH, SRCDOC_TOO_DEEP

runner = CliRunner()
ORIGIN = "https://www.example.com"

HOSTILE = """<!DOCTYPE html>
<html><head><meta charset="rot13">
<base href="javascript:/">
<link rel="manifest" href="https://manifest.example/app.webmanifest">
<style>@import url("https://css.example/theme.css");</style>
</head><body>
<script src="//base.example/t.js"></script>
<noscript><p title="</noscript><script src=https://noscript.example/x.js></script>">
<div style="background:url(https://style.example/bg.png)">x</div>
<iframe srcdoc="<script src=https://srcdoc.example/s.js></script>"></iframe>
<svg><script href="https://svg.example/s.js"></script></svg>
<a href="/about/" ping="https://ping.example/beacon">about</a>
</body></html>
"""


def _scan(site: Path, out: Path) -> int:
    policy = site.parent / "linkguard.toml"
    policy.write_text(f'[site]\norigin = "{ORIGIN}"\n', encoding="utf-8")
    result = runner.invoke(
        app, ["scan", str(site), "--config", str(policy), "-o", str(out), "--quiet"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def test_a_hostile_page_hides_no_third_party_from_a_folder_scan(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "about").mkdir(parents=True)
    (site / "index.html").write_text(HOSTILE, encoding="utf-8")
    (site / "about" / "index.html").write_text("<p>about</p>", encoding="utf-8")
    out = tmp_path / "r.json"
    assert _scan(site, out) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    found = sorted((f["rule"], f["host"], f["kind"], f["line"]) for f in data["findings"])
    assert found == [
        ("undeclared-resource", "css.example", "stylesheet", 5),
        ("undeclared-resource", "manifest.example", "manifest", 4),
        ("undeclared-resource", "ping.example", "ping", 12),
        ("undeclared-resource", "style.example", "image", 9),
        ("undeclared-script", "base.example", "script", 7),
        ("undeclared-script", "noscript.example", "script", 8),
        ("undeclared-script", "srcdoc.example", "script", 10),
        ("undeclared-script", "svg.example", "script", 11),
    ]
    assert [(p["url"], p["error"]) for p in data["pages"]] == [
        (f"{ORIGIN}/", None),
        (f"{ORIGIN}/about/", None),
    ]
    inventory = {(t["host"], *t["kinds"]) for t in data["third_parties"]}
    assert {("manifest.example", "manifest"), ("ping.example", "ping")} <= inventory


def _nested_srcdoc(levels: int) -> str:
    """An iframe whose srcdoc holds an iframe ... ``levels`` deep, a script in each."""
    document = ""
    for level in range(levels, 0, -1):
        document = f'<script src="https://l{level}.example/s.js"></script>' + (
            f'<iframe srcdoc="{html.escape(document)}"></iframe>' if document else ""
        )
    return document


def test_srcdoc_documents_are_read_to_a_depth_and_deeper_ones_are_said() -> None:
    within = extract_references(_nested_srcdoc(MAX_SRCDOC_DEPTH + 1), ORIGIN + "/")
    assert [r.url for r in within.references] == [
        f"https://l{level}.example/s.js" for level in range(1, MAX_SRCDOC_DEPTH + 2)
    ]
    assert within.unread == ""
    deeper = extract_references(_nested_srcdoc(MAX_SRCDOC_DEPTH + 2), ORIGIN + "/")
    assert len(deeper.references) == MAX_SRCDOC_DEPTH + 1
    assert deeper.unread == SRCDOC_TOO_DEEP


def test_a_page_nesting_srcdoc_too_deep_is_recorded_as_not_scanned(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(_nested_srcdoc(MAX_SRCDOC_DEPTH + 2), encoding="utf-8")
    out = tmp_path / "r.json"
    assert _scan(site, out) == 4  # the only page could not be read whole: nothing checked
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(p["url"], p["error"]) for p in data["pages"]] == [(f"{ORIGIN}/", SRCDOC_TOO_DEEP)]
    rules = sorted({f["rule"] for f in data["findings"]})
    assert rules == ["crawl-error", "undeclared-script"]
