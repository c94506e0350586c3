"""A policy file with several mistakes takes one run to fix: every mistake is reported, each
naming the file, the key and the fix, in the order of the file, and the run exits 2 once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.config import PolicyErrors, load_policy, policy_from_mapping
from linkguard.errors import ConfigError

# Six mistakes, in six places: a value of the wrong type, an invalid origin, a misspelt key
# (one mistake, not also "hosts is required"), a missing required key in a second entry, an
# unknown rule id, a waiver that would waive everywhere; and a valid key between them.
SEVERAL = """\
[site]
origin = "not a url"
first_party = ["example.com"]

[crawl]
max_pages = "ten"
delay = 0.5

[[third_party]]
name = "Maps"
host = ["maps.example.net"]

[[third_party]]
name = "Fonts"

[rules]
no-such-rule = "off"

[[waiver]]
rule = "*"
reason = "everything"
"""

EXPECTED = [  # (key, a fragment of the fix)
    ("[site.origin]", "write `https://"),
    ("[crawl.max_pages]", "a whole number from 1"),
    ("[third_party[0].host]", "did you mean `hosts`?"),
    ("[third_party[1].hosts]", 'write `hosts = ["vendor.com"]`'),
    ("[rules.no-such-rule]", "valid rule ids"),
    ("[waiver[0]]", "add `page ="),
]


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "linkguard.toml"
    path.write_text(SEVERAL, encoding="utf-8")
    return path


def test_load_policy_raises_every_mistake_in_file_order(tmp_path: Path) -> None:
    path = _policy(tmp_path)
    with pytest.raises(PolicyErrors) as caught:
        load_policy(path)
    errors = caught.value.errors
    assert [e.message.split(" ", 2)[1] for e in errors] == [key for key, _ in EXPECTED]
    for error, (key, fix) in zip(errors, EXPECTED, strict=True):
        assert error.message.startswith(f"{path}: {key} ")
        assert error.tip is not None and fix in error.tip
    assert isinstance(caught.value, ConfigError) and caught.value.exit_code == 2


def test_one_mistake_is_still_one_plain_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        policy_from_mapping({"crawl": {"max_pages": 0, "delay": 1}}, source="x.toml")
    assert not isinstance(caught.value, PolicyErrors)
    assert caught.value.message == "x.toml: [crawl.max_pages] is out of range: 0"


def test_every_item_of_an_array_is_checked(tmp_path: Path) -> None:
    """Two bad items of one array, and a bad entry in a pyproject's [tool.linkguard]."""
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.linkguard.crawl]\ninclude = ["(", "ok", "["]\ntimeout = -1\n', encoding="utf-8"
    )
    with pytest.raises(PolicyErrors) as caught:
        load_policy(path)
    keys = [e.message.split(" ", 2)[1] for e in caught.value.errors]
    assert keys == [
        "[tool.linkguard.crawl.include[0]]",
        "[tool.linkguard.crawl.include[2]]",
        "[tool.linkguard.crawl.timeout]",
    ]


def test_the_cli_reports_them_all_and_exits_2_once(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    path = _policy(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    invoked = CliRunner().invoke(app, ["scan", str(site), "-c", str(path)])
    run = subprocess.run(
        [*linkguard_cmd, "scan", str(site), "-c", str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert invoked.exit_code == run.returncode == 2
    for stderr in (invoked.output, run.stderr):
        lines = stderr.splitlines()
        errors = [line for line in lines if line.startswith("linkguard: error: ")]
        assert len(errors) == len(EXPECTED), stderr
        for line, (key, _) in zip(errors, EXPECTED, strict=True):
            assert line.startswith(f"linkguard: error: {path}: {key} ")
        assert sum("  tip: " in line for line in lines) == len(EXPECTED)
        assert lines[-1] == "linkguard: 6 mistakes in the policy; fix them and run again"
        assert "Traceback" not in stderr
