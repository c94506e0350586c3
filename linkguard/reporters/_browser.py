"""What every report says the same way about a browser-mode scan's cookies and storage."""

from __future__ import annotations

from linkguard.model import Cookie, ScanResult

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
