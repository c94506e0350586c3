"""The nouns of a run's ``history`` section: what the history store (``--history``) knew
of the target when the run was recorded (ARCHITECTURE.md, «History»).

Kept beside ``model.py`` (which holds ``ScanResult.history``) and, like it, imports nothing
of linkguard: the store, the results codec and the reporters all read these.

First-seen dates are a map (``RunHistory.first_seen``: fingerprint -> the ``run.started``
of the run since which the finding has been open), not a field of ``Finding``: a finding's
record stays what the markup and the rules say, and a results file without history keeps
its exact shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class FixedFinding:
    """A finding of the previous run that this run no longer has."""

    fingerprint: str
    rule: str
    severity: str
    page: str = ""
    target: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendPoint:
    """One run of the target, as the trend charts draw it."""

    run: int
    started: str
    complete: bool = True
    needing_notice: int = 0  # outbound links that need an exit notice (exempt ones do not)
    noticed: int = 0  # of which carry one
    third_parties: dict[str, int] = field(default_factory=dict)  # declared/undeclared/linked
    findings: dict[str, int] = field(default_factory=dict)  # severity -> active findings


@dataclass(frozen=True, slots=True, kw_only=True)
class RunHistory:
    """This run against the store's earlier runs of the same target.

    "Previous" is the latest earlier run of the same target that was complete and not a
    ``--changed-since`` subset: a run cut short would make every finding it missed look
    fixed. Third parties are compared by host.
    """

    run: int  # this run's id in the store (``linkguard history show RUN``)
    runs: int = 1  # runs of this target in the store, this one included
    previous_run: int | None = None
    previous_started: str | None = None
    new_findings: tuple[str, ...] = ()  # fingerprints the previous run did not have
    fixed_findings: tuple[FixedFinding, ...] = ()
    new_third_parties: tuple[str, ...] = ()  # hosts the previous run did not see
    gone_third_parties: tuple[str, ...] = ()  # hosts the previous run saw and this one not
    # fingerprint -> run.started of the first run of the unbroken series that has it
    first_seen: dict[str, str] = field(default_factory=dict)
    trend: tuple[TrendPoint, ...] = ()  # the last runs of the target, oldest first, this one last
