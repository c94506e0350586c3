"""The one pass/fail decision of a run, shared by the exit code and every report.

A finding fails the run when it is new (not in the ``--baseline``), not suppressed (no
waiver, no ``data-linkguard-ignore``) and at or above ``--fail-on``. A run also fails, with
no finding at all, when it cannot vouch for the site: nothing was checked (no page scanned,
or the start page failed), or it is incomplete (cut short, or more pages failed than
``[crawl] max_failed_share`` allows). The exit code follows from the same :class:`Verdict`
(the repository's ARCHITECTURE.md, «Exit codes»): 0 pass, 1 failing findings, 3 an
incomplete run, 4 nothing checked, whatever either found. Because the CLI and the reporters
ask this module and nothing else, a report can never say PASS for a run that exited 1.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

from linkguard.model import Finding, RunInfo, ScanResult, Severity, Summary


class FailOn(StrEnum):
    """The lowest severity that fails the run (``--fail-on``); ``never`` reports only."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"


EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INCOMPLETE = 3
# Its own code, not 3: an incomplete run holds pages that were judged (and --resume can
# finish it); a run that checked nothing holds no evidence at all, and the fix is the
# target (a wrong URL, a site that is down, an empty build), not another try.
EXIT_UNCHECKED = 4

CUT_SHORT = "the scan was cut short: pages it did not reach were not checked"


@functools.lru_cache(maxsize=16)  # asked once per finding: a run's verdict reads them all
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """How much of the site a run saw: what decides whether it can vouch for anything."""

    target: str
    scanned: int  # HTML pages read and judged
    found: int  # pages the run tried to read: scanned, failed, and not HTML
    failed: int  # of those, pages that could not be scanned
    start_error: str | None = None  # why the start page could not be scanned
    cut_short: bool = False  # Ctrl-C or SIGTERM
    max_failed_share: float = 1.0
    changed_since: str | None = None

    @property
    def nothing_to_check(self) -> str:
        """Why an empty run passes ("" when it is not one): a ``--changed-since`` run whose
        revision changed no template has nothing to judge, which is not a failure."""
        if self.changed_since is not None and self.found == 0 and not self.cut_short:
            return f"no template changed since {self.changed_since}: nothing to check"
        return ""

    @property
    def unchecked(self) -> str:
        """Why nothing was checked ("" when something was): no page was scanned, or the
        start page (the target URL, after redirects) could not be. A run cut short before
        its first page is incomplete instead: Ctrl-C always exits 3, which a loop around
        ``--resume`` relies on."""
        if self.nothing_to_check:
            return ""
        if self.start_error is not None:
            return f"the start page {self.target} could not be scanned ({self.start_error})"
        if self.scanned or self.cut_short:  # an interrupted run is incomplete (3), as ever
            return ""
        if self.found == 0:
            return f"no page was found at {self.target}"
        if self.found == 1 and self.failed:
            return "the only page found could not be scanned"
        if self.failed == self.found:
            return f"none of the {self.found:,} pages found could be scanned"
        return f"no HTML page could be scanned among the {_pages(self.found)} found"

    @property
    def shortfall(self) -> str:
        """Why the run cannot vouch for every page it found ("" when it can)."""
        if self.cut_short:
            return CUT_SHORT
        if self.found and self.failed / self.found > self.max_failed_share:
            return (
                f"{self.failed} of {_pages(self.found)} could not be scanned, more than "
                f"crawl.max_failed_share = {self.max_failed_share:g} allows"
            )
        return ""

    @property
    def whole(self) -> bool:
        """True when the run saw enough to vouch for the site (and so, for instance, to say
        that a declared vendor is never used)."""
        return not self.unchecked and not self.shortfall


def coverage_of(run: RunInfo, summary: Summary, found: int) -> Coverage:
    """The coverage a result records: its run, its summary, and its ``found`` page lines."""
    return Coverage(
        target=run.target,
        scanned=summary.pages,
        found=found,
        failed=summary.failed_pages,
        start_error=summary.start_page_error,
        cut_short=not run.complete,
        max_failed_share=run.max_failed_share,
        changed_since=run.changed_since,
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """Pass or fail against ``run.fail_on``; an incomplete or empty run is said out loud."""

    failing: int  # findings that fail the run
    fail_on: str
    complete: bool  # the run can vouch for every page it found
    unchecked: str = ""  # why nothing was checked ("" when something was): the run fails
    shortfall: str = ""  # why the run is incomplete, in words
    nothing_to_check: str = ""  # why an empty run passes (no template changed)

    @property
    def passed(self) -> bool:
        """True when no finding fails the run (an incomplete or empty run may still pass
        this; ``exit_code`` says whether the run does)."""
        return self.failing == 0

    @property
    def status(self) -> str:
        """FAIL (findings fail, or nothing was checked), INCOMPLETE (nothing failed, but not
        everything was seen) or PASS."""
        if self.failing or self.unchecked:
            return "FAIL"
        return "PASS" if self.complete else "INCOMPLETE"

    @property
    def gap(self) -> str:
        """Why the run cannot vouch for the site, as one sentence ("" when it can)."""
        if self.unchecked:
            return f"nothing was checked: {self.unchecked}"
        if not self.complete:
            return self.shortfall or "the run is incomplete"
        return ""

    @property
    def reason(self) -> str:
        """Why, in one phrase: nothing checked; else why the run is incomplete, if it is,
        and how many findings fail against which ``--fail-on``."""
        if self.unchecked:
            return self.gap
        if self.nothing_to_check:
            return self.nothing_to_check
        if self.fail_on == FailOn.NEVER:
            found = "fail-on is never: findings are reported, never fail the run"
        elif self.failing:
            noun = "finding" if self.failing == 1 else "findings"
            found = f"{self.failing} new {noun} at or above {self.fail_on}"
        else:
            found = f"no new finding at or above {self.fail_on}"
        return f"{self.shortfall}; {found}" if self.shortfall else found

    @property
    def exit_code(self) -> int:
        """4 when nothing was checked; else 3 when the run is incomplete (its findings
        cannot vouch for the pages it did not see); else 1 when a finding fails the run;
        else 0."""
        if self.unchecked:
            return EXIT_UNCHECKED
        if not self.complete:
            return EXIT_INCOMPLETE
        return EXIT_PASS if self.passed else EXIT_FAIL


def verdict_of(result: ScanResult) -> Verdict:
    """The verdict of a run, judged against the ``fail_on`` it was run with.

    Suppressed findings count nowhere, whether they sit in ``result.suppressed`` or carry a
    ``suppressed_by`` in the main list (a results file from another version may do that).
    """
    failing = sum(1 for f in result.findings if is_failing(f, result.run.fail_on))
    coverage = coverage_of(result.run, result.summary, len(result.pages))
    return Verdict(
        failing,
        result.run.fail_on,
        not coverage.shortfall,
        unchecked=coverage.unchecked,
        shortfall=coverage.shortfall,
        nothing_to_check=coverage.nothing_to_check,
    )


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count:,} pages"
