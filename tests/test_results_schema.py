"""The results JSON has a published JSON Schema (linkguard/data/results.schema.json), and
real scan outputs match it: a crawl, a folder scan and the golden reports here; a
browser-mode scan in tests/test_browser.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from linkguard.cli import app

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "linkguard" / "data" / "results.schema.json"


def check_results(data: dict[str, Any]) -> None:
    """Raise unless ``data`` matches the published schema (every key documented, typed)."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_the_schema_is_a_valid_json_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", ["failing", "hostile", "passing"])
def test_golden_results_match_the_schema(name: str) -> None:
    check_results(json.loads((ROOT / "tests" / "golden" / f"{name}.json").read_text("utf-8")))


@pytest.mark.parametrize("how", ["folder", "crawl"])
def test_a_real_scan_matches_the_schema(
    how: str, sample_sites: Path, serve: Any, tmp_path: Path
) -> None:
    site = sample_sites / "leaky-shop"
    target = str(site) if how == "folder" else serve(site)
    out = tmp_path / "results.json"
    args = ["scan", target, "--config", str(site / "linkguard.toml"), "-o", str(out), "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output  # the leaky shop fails, and says so
    data = json.loads(out.read_text(encoding="utf-8"))
    check_results(data)
    assert data["findings"] and all(f["evidence"] == "html" for f in data["findings"])
    assert all(t["seen"] == ["html"] for t in data["third_parties"])


def test_the_schema_catches_an_undocumented_field() -> None:
    data = json.loads((ROOT / "tests" / "golden" / "passing.json").read_text("utf-8"))
    data["summary"]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        check_results(data)
