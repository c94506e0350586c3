"""The HTML report's embedded data: every problem, finding and page as one inert JSON block.

The report shows the first page of each list as HTML (enough without JavaScript) and its
script renders the rest from this block, a page of rows at a time (ARCHITECTURE.md, «The
HTML report at scale»). The block is ``<script type="application/json">``: a browser never
runs it, and the text is escaped so that nothing in it can end the element or change how
the document around it is parsed: ``<``, ``>`` and ``&`` (so ``</script``, ``<!--`` and
character references are impossible), U+2028 and U+2029 (line terminators in older
JavaScript), lone surrogates, the C1 controls and the invisible bidirectional and zero-width
characters are written as ``\\uXXXX`` escapes; the
control characters HTML forbids become U+FFFD, as everywhere else in the report. The script
only ever puts these strings into ``textContent``, and makes a link only of a page address
the report already judged safe (``href``, http or https).

Layout (lists of lists to stay small at 100,000 findings; ``s`` indexes the string table)::

    {"v": 1,
     "str": [...],                                   # every repeated string, once
     "pages": [[label, href|null, status|0, error s|-1, file s|-1, outbound, exempt,
                noticed], ...],                      # sorted by URL: the by-page view
     "rules": [[id, name, severity, section], ...],  # section: "findings" | "suppressed"
     "groups": [[rule, severity, subject s, host s, message s, element s, elements,
                 targets, pages, known, by_host, [reason s, ...]], ...],
     "occ": [[group, page, line, severity, known, target s, file s|-1], ...],
     "rt": [[code, words], ...]}                     # browser mode only, below

A group or place that a browser visit judged, or that the history store has seen open
since an earlier run, has two more items: ``[..., runtime, since s|-1]``, where a group's
``runtime`` is ``[[rt index, words s], ...]`` (``_browser.runtime_tags``) and a place's an
index into ``rt`` (0: no verdict); ``since`` is the day it has been open since. Rows
without either keep their short form, so a report without browser or history is as small
as before.

Severities are indexes into ``["error", "warning", "info"]``; groups are in report order
(rule by rule, most severe and widespread first) and ``occ`` is sorted by group, page, line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence

from linkguard.model import Finding, PageRecord, ScanResult
from linkguard.reporters._browser import RUNTIME_CODES, runtime_tags, runtime_text
from linkguard.reporters._digest import SEVERITIES
from linkguard.reporters._grouping import RuleProblems

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What may not appear raw in a <script> element's text or could be read as markup there,
# and the invisible characters that could reorder the file's text for someone reading it
# raw (bidirectional controls, zero-width characters): all written as \uXXXX escapes.
_UNSAFE_IN_SCRIPT = re.compile(
    "[<>&\u2028\u2029\ud800-\udfff\x80-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_RANK = {str(s): i for i, s in enumerate(SEVERITIES)}
_RUNTIME = {code: i for i, code in enumerate(RUNTIME_CODES)}


def printable(text: str) -> str:
    """Text without the control characters HTML forbids (NUL, BEL, ...): U+FFFD instead."""
    return CONTROL.sub("\ufffd", text)


def inert_json(value: object) -> str:
    """JSON that is safe as the text of a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _UNSAFE_IN_SCRIPT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _Strings:
    """A string table: each distinct string once, referred to by its index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.table: list[str] = []

    def __call__(self, text: str | None) -> int:
        if text is None:
            return -1
        text = printable(text)
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.table)
            self.table.append(text)
        return found


def page_records(result: ScanResult, findings: Sequence[Finding]) -> tuple[PageRecord, ...]:
    """Every page of the by-page view, sorted by URL: those scanned, and any page a finding
    names that the results do not list (it still gets a row)."""
    records = {p.url: p for p in result.pages}
    for finding in findings:
        if finding.page not in records:
            records[finding.page] = PageRecord(url=finding.page, status=None, depth=0)
    return tuple(records[url] for url in sorted(records))


def report_data(
    pages: Sequence[PageRecord],
    sections: Sequence[tuple[str, Sequence[RuleProblems]]],
    label: Callable[[str], str],
    href: Callable[[str], str | None],
    since: Callable[[Iterable[Finding]], str] = lambda findings: "",
) -> str:
    """The data block's text (already escaped for the inside of a script element);
    ``since`` says since when findings are open (``_history.open_since``)."""
    strings = _Strings()
    page_index = {p.url: i for i, p in enumerate(pages)}
    page_rows = [
        [
            printable(label(p.url)),
            href(p.url),
            p.status or 0,
            strings(p.error),
            strings(p.file),
            p.outbound,
            p.exempt,
            p.noticed,
        ]
        for p in pages
    ]
    rules: list[list[object]] = []
    groups: list[list[object]] = []
    occurrences: list[list[object]] = []
    for section, rule_problems in sections:
        for rp in rule_problems:
            rule = len(rules)
            rules.append([rp.rule.id, printable(rp.rule.name), _RANK[str(rp.severity)], section])
            for problem in rp.problems:
                group = len(groups)
                groups.append(
                    [
                        rule,
                        _RANK[str(problem.severity)],
                        strings(problem.subject),
                        strings(problem.host),
                        strings(problem.message),
                        strings(problem.element),
                        problem.elements,
                        len(problem.targets),
                        problem.pages,
                        problem.known,
                        1 if problem.by_host else 0,
                        [strings(r) for r in problem.reasons],
                    ]
                )
                tags = runtime_tags(problem.findings)
                opened = since(problem.findings)
                if tags or opened:
                    groups[-1] += [
                        [[_RUNTIME[code], strings(words)] for code, words in tags],
                        strings(opened or None),
                    ]
                for f in problem.findings:
                    row: list[object] = [
                        group,
                        page_index[f.page],
                        f.line,
                        _RANK[str(f.severity)],
                        1 if f.known else 0,
                        strings(f.target),
                        strings(f.file or None),
                    ]
                    verdict, opened = _RUNTIME.get(f.runtime, 0), since((f,))
                    if verdict or opened:
                        row += [verdict, strings(opened or None)]
                    occurrences.append(row)
    data = {
        "v": 1,
        "str": strings.table,
        "pages": page_rows,
        "rules": rules,
        "groups": groups,
        "occ": occurrences,
    }
    if any(len(row) > 7 and row[7] for row in occurrences):
        data["rt"] = [[code, runtime_text(code)] for code in RUNTIME_CODES]
    return inert_json(data)
