"""A build folder read as its site: each file at the URL a static server gives it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from linkguard.bundled.serve import serve_folder
from linkguard.cli import app

runner = CliRunner()
ORIGIN = "https://www.example.org"
BAD = '<a href="https://x.example.net/">x</a>'

# Names wget and HTTrack give pages with a query string; a space, non-ASCII, a '#', a '%'.
MIRRORED = [
    "index.html?lang=ar%2Ffeed%2F.html",
    "news/page 2.html",
    "über/uns.html",
    "c#sharp.html",
    "100%.html",
]


def _scan(site: Path, tmp_path: Path, *, code: int = 1) -> dict[str, object]:
    (tmp_path / "linkguard.toml").write_text(f'[site]\norigin = "{ORIGIN}"\n', encoding="utf-8")
    out = tmp_path / "r.json"
    result = runner.invoke(
        app,
        ["scan", str(site), "--config", str(tmp_path / "linkguard.toml"), "-o", str(out)],
    )
    assert result.exit_code == code, result.output
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def test_file_names_map_to_the_urls_a_static_server_serves_them_at(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name in MIRRORED:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<title>{name}</title>{BAD}", encoding="utf-8")
    pages = {
        p["file"]: p["url"]
        for p in _scan(site, tmp_path)["pages"]  # type: ignore[attr-defined]
    }
    assert pages["index.html?lang=ar%2Ffeed%2F.html"] == (
        f"{ORIGIN}/index.html%3Flang=ar%252Ffeed%252F.html"
    )
    assert pages["c#sharp.html"] == f"{ORIGIN}/c%23sharp.html"
    assert pages["100%.html"] == f"{ORIGIN}/100%25.html"

    # Python's http.server, a static server, answers each URL with that very file.
    with serve_folder(site) as base:
        for name, url in pages.items():
            path = url.removeprefix(ORIGIN + "/")
            with urllib.request.urlopen(base + path, timeout=10) as answer:
                body = answer.read().decode("utf-8")
            assert body.startswith(f"<title>{name}</title>"), (name, url)
