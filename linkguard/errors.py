"""The exceptions linkguard raises on purpose, and what the CLI makes of them.

    LinkguardError                 base: a message for a person, never a traceback
    ├── ConfigError                the policy file or an option is wrong (exit code 2)
    └── ScanError                  the scan itself could not run (exit code 3)

Library errors are wrapped at the boundary with ``raise ... from``; anything else that
escapes is a bug and keeps its traceback. Ctrl-C or SIGTERM mid-scan is no exception: the
pages done are reported, marked incomplete, and the verdict (``linkguard.results.verdict``)
exits 3.
"""

from __future__ import annotations


class LinkguardError(Exception):
    """A problem the user can act on; ``tip`` says how."""

    exit_code = 3

    def __init__(self, message: str, *, tip: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.tip = tip

    def __str__(self) -> str:
        return self.message if not self.tip else f"{self.message}\n  tip: {self.tip}"


class ConfigError(LinkguardError):
    """The policy file, or a command-line option, is invalid."""

    exit_code = 2

    @classmethod
    def at(cls, file: str, key: str, problem: str, fix: str) -> ConfigError:
        """An error that names the file, the key and what would be valid."""
        return cls(f"{file}: [{key}] {problem}", tip=fix)


class ScanError(LinkguardError):
    """The scan could not be carried out (target unreachable, unreadable folder)."""

    exit_code = 3
