"""How much a command says on stderr: ``-q`` errors only, ``-v`` a line per page, ``-vv``
also why pages were skipped or failed and where each crawl setting came from.

What a command prints on stdout (``links`` rows, ``--output -``) is its product and is never
silenced; errors are always printed (``_common.explain``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from linkguard.cli._common import say
from linkguard.errors import ConfigError

QUIET, NORMAL, VERBOSE, DEBUG = -1, 0, 1, 2

VerboseOption = Annotated[
    int,
    typer.Option(
        "--verbose",
        "-v",
        count=True,
        show_default=False,
        help="Say more on stderr: -v a line per page; -vv also pages skipped and why, and "
        "where each crawl setting came from (option, policy file or default).",
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print errors only: no progress, no summary, no warnings."),
]


@dataclass(frozen=True, slots=True)
class Voice:
    """A command's verbosity, from ``-q`` and ``-v``."""

    level: int = NORMAL

    @classmethod
    def of(cls, verbose: int, quiet: bool) -> Voice:
        """The voice ``-v``/``-vv`` and ``-q`` ask for; both at once is a usage error."""
        if quiet and verbose:
            raise ConfigError(
                "--quiet and --verbose ask for opposite things", tip="pass one of them"
            )
        return cls(QUIET if quiet else min(verbose, DEBUG))

    @property
    def quiet(self) -> bool:
        return self.level <= QUIET

    def info(self, text: str) -> None:
        """What a run normally says (the scope, a warning, a file written)."""
        if self.level >= NORMAL:
            say(text)

    def verbose(self, text: str) -> None:
        """What ``-v`` adds."""
        if self.level >= VERBOSE:
            say(text)

    def debug(self, text: str) -> None:
        """What ``-vv`` adds."""
        if self.level >= DEBUG:
            say(text)
