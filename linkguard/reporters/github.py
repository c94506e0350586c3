"""GitHub Actions workflow commands: an annotation on the pull request for each finding.

``::error file=PATH,line=N,title=RULE::message`` (``::warning``, ``::notice`` for info) puts
a finding on the line of the file it is in, in the pull request's diff and the job's page,
without code scanning. ``PATH`` is named from the repository's top level (the workspace the
runner resolves it against). Findings on crawled pages, which are no files, are folded into
one annotation per rule and target that names the first page and counts the others; past
``MAX_ANNOTATIONS``, findings in files are folded too. Known (baseline) and suppressed
findings are left out; the last line is the verdict as a notice.

This text is meant to reach the runner as commands, outside any ``stop-commands`` block, so
every value in it is escaped twice: first with ``linkguard.display``'s escapes (control and
bidirectional characters, ``##[``), then as the runner unescapes workflow commands (``%``,
CR and LF in the message; also ``:`` and ``,`` in a property). A file named
``x,line=1::y.html`` is then one ``file`` property, and no line holds a second command.
"""

from __future__ import annotations

from linkguard.display import shown
from linkguard.model import Finding, ScanResult, Severity
from linkguard.reporters._digest import active, rule_for
from linkguard.reporters._locations import Group, group, most_severe, repository_path
from linkguard.results.verdict import verdict_of

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
MAX_ANNOTATIONS = 1_000


def escape_data(text: str) -> str:
    """A command's message, as the runner reads it back: ``%``, CR and LF escaped."""
    shown_text = shown(text)
    return shown_text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: as data, and ``:`` and ``,`` escaped too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    """One workflow command line, every value escaped."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(result: ScanResult, entry: Group) -> str:
    """The annotation of one finding in a file, or of a fold: at its first file and line, or
    naming its first page, and counting the others."""
    first = entry.first
    severity = max((f.severity for f in entry.findings), key=lambda s: s.rank)
    message = _message(first)
    others = len(entry.findings) - 1
    path = repository_path(result.run, first)
    if path is not None:
        if others:
            message += f" Also in {others} more places."
        line = str(max(first.line, 1))
        return command(_COMMANDS[severity], message, file=path, line=line, title=first.rule)
    where = f" On {first.page}" + (f" and {others} more pages." if others else ".")
    return command(_COMMANDS[severity], message + where, title=first.rule)


def _message(finding: Finding) -> str:
    text = finding.message or rule_for(finding.rule).name
    return text + (f" ({finding.target})" if finding.target else "")


def render(result: ScanResult) -> str:
    """An annotation per new, unsuppressed finding (most severe first), then the verdict.

    Past ``MAX_ANNOTATIONS`` (GitHub shows a few dozen per job; a build folder can hold tens
    of thousands of findings), findings in files are folded by rule and target too, and only
    the most severe folds are annotated; the verdict says how many were left out."""
    listed = [f for f in active(result) if not f.known]
    groups = group(listed)
    if len(groups) > MAX_ANNOTATIONS:
        groups = group(listed, fold_files=True)
    kept = most_severe(groups, MAX_ANNOTATIONS)
    kept.sort(key=lambda g: -g.severity_rank)  # stable: by place within a severity
    lines = [annotation(result, g) for g in kept]
    verdict = verdict_of(result)
    said = f"{verdict.status}: {len(listed)} findings; {verdict.reason}"
    if len(kept) < len(groups):
        said += f"; {len(groups) - len(kept)} less severe annotations left out (see the report)"
    lines.append(command("notice", said, title="linkguard"))
    return "\n".join(lines) + "\n"
