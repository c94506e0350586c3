"""The one pass/fail decision of a run, shared by the exit code and every report.

A finding fails the run when it is new (not in the ``--baseline``), not suppressed (no
waiver, no ``data-linkguard-ignore``) and at or above ``--fail-on``. The exit code follows
from the same :class:`Verdict` (the repository's ARCHITECTURE.md, «Exit codes»): 0 pass,
1 failing findings, 3 an incomplete run, whatever it found. Because the CLI and the reporters
ask this module and nothing else, a report can never say PASS for a run that exited 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from linkguard.model import Finding, ScanResult, Severity


class FailOn(StrEnum):
    """The lowest severity that fails the run (``--fail-on``); ``never`` reports only."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"


EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INCOMPLETE = 3


def threshold_of(fail_on: str) -> int | None:
    """The severity rank at which findings fail the run; None when nothing fails ('never')."""
    if fail_on == FailOn.NEVER:
        return None
    try:
        return Severity(fail_on).rank
    except ValueError:  # an unreadable value (a hand-edited results file) fails safe
        return Severity.ERROR.rank


def is_failing(finding: Finding, fail_on: str) -> bool:
    """True when the finding alone fails the run: new (not in the baseline), not suppressed,
    and at or above ``fail_on``."""
    threshold = threshold_of(fail_on)
    return (
        threshold is not None
        and not finding.known
        and finding.suppressed_by is None
        and finding.severity.rank >= threshold
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """Pass or fail against ``run.fail_on``; an incomplete scan is said out loud."""

    failing: int  # findings that fail the run
    fail_on: str
    complete: bool

    @property
    def passed(self) -> bool:
        """True when no finding fails the run (an incomplete run may still pass this)."""
        return self.failing == 0

    @property
    def status(self) -> str:
        """FAIL, INCOMPLETE (nothing failed, but not everything was seen) or PASS."""
        if self.failing:
            return "FAIL"
        return "PASS" if self.complete else "INCOMPLETE"

    @property
    def reason(self) -> str:
        """Why, in one phrase: how many findings fail, against which ``--fail-on``."""
        if self.fail_on == FailOn.NEVER:
            return "fail-on is never: findings are reported, never fail the run"
        noun = "finding" if self.failing == 1 else "findings"
        if self.failing:
            return f"{self.failing} new {noun} at or above {self.fail_on}"
        return f"no new finding at or above {self.fail_on}"

    @property
    def exit_code(self) -> int:
        """3 when the run was cut short (its findings cannot vouch for the pages it did not
        reach), else 1 when a finding fails the run, else 0."""
        if not self.complete:
            return EXIT_INCOMPLETE
        return EXIT_PASS if self.passed else EXIT_FAIL


def verdict_of(result: ScanResult) -> Verdict:
    """The verdict of a run, judged against the ``fail_on`` it was run with.

    Suppressed findings count nowhere, whether they sit in ``result.suppressed`` or carry a
    ``suppressed_by`` in the main list (a results file from another version may do that).
    """
    failing = sum(1 for f in result.findings if is_failing(f, result.run.fail_on))
    return Verdict(failing, result.run.fail_on, result.run.complete)
