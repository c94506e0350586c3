"""Template mode masks only the syntax of the engine a file is written for (its extension,
else ``[templates] engine``), so what the rendered page holds cannot hide in another
engine's syntax; a URL whose host the template supplies is listed as dynamic. Through the
real CLI on a real folder."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from linkguard.cli import app

runner = CliRunner()

POLICY = '[site]\norigin = "https://www.example.com"\n\n[templates]\nengine = "go"\n'


def _gate(root: Path, policy: str) -> tuple[int, dict[str, object], str]:
    (root / "linkguard.toml").write_text(policy, encoding="utf-8")
    out = root.parent / "r.json"
    config = str(root / "linkguard.toml")
    result = runner.invoke(
        app, ["scan", "--templates", str(root), "--config", config, "-o", str(out), "--quiet"]
    )
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    return result.exit_code, data, result.output


def test_syntax_of_another_engine_hides_nothing(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    # A Hugo (Go) layout: {# #} is text to Go, so the page renders the script.
    (root / "baseof.html").write_text(
        "<html><head>{{ .Title }}\n"
        '{# <script src="https://go-hidden.example/t.js"></script> #}\n</head></html>\n',
        encoding="utf-8",
    )
    # A Jinja partial: "<?" is text to Jinja (and used to mask to the end of the file).
    (root / "footer.j2").write_text(
        '<p>{{ year }} <?</p>\n<script src="https://after-pi.example/t.js"></script>\n',
        encoding="utf-8",
    )
    # A fixed scheme whose host the template supplies is dynamic, not a first-party path.
    (root / "cdn.j2").write_text(
        '<script src="https:{{ cdn }}/x.js"></script>\n<a href="/{{ lang }}/about">a</a>\n',
        encoding="utf-8",
    )
    code, data, output = _gate(root, POLICY)
    assert code == 1, output
    findings = sorted((f["rule"], f["host"], f["file"], f["line"]) for f in data["findings"])
    assert findings == [
        ("undeclared-script", "after-pi.example", "footer.j2", 2),
        ("undeclared-script", "go-hidden.example", "baseof.html", 2),
    ]
    dynamic = sorted((d["file"], d["line"], d["raw"]) for d in data["dynamic"])
    assert dynamic == [("cdn.j2", 1, "https:{…}/x.js"), ("cdn.j2", 2, "/{…}/about")]


def test_an_unknown_engine_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    (root / "a.html").write_text("<p>a</p>", encoding="utf-8")
    code, _, output = _gate(root, POLICY.replace('"go"', '"mako"'))
    assert code == 2
    assert "[templates.engine]" in output and "mako" in output and "Traceback" not in output
