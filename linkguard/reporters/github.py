"""GitHub Actions workflow commands: an annotation on the pull request for each finding.

``::error file=PATH,line=N,title=RULE::message`` (``::warning``, ``::notice`` for info) puts
a finding on the line of the file it is in, in the pull request's diff and the job's page,
without code scanning. ``PATH`` is named from the repository's top level (the workspace the
runner resolves it against). Findings on crawled pages, which are no files, are folded into
one annotation per rule and target that names the first page and counts the others. Known
(baseline) and suppressed findings are left out; the last line is the verdict as a notice.

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
from linkguard.reporters._locations import Group, group, repository_path
from linkguard.results.verdict import verdict_of

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


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
    """The annotation of one finding in a file, or of a fold of findings on pages."""
    first = entry.first
    severity = max((f.severity for f in entry.findings), key=lambda s: s.rank)
    message = _message(first)
    path = repository_path(result.run, first)
    if path is not None and not entry.folded:
        return command(
            _COMMANDS[severity], message, file=path, line=str(max(first.line, 1)), title=first.rule
        )
    count = len(entry.findings)
    where = f" On {first.page}" + (f" and {count - 1} more pages." if count > 1 else ".")
    return command(_COMMANDS[severity], message + where, title=first.rule)


def _message(finding: Finding) -> str:
    text = finding.message or rule_for(finding.rule).name
    return text + (f" ({finding.target})" if finding.target else "")


def render(result: ScanResult) -> str:
    """An annotation per new, unsuppressed finding (most severe first), then the verdict."""
    listed = [f for f in active(result) if not f.known]
    groups = group(listed)
    groups.sort(key=lambda g: -max(f.severity.rank for f in g.findings))  # stable: by place
    lines = [annotation(result, g) for g in groups]
    verdict = verdict_of(result)
    lines.append(
        command("notice", f"{verdict.status}: {len(listed)} findings; {verdict.reason}",
                title="linkguard")
    )  # fmt: skip
    return "\n".join(lines) + "\n"
