"""The real-world-mirror sample site: pages built the way WordPress, Drupal, a legacy page
and a checkout build them, scanned as a user scans a folder (the CLI), give exactly the
findings that are true, and list what scripts only name as mentions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from linkguard.cli import app

ORIGIN = "https://www.rivertownlibrary.org"
EXPECTED = {
    # the Twitter embed's loader and the classic Google Analytics loader: nobody declared them
    ("undeclared-script", "https://platform.twitter.com/widgets.js"),
    ("undeclared-script", "https://ssl.google-analytics.com/ga.js"),
    # a file pinned by its version, loaded without integrity: a hash would hold
    ("missing-sri", "https://cdn.jsdelivr.net/npm/alpinejs@3.14.1/dist/cdn.min.js"),
    ("exit-notice-missing", "https://www.countystats-archive.org/rivertown/"),
}
MENTIONED = {  # host -> its kinds in the inventory
    "s.w.org": ("mention",),  # WordPress emoji images, a folder
    "www.paypal.com": ("mention",),  # a payment allowlist
    "pay.google.com": ("mention",),
    "js.stripe.com": ("mention", "script"),  # named in the allowlist and loaded by a tag
}


def _scan(target: str, out: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["scan", target, "--format", "json", "--output", str(out), "--quiet"]
    )
    assert result.exit_code == 1, result.output  # errors: the two undeclared loaders
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def test_a_real_world_mirror_gives_exactly_the_true_findings(
    sample_sites: Path, tmp_path: Path
) -> None:
    data = _scan(str(sample_sites / "real-world-mirror"), tmp_path / "r.json")
    assert {(f["rule"], f["target"]) for f in data["findings"]} == EXPECTED
    assert data["suppressed"] == []
    by_host = {t["host"]: t for t in data["third_parties"]}
    assert {h: tuple(by_host[h]["kinds"]) for h in MENTIONED} == MENTIONED
    # a vendor the policy declares and a script only names is declared, and so not unused
    assert by_host["www.paypal.com"]["declared_by"] == "PayPal"
    assert not by_host["s.w.org"]["declared"]
    # the page whose only outbound links are exempt: three links, none needing a notice, no
    # finding, and none counted as noticed (its coverage is not 100 %: it has nothing to cover)
    agencies = next(p for p in data["pages"] if p["url"] == f"{ORIGIN}/agencies/")
    assert (agencies["outbound"], agencies["noticed"], agencies["exempt"]) == (3, 0, 3)
    assert not [f for f in data["findings"] if f["page"] == agencies["url"]]
    assert data["summary"]["outbound_exempt"] == 3
    # JSON blocks (Drupal's ajaxPageState) name files, and give no reference at all
    assert "cdn.jsdelivr.net" in by_host and by_host["cdn.jsdelivr.net"]["kinds"] == ["script"]


def test_the_findings_say_where_the_loaders_are(sample_sites: Path, tmp_path: Path) -> None:
    data = _scan(str(sample_sites / "real-world-mirror"), tmp_path / "r.json")
    where = {f["target"]: (f["file"], f["line"], f["element"]) for f in data["findings"]}
    file, line, element = where["https://ssl.google-analytics.com/ga.js"]
    assert (file, line) == ("legacy/stats.html", 15)  # the document.write, not the var
    assert 'gaJsHost = "https://ssl."' in element and "document.write(unescape(" in element
    file, line, element = where["https://platform.twitter.com/widgets.js"]
    assert (file, line) == ("index.html", 38)
    assert 'js.src=p+"://platform.twitter.com/widgets.js"' in element


def test_the_mirror_crawled_over_http_gives_the_same_findings(
    sample_sites: Path, tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    site = sample_sites / "real-world-mirror"
    folder = _scan(str(site), tmp_path / "folder.json")
    base = serve(site)
    crawled = CliRunner().invoke(
        app,
        ["scan", base, "--config", str(site / "linkguard.toml"), "--format", "json",
         "--output", str(tmp_path / "crawl.json"), "--quiet"],
    )  # fmt: skip
    assert crawled.exit_code == 1, crawled.output
    crawl = json.loads((tmp_path / "crawl.json").read_text(encoding="utf-8"))
    assert {f["fingerprint"] for f in crawl["findings"]} == {
        f["fingerprint"] for f in folder["findings"]
    }
    assert crawl["summary"]["pages"] == folder["summary"]["pages"] == 5
