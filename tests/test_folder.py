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


# -- pages the build lacks -----------------------------------------------------------------
HOME = """<!doctype html>
<head><meta http-equiv="refresh" content="30; url=/moved/"></head>
<a href="/about/">about</a>
<a href="/about/?lang=en#team">about, in English</a>
<a href="/contact">contact: contact.html, a clean URL</a>
<a href="/team">team: a folder with an index</a>
<a href="docs/guide.pdf">a file, not a page</a>
<a href="/index.html%3Flang=ar%252Ffeed%252F.html">a mirrored page</a>
<a href="/gone/">gone</a>
<a href="/old.html#top">old</a>
<a href="/gone/">gone, again</a>
<iframe src="/embed/map.html"></iframe>
<a href="/api/search">served by another application</a>
<div data-linkguard-ignore="missing-page"><a href="/draft/">a draft, known</a></div>
<a href="/empty/">a folder without an index</a>
<a href="https://x.example.net/missing">a third party</a>
<img src="/img/logo.png" alt="">
"""


def _build(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    files = {
        "index.html": HOME,
        "about/index.html": "<p>about</p>",
        "contact.html": "<p>contact</p>",
        "team/index.htm": "<p>team</p>",
        "docs/guide.pdf": "%PDF-1.4",
        "index.html?lang=ar%2Ffeed%2F.html": "<p>arabic</p>",
        "empty/readme.txt": "nothing to serve",
    }
    for name, body in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(body, encoding="utf-8")
    return site


def test_a_linked_page_the_build_lacks_is_a_finding(tmp_path: Path) -> None:
    site = _build(tmp_path)
    (tmp_path / "linkguard.toml").write_text(
        f'[site]\norigin = "{ORIGIN}"\n\n[crawl]\nexclude = ["/api/"]\n', encoding="utf-8"
    )
    out = tmp_path / "r.json"
    result = runner.invoke(
        app, ["scan", str(site), "--config", str(tmp_path / "linkguard.toml"), "-o", str(out),
              "--fail-on", "warning"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text(encoding="utf-8"))

    def missing(key: str) -> list[tuple[str, int, str, str | None]]:
        return [
            (f["target"], f["line"], f["kind"], f["file"])
            for f in data[key]
            if f["rule"] == "missing-page"
        ]

    assert missing("findings") == [
        (f"{ORIGIN}/moved/", 2, "refresh", "index.html"),
        (f"{ORIGIN}/gone/", 9, "link", "index.html"),
        (f"{ORIGIN}/old.html", 10, "link", "index.html"),
        (f"{ORIGIN}/gone/", 11, "link", "index.html"),
        (f"{ORIGIN}/embed/map.html", 12, "frame", "index.html"),
        (f"{ORIGIN}/empty/", 15, "link", "index.html"),
    ]
    assert missing("suppressed") == [(f"{ORIGIN}/draft/", 14, "link", "index.html")]
    [gone] = [f for f in data["findings"] if f["line"] == 9]
    assert gone["severity"] == "warning"
    assert gone["message"] == "Linked page /gone/ is not in the build: no file serves it."


def test_a_crawl_reports_a_missing_page_as_the_server_does_not_as_missing_page(
    tmp_path: Path,
) -> None:
    """Over HTTP the server answers for itself (a 404 is a crawl error): missing-page is
    what a folder scan, which fetches nothing, adds."""
    site = _build(tmp_path)
    with serve_folder(site) as base:
        out = tmp_path / "r.json"
        result = runner.invoke(app, ["scan", base, "-o", str(out), "--ignore-robots"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    rules = {f["rule"] for f in data["findings"]}
    assert "missing-page" not in rules and "crawl-error" in rules
