"""Help that reads like a command-line tool's: placeholders a person understands, text shown
as written.

Typer labels every option with its Python type (``<bool>`` on a flag, ``<list[str]>``,
``{target}`` in the usage line) and reads help text as Rich markup, so ``[tool.linkguard]``
vanished. :class:`HelpGroup`, the app's group class, tidies every command it hands out,
commands other modules register included: a flag takes no placeholder, an option its
declared ``metavar`` or one named after it (``--max-pages MAX_PAGES``), a choice its choices,
an argument its name in capitals; help text is escaped for Rich.
"""

from __future__ import annotations

import copy
from enum import Enum
from typing import Any

import typer.core
from rich.markup import escape

_TIDY = "_linkguard_help_tidied"


class HelpGroup(typer.core.TyperGroup):
    """The app's group: every command, and the group itself, tidied before use."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            tidy(command, ctx)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        tidy(self, ctx)
        super().format_help(ctx, formatter)


def tidy(command: Any, ctx: Any) -> None:
    """Give ``command``'s parameters plain placeholders and escape its help text (once).

    ``ctx`` (the group's, whose help option names a command's context inherits) makes the
    command's ``-h/--help`` option now, so that it is tidied too."""
    if getattr(command, _TIDY, False):
        return
    setattr(command, _TIDY, True)
    rich = typer.core.HAS_RICH and getattr(command, "rich_markup_mode", None) == "rich"
    if command.help:
        command.help = _flowed(command.help)
    if rich and command.help:
        command.help = escape(command.help)
    help_option = command.get_help_option(ctx)
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        _tidy_param(param, rich)


def _flowed(text: str) -> str:
    """``text`` with each paragraph on one line: a docstring is wrapped at the source's width,
    and Rich keeps its line ends, so a sentence broke wherever the source line did. A
    paragraph that is a list (lines starting ``-`` or ``*``) keeps its lines."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(
        p
        if any(line.lstrip().startswith(("- ", "* ")) for line in p.splitlines())
        else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def _tidy_param(param: Any, rich: bool) -> None:
    if rich and getattr(param, "help", None):
        param.help = escape(param.help)
    if param.param_type_name == "argument":
        _tidy_argument(param)
    elif getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.metavar = ""  # a flag takes no value
    elif param.metavar is None:
        choices = _choices(param)
        param.metavar = "|".join(choices) if choices else (param.name or "value").upper()


def _tidy_argument(param: Any) -> None:
    """``TARGET`` in the usage line and the help, as click writes it: no ``{target}`` for a
    required one, no ``<str>`` type beside it."""
    name = param.metavar or (param.name or "value").upper()
    param.metavar = name
    usage = (name if param.required else f"[{name}]") + ("..." if param.nargs != 1 else "")
    # Typer 0.29 and later (which pyproject.toml keeps out, for its start-up cost) ask
    # these two; earlier ones never do. Set so that the help reads the same under either.
    param.display_type_rich = lambda ctx: None
    param._usage_display_name = lambda: usage
    param.make_metavar = lambda *args, **kwargs: usage  # Typer before 0.29, and click itself
    # Typer before 0.29 shows an argument's type as its type's metavar, else ``<name>``:
    # an empty metavar shows none. A copy: type objects are shared between parameters.
    kind = getattr(param, "type", None)  # Typer 0.29's arguments have none
    if kind is not None:
        shown = copy.copy(kind)
        shown.get_metavar = lambda *args, **kwargs: ""
        param.type = shown


def _choices(param: Any) -> list[str]:
    """The values a choice option takes, as typed on the command line."""
    found: Any = getattr(param, "type_descriptor", None)
    options = getattr(found, "choices", None) if found is not None else None
    if options is None:
        options = getattr(getattr(param, "type", None), "choices", None)
    if not options:
        return []
    return [str(o.value) if isinstance(o, Enum) else str(o) for o in options]
