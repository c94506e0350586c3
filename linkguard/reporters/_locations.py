"""Where a finding is, for the CI formats (SARIF, GitHub annotations, GitLab Code Quality),
and findings folded into one entry per rule and target.

CI systems place a finding on a file of the repository, named from its top level. A scan
records each finding's ``file`` relative to the folder it read, and, where that folder is in
a git work tree, the folder's path from the top (``run.repository_folder``): the two joined
are what code scanning, annotations and merge-request widgets need. A crawled page is no
file of the repository: it is located by its URL, and the same broken promise on 5,000 pages
(one footer) is one entry whose pages are listed with it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from linkguard.model import Finding, RunInfo, fingerprint, fingerprint_of_path


def repository_path(run: RunInfo, finding: Finding) -> str | None:
    """The finding's file as a path from the repository's top level (POSIX), or as the
    scan named it when the run knows no repository (relative to the folder it read);
    None when it has no file (a crawled page)."""
    file = finding.file
    if not file:
        return None
    if file == run.config:  # the policy file (unused-declaration), named as it was given
        return _policy_path(run, file)
    if run.repository_folder is not None:
        return posixpath.normpath(posixpath.join(run.repository_folder, file))
    return file


def _policy_path(run: RunInfo, file: str) -> str:
    path = PurePath(file)
    if run.repository and path.is_absolute() and path.is_relative_to(run.repository):
        return path.relative_to(run.repository).as_posix()
    return path.as_posix()  # relative to where linkguard ran: the top level in CI


@dataclass(frozen=True, slots=True)
class Group:
    """Findings reported as one entry: one finding, or every finding of a rule and target."""

    findings: tuple[Finding, ...]  # sorted; the first is the entry's main location
    folded: bool  # a group of its rule and target, whatever its size

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def severity_rank(self) -> int:
        return max(f.severity.rank for f in self.findings)


def _fold_key(finding: Finding) -> tuple[str, str, str]:
    return (finding.rule, finding.target, finding.suppressed_by or "")


def group(findings: Iterable[Finding], *, fold_files: bool = False) -> list[Group]:
    """A finding in a file stays one entry (unless ``fold_files``); findings on crawled
    pages, and with ``fold_files`` all of them, are folded by rule, target and suppression.
    Sorted by the main finding."""
    singles: list[Group] = []
    folds: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in findings:
        if finding.file and not fold_files:
            singles.append(Group((finding,), folded=False))
        else:
            folds.setdefault(_fold_key(finding), []).append(finding)
    folded = [Group(tuple(sorted(fs, key=_order)), folded=True) for fs in folds.values()]
    return sorted([*singles, *folded], key=lambda g: (_order(g.first), g.folded))


def _order(finding: Finding) -> tuple[str, str, int, str, str, str]:
    return (finding.file or "", finding.page, finding.line, finding.rule, finding.target,
            finding.element)  # fmt: skip


def most_severe(groups: list[Group], limit: int) -> list[Group]:
    """At most ``limit`` groups: the most severe, then the most widespread, in their order."""
    if len(groups) <= limit:
        return groups
    ranked = sorted(
        range(len(groups)), key=lambda i: (-groups[i].severity_rank, -len(groups[i].findings), i)
    )
    kept = sorted(ranked[:limit])
    return [groups[i] for i in kept]


def entry_fingerprint(entry: Group) -> str:
    """A single finding's own fingerprint; a fold's from its rule and target (and whether it
    is suppressed) alone, so it is the same entry whichever pages it is on next time."""
    first = entry.first
    if entry.folded:
        kind = "folded" if first.suppressed_by is None else "folded, suppressed"
        return fingerprint_of_path(first.rule, "*", first.target, kind)
    return first.fingerprint or fingerprint(first.rule, first.page, first.target, first.kind)
