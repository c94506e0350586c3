"""Help and shell completion as command-line users expect them: every command's --help read
through Typer's CliRunner and through the installed script."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from linkguard.cli import app

# Typer's own labels, which mean nothing to a user: <bool>, <str>, <list[str]>, <path>,
# <json|html|...>, and {target} for a required argument in the usage line.
PLACEHOLDER = re.compile(r"<[a-z][\w\[\]|,. ]*>|\{[A-Za-z_.]+\}|list\[")
WIDE = {"COLUMNS": "250", "TERMINAL_WIDTH": "250"}  # no line wraps inside [tool.linkguard]


def _commands(group: Any = None, prefix: str = "") -> list[str]:
    """Every command, a group's own commands too (``history show``)."""
    group = typer.main.get_command(app) if group is None else group
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(prefix + name)
        if hasattr(command, "commands"):
            found += _commands(command, prefix + name + " ")
    return found


def _helps(linkguard_cmd: list[str]) -> dict[str, tuple[str, str]]:
    """Each command's help (and the program's, under ""), from CliRunner and a subprocess."""
    runner = CliRunner()
    out: dict[str, tuple[str, str]] = {}
    for command in ["", *_commands()]:
        args = [*command.split(), "--help"]
        invoked = runner.invoke(app, args, env=WIDE)
        assert invoked.exit_code == 0, invoked.output
        run = subprocess.run(
            [*linkguard_cmd, *args], capture_output=True, text=True, timeout=60,
            env={**os.environ, **WIDE},
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        out[command] = (invoked.output, run.stdout)
    return out


def test_every_help_is_free_of_type_placeholders_and_keeps_its_brackets(
    linkguard_cmd: list[str],
) -> None:
    helps = _helps(linkguard_cmd)
    assert {"scan", "links", "init", "report", "diff", "demo", "history show"} <= helps.keys()
    for command, texts in helps.items():
        for text in texts:
            assert not PLACEHOLDER.findall(text), (command, PLACEHOLDER.findall(text), text)
            assert "\\[" not in text, (command, text)  # an escape shown instead of a bracket
    for text in helps["scan"]:
        assert "[tool.linkguard]" in text  # Rich markup no longer eats it
        assert "'.[browser]'" in text
        assert "Usage: linkguard scan [OPTIONS] [TARGET]" in text
    for text in helps["report"]:
        assert "Usage: linkguard report [OPTIONS] RESULTS" in text
        assert "FORMAT" in text and "json, html" in text  # the formats, named in the help


def test_help_without_rich_is_as_clean(linkguard_cmd: list[str]) -> None:
    """TYPER_USE_RICH=0 gives click's plain help: no escapes left in it either."""
    run = subprocess.run(
        [*linkguard_cmd, "scan", "--help"], capture_output=True, text=True, timeout=60,
        env={**os.environ, **WIDE, "TYPER_USE_RICH": "0"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "[tool.linkguard]" in run.stdout and "\\[" not in run.stdout
    assert not PLACEHOLDER.findall(run.stdout), run.stdout


def test_show_completion_prints_a_bash_script(linkguard_cmd: list[str]) -> None:
    # Typer names the shell from the process tree (shellingham), as in a user's terminal: run
    # it below a bash that stays (no exec of the last command), whatever ran pytest.
    in_bash = ["bash", "-c", '"$@"; status=$?; exit $status', "bash"]
    run = subprocess.run(
        [*in_bash, *linkguard_cmd, "--show-completion", "bash"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "_LINKGUARD_COMPLETE=complete_bash" in run.stdout
    assert "complete -o default -F _linkguard_completion linkguard" in run.stdout


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("linkguard sc", "1", {"scan"}),
        ("linkguard scan --max-", "2", {"--max-pages", "--max-depth"}),
        ("linkguard report r.json --format ma", "4", {"markdown"}),
    ],
)
def test_the_shell_asks_and_gets_completions(
    linkguard_cmd: list[str], words: str, cword: str, expected: set[str]
) -> None:
    """What bash's completion function does: the program run with the words typed so far."""
    env = {**os.environ, "_LINKGUARD_COMPLETE": "complete_bash", "COMP_WORDS": words}
    run = subprocess.run(
        linkguard_cmd, capture_output=True, text=True, timeout=60, env={**env, "COMP_CWORD": cword}
    )
    assert run.returncode == 0, run.stderr
    assert set(run.stdout.split()) == expected


def test_a_paragraph_of_help_flows_as_one_text_not_as_the_docstring_is_wrapped() -> None:
    """A docstring is wrapped at the source's width; on a terminal of any width its paragraph
    reads as one text (Rich wraps it), never broken where the source line ended."""
    for width in ("60", "250"):
        out = CliRunner().invoke(app, ["demo", "--help"], env={"COLUMNS": width}).output
        flowed = " ".join(line.strip(" │") for line in out.splitlines())
        assert "served by linkguard itself on an ephemeral local port and crawled" in flowed
        if width == "250":  # room for the whole paragraph: one line
            assert any(
                "local port and crawled by the real crawler" in ln for ln in out.splitlines()
            )
