"""JUnit XML: one test case per page, so CI test dashboards show which pages break promises.

A finding that fails the run (new, not suppressed, at or above ``run.fail_on``) is a
``<failure>`` of its page's test case; every other finding on the page is listed in the
case's ``<system-out>``. A run that cannot vouch for the site (incomplete, or nothing was
checked) adds one ``<error>`` case that says why, so it never looks green.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import datetime

from linkguard._version import __version__
from linkguard.classify import urls
from linkguard.model import Finding, ScanResult
from linkguard.reporters._digest import suppressed
from linkguard.results.verdict import is_failing, verdict_of

# Characters XML 1.0 cannot hold at all, even escaped (crawled text may contain them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """Text safe for an XML document: impossible characters become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def render(result: ScanResult) -> str:
    """The result as a JUnit XML document (``<testsuites>`` with one ``<testsuite>``)."""
    root = to_element(result)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def to_element(result: ScanResult) -> ET.Element:
    fail_on = result.run.fail_on
    by_page: dict[str, list[Finding]] = defaultdict(list)
    for finding in (*result.findings, *result.suppressed):
        by_page[finding.page].append(finding)
    page_urls = sorted({p.url for p in result.pages} | set(by_page))
    # JUnit counts failed test cases (pages), not failure elements
    failures = sum(
        1 for url in page_urls if any(is_failing(f, fail_on) for f in by_page.get(url, ()))
    )
    verdict = verdict_of(result)
    errors = 1 if verdict.gap else 0
    tests = len(page_urls) + errors

    root = ET.Element(
        "testsuites",
        _attrs(
            name="linkguard", tests=tests, failures=failures, errors=errors, time=_seconds(result)
        ),
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        _attrs(
            name=f"linkguard {result.run.origin}",
            tests=tests,
            failures=failures,
            errors=errors,
            skipped=0,
            time=_seconds(result),
            timestamp=result.run.started,
        ),
    )
    _properties(suite, result)
    classname = result.run.origin
    for url in page_urls:
        case = ET.SubElement(
            suite, "testcase", _attrs(classname=classname, name=_case_name(url, result.run.origin))
        )
        notes = []
        for finding in sorted(by_page.get(url, ()), key=Finding.sort_key):
            if is_failing(finding, fail_on):
                failure = ET.SubElement(
                    case,
                    "failure",
                    _attrs(message=f"{finding.rule}: {finding.message}", type=finding.rule),
                )
                failure.text = clean(_details(finding))
            else:
                notes.append(_note(finding))
        if notes:
            ET.SubElement(case, "system-out").text = clean("\n".join(notes))
    if verdict.gap:  # a run that cannot vouch for the site never looks green
        case = ET.SubElement(suite, "testcase", _attrs(classname=classname, name="(scan)"))
        kind = "nothing-checked" if verdict.unchecked else "incomplete"
        ET.SubElement(case, "error", _attrs(message=verdict.gap, type=kind))
    return root


def _attrs(**values: object) -> dict[str, str]:
    return {key: clean(str(value)) for key, value in values.items() if value is not None}


def _properties(suite: ET.Element, result: ScanResult) -> None:
    props = ET.SubElement(suite, "properties")
    values = {
        "linkguard.version": result.run.tool_version or __version__,
        "origin": result.run.origin,
        "target": result.run.target,
        "fail_on": result.run.fail_on,
        "complete": str(result.run.complete).lower(),
        "config": result.run.config,
        "config_sha256": result.run.config_sha256,
        "suppressed": str(len(suppressed(result))),
    }
    for name, value in values.items():
        if value is not None:
            ET.SubElement(props, "property", _attrs(name=name, value=value))


def _case_name(url: str, origin: str) -> str:
    """The page's path on the site's own origin; the full URL anywhere else."""
    if urls.origin_of(url) == origin:
        return urls.path_of(url)
    return url


def _where(finding: Finding) -> str:
    where = f"{finding.page}:{finding.line}" if finding.line > 0 else finding.page
    if finding.file:
        where += f" ({finding.file}:{finding.line})" if finding.line > 0 else f" ({finding.file})"
    return where


def _details(finding: Finding) -> str:
    lines = [
        f"{finding.severity} {finding.rule} at {_where(finding)}",
        f"target: {finding.target}",
    ]
    if finding.element:
        lines.append(f"element: {finding.element}")
    lines.append(f"fingerprint: {finding.fingerprint}")
    return "\n".join(lines)


def _note(finding: Finding) -> str:
    state = []
    if finding.suppressed_by is not None:
        state.append(f"suppressed: {finding.suppressed_by}")
    if finding.known:
        state.append("known")
    tag = f" [{'; '.join(state)}]" if state else ""
    line = f" line {finding.line}" if finding.line > 0 else ""
    return f"{finding.severity} {finding.rule}{line}{tag}: {finding.message} ({finding.target})"


def _seconds(result: ScanResult) -> str | None:
    try:
        started = datetime.fromisoformat(result.run.started)
        finished = datetime.fromisoformat(result.run.finished)
    except ValueError:
        return None
    return f"{max(0.0, (finished - started).total_seconds()):.3f}"
