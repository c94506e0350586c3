"""Docs cannot drift: the README names every command and rule, and CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from linkguard.cli import app
from linkguard.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_two_one_line_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "pip install linkguard" not in README


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _quick_start_commands()[1] in ci.splitlines()


def test_every_command_has_help_and_is_in_the_readme() -> None:
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"command {name} has no help text"
        assert f"linkguard {name}" in README, f"README does not show `linkguard {name}`"


def test_every_rule_is_documented() -> None:
    for rule in RULES.values():
        assert rule.rationale and rule.fix and rule.bad and rule.good, rule.id
        assert f"`{rule.id}`" in README, f"README's rule table lacks {rule.id}"


def test_readme_rule_table_is_the_catalogue() -> None:
    from typer.testing import CliRunner

    table = CliRunner().invoke(app, ["rules"]).stdout.strip()
    assert table.startswith("| rule |")
    assert table in README, "README's rule table differs from `linkguard rules`: paste it again"


def test_every_test_named_in_the_survives_table_exists() -> None:
    section = README.split("## What linkguard survives", 1)[1].split("\n## ", 1)[0]
    checked = 0
    for row in section.splitlines():
        if not row.startswith("| ") or "test" not in row:
            continue
        current = ""
        for ref in re.findall(r"`((?:tests/[\w/]+\.py)?::\w+)`", row):
            path, _, name = ref.partition("::")
            current = path or current or "tests/test_http_crawler.py"
            source = (ROOT / current).read_text(encoding="utf-8")
            assert f"def {name}(" in source, f"{current}::{name} named in README does not exist"
            checked += 1
    assert checked >= 15


def test_no_doc_or_comment_cites_a_document_outside_the_repository() -> None:
    """The repository explains itself: ARCHITECTURE.md is where design references point."""
    outside = re.compile(r"DESIGN(?:\.md| section)|\.\./shared/")
    files = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "CHANGELOG.md"]
    for folder in ("linkguard", "tests", "bench", "templates"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md", ".j2")]
    cited = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line) and path.name != "test_docs.py"
    ]
    assert cited == []


def test_every_file_architecture_names_exists() -> None:
    """A newcomer finds, from ARCHITECTURE.md alone, the file to change: each it names is there."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+\.py)`", text))
    assert {"rules/_catalogue.py", "sources/__init__.py", "scan/pipeline.py"} <= named
    package = ROOT / "linkguard"
    missing = [
        name
        for name in sorted(named)
        if not (package / name).exists()
        and not list(package.rglob(name))
        and not (ROOT / name).exists()
    ]
    assert missing == []
