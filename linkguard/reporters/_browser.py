"""What every report says the same way about a browser-mode scan: its cookies and storage,
the browser's verdict on the markup's evidence (a finding's ``runtime``, a mentioned host's
``mention``), and the exit notices as rendered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from linkguard.model import Cookie, Finding, ScanResult, ThirdParty

_UNITS = ((365 * 86400, "year"), (30 * 86400, "month"), (86400, "day"), (3600, "hour"),
          (60, "minute"))  # fmt: skip


def lifetime_text(seconds: int | None) -> str:
    """A cookie's lifetime as people say it: ``session``, ``13 months``, ``1 hour``."""
    if seconds is None:
        return "session"
    for size, unit in _UNITS:  # the largest unit that says it within 5%
        count = round(seconds / size)
        if count >= 1 and abs(count * size - seconds) <= seconds / 20:
            return f"{count} {unit}" + ("" if count == 1 else "s")
    return f"{seconds} seconds"


def set_by_text(cookie: Cookie) -> str:
    """Who set a cookie: the Set-Cookie response or the script, or that nobody was seen."""
    if cookie.set_how == "header":
        return f"Set-Cookie from {cookie.set_by}"
    if cookie.set_how == "script":
        return f"document.cookie in {cookie.set_by}"
    return "not seen being set"


def browser_facts(result: ScanResult) -> str | None:
    """One line on what the browser visits saw, or None for a scan without them."""
    visited = result.summary.browser_pages
    if not visited:
        return None
    undeclared = sum(1 for c in result.cookies if c.declared_by is None)
    third = sum(1 for c in result.cookies if c.party == "third")
    return (
        f"{_n(visited, 'page')} visited in a browser: {_n(len(result.cookies), 'cookie')} "
        f"({third} third-party, {undeclared} undeclared), "
        f"{_n(len(result.storage), 'storage key')}."
    )


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun if count == 1 else noun + 's'}"


# -- the browser's verdict on the markup's evidence (Finding.runtime, ThirdParty.mention) --
# The codes in a fixed order (the HTML report's data block refers to them by index), each
# with the words every report uses for it.
RUNTIME_CODES = ("", "confirmed", "not-loaded", "noticed")
RUNTIME_LABELS = {
    "confirmed": "confirmed in a browser",
    "not-loaded": "not loaded when visited",
    "noticed": "notice shown when rendered",
}
# the same, short, for the HTML report's Browser filter (the toolbar is one line on phones)
RUNTIME_FILTER = {"confirmed": "confirmed", "not-loaded": "not loaded", "noticed": "notice shown"}
RUNTIME_LEGEND = (
    "On the pages a browser visited, the markup's findings carry its verdict: "
    "confirmed in a browser (the visit loaded the target, or rendered the link without a "
    "notice too); not loaded when visited (named in the markup, but the visit never asked "
    "for it: lower confidence); notice shown when rendered (the link as rendered shows an "
    "exit notice a script applied)."
)
MENTION_LABELS = {
    "confirmed": "mentioned by a script, loaded when visited",
    "not-loaded": "mentioned by a script, not loaded when visited",
}


def runtime_text(code: str) -> str:
    """The words for a finding's ``runtime`` code ("" for none or an unknown code)."""
    return RUNTIME_LABELS.get(code, "")


def runtime_tags(findings: Iterable[Finding]) -> tuple[tuple[str, str], ...]:
    """A group's verdicts as (code, words): the words alone when every finding of the group
    has that verdict, else with how many have it (``2 not loaded when visited``)."""
    listed = list(findings)
    counts = Counter(f.runtime for f in listed if f.runtime in RUNTIME_LABELS)
    return tuple(
        (code, RUNTIME_LABELS[code] if n == len(listed) else f"{n:,} {RUNTIME_LABELS[code]}")
        for code in RUNTIME_CODES
        if (n := counts.get(code, 0))
    )


def mention_text(hosts: Iterable[ThirdParty]) -> str:
    """What the visits said of the hosts inline scripts mention, in words ("" for none)."""
    found = sorted({h.mention for h in hosts if h.mention in MENTION_LABELS})
    return "; ".join(MENTION_LABELS[code] for code in found)


def rendered_facts(result: ScanResult) -> str | None:
    """The exit notices of the visited pages as a browser rendered them, or None."""
    summary = result.summary
    if not summary.browser_pages or not summary.rendered_outbound:
        return None
    seen = ", ".join(
        f"{count:,} with a {name} notice"
        for name, count in sorted(summary.rendered_mechanisms.items())
    )
    return (
        f"as a browser rendered the visited pages: "
        f"{_n(summary.rendered_outbound, 'outbound link')}, {seen or 'none with a notice'}"
    )
