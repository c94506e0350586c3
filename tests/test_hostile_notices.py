"""Hostile pages scanned as a user scans a build folder (the real CLI): a notice is something
a visitor perceives, and a page's own regular expressions cannot hang the scan
(ARCHITECTURE.md, «Exit notices»)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from linkguard.cli import app

ORIGIN = "https://www.example.com"
SETTINGS = '<script type="application/json" data-drupal-selector="drupal-settings-json">'
EXTLINK_JS = '<script src="/modules/contrib/extlink/js/extlink.js"></script>'


def _drupal_page(links: str, extlink: dict[str, object], scripts: str = "") -> str:
    data = json.dumps({"path": {"baseUrl": "/"}, "extlink": extlink})
    return f"<!DOCTYPE html><html><body>{links}{SETTINGS}{data}</script>{scripts}</body></html>"


def _scan(site: Path, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    config = tmp_path / "linkguard.toml"
    config.write_text(f'[site]\norigin = "{ORIGIN}"\n', encoding="utf-8")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app, ["scan", str(site), "--config", str(config), "--format", "json", "-o", str(out),
              "--quiet"],
    )  # fmt: skip
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result.exit_code, data


def _missing(data: dict[str, Any]) -> set[tuple[str, str]]:
    rule = "exit-notice-missing"
    return {(f["file"], f["target"]) for f in data["findings"] if f["rule"] == rule}


def test_a_scan_credits_only_notices_a_visitor_perceives(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    extlink = {"extClass": "ext", "extLabel": "(link is external)"}
    (site / "bare.html").write_text(  # the settings, and no script that reads them
        _drupal_page('<a href="https://bare.example.net/">Bare</a>', extlink), encoding="utf-8"
    )
    (site / "drupal.html").write_text(
        _drupal_page('<a href="https://loaded.example.net/">Loaded</a>', extlink, EXTLINK_JS),
        encoding="utf-8",
    )
    (site / "hidden.html").write_text(
        '<a href="https://hidden.example.net/">Hidden <span hidden>(link is external)</span>'
        '<img style="display:none" src="/i.png" alt="external site"><template>you are leaving'
        "</template></a>"
        '<a href="https://shown.example.net/">Shown <span class="sr-only">(link is external)'
        "</span></a>",
        encoding="utf-8",
    )
    code, data = _scan(site, tmp_path)
    assert code == 1
    assert _missing(data) == {
        ("bare.html", "https://bare.example.net/"),
        ("hidden.html", "https://hidden.example.net/"),
    }
    assert data["summary"]["notice_mechanisms"] == {"drupal-extlink": 1, "text": 1}


def test_a_page_s_catastrophic_pattern_cannot_hang_the_scan(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    xs = "x" * 28  # 19 s in a backtracking engine, doubling with each x
    links = (
        f'<a href="https://{xs}.example.net/">kept</a>'
        f'<a href="https://{xs}y.example.net/">excluded</a>'
        f'<a href="https://{xs * 100}.example.org/">longer still</a>'
    )
    extlink = {"extClass": "ext", "extExclude": "(x+x+)+y"}
    (site / "index.html").write_text(_drupal_page(links, extlink, EXTLINK_JS), encoding="utf-8")
    (site / "lookaround.html").write_text(
        _drupal_page('<a href="https://partner.example.net/">P</a>',
                     {"extClass": "ext", "extExclude": "partner(?!x)"}, EXTLINK_JS),
        encoding="utf-8",
    )  # fmt: skip
    code, data = _scan(site, tmp_path)
    assert code == 1
    assert _missing(data) == {
        ("index.html", f"https://{xs}y.example.net/"),
        ("lookaround.html", "https://partner.example.net/"),
    }
    [unreadable] = [f for f in data["findings"] if f["file"] == "lookaround.html"]
    assert "extExclude pattern could not be evaluated" in unreadable["message"]
    assert data["summary"]["notice_mechanisms"] == {"drupal-extlink": 2}
