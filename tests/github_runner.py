"""What GitHub's Actions runner would obey in a step's output: its two command syntaxes.

The runner reads each line of a step's standard output and error: a line whose text, after
leading white space, starts with ``::name ...::`` is a workflow command, and so is a line
that holds ``##[name ...]`` anywhere (the older syntax, still parsed), when ``name`` is a
command it knows. ``::stop-commands::TOKEN`` makes it ignore every command until a line
``::TOKEN::``. This module reads a log the same way, so a test can say "this output gives
the runner no command" without a runner.
"""

from __future__ import annotations

import re

COMMANDS = frozenset(
    {
        "add-mask",
        "add-matcher",
        "add-path",
        "debug",
        "echo",
        "endgroup",
        "error",
        "group",
        "notice",
        "remove-matcher",
        "save-state",
        "set-env",
        "set-output",
        "stop-commands",
        "warning",
    }
)
_LINES = re.compile(r"\r\n|\r|\n")  # how .NET's ReadLine splits a stream


def _command(line: str) -> str | None:
    """The command name a line carries, in either syntax, or None."""
    stripped = line.lstrip()
    if stripped.startswith("::"):
        end = stripped.find("::", 2)
        if end > 0:
            return stripped[2:end].split(" ", 1)[0].lower()
    start = line.find("##[")
    if start >= 0:
        end = line.find("]", start)
        if end > 0:
            return line[start + 3 : end].split(" ", 1)[0].lower()
    return None


def workflow_commands(log: str) -> list[str]:
    """The lines of ``log`` that the runner would run as commands (stop-commands and the
    line that resumes them excepted)."""
    obeyed: list[str] = []
    stopped: str | None = None
    for line in _LINES.split(log):
        name = _command(line)
        if name is None:
            continue
        if stopped is not None:
            if name == stopped:
                stopped = None
            continue
        if name == "stop-commands":
            stopped = line.lstrip()[len("::stop-commands::") :].strip().lower() or None
        elif name in COMMANDS:
            obeyed.append(line)
    return obeyed


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """A ``::name key=value,...::message`` line as the runner reads it: the command's name,
    its properties and its message, each unescaped (``%25``, ``%0D``, ``%0A``; in a
    property also ``%3A`` and ``%2C``)."""
    stripped = line.lstrip()
    assert stripped.startswith("::"), line
    end = stripped.index("::", 2)
    head, message = stripped[2:end], stripped[end + 2 :]
    name, _, raw = head.partition(" ")
    properties = {}
    for pair in filter(None, raw.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = _unescape(value, ("%3A", ":"), ("%2C", ","))
    return name.lower(), properties, _unescape(message)


def _unescape(text: str, *more: tuple[str, str]) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), *more, ("%25", "%")):
        text = text.replace(escaped, char)
    return text
