"""Rules that no page check raises, each with the constructor of its findings.

The scan raises them from what only it knows: ``unused-declaration`` needs the whole crawl,
``broken-outbound-link`` the requests of ``--check-external``, ``crawl-error`` a page that
could not be fetched or read, ``page-truncated`` a page larger than the byte cap, read only
up to it, ``missing-page`` a folder scan's link to a page the folder lacks; the engine
raises ``internal-error`` when a check itself fails. Their findings have no reference to
point at, so they are built here, by keyword, rather than by
``make_finding``; the ResultBuilder gives them their fingerprint.
"""

from __future__ import annotations

from linkguard.classify import urls
from linkguard.model import Finding, Severity
from linkguard.policy import ThirdPartyDecl
from linkguard.rules._base import Rule

UNUSED_DECLARATION = Rule(
    id="unused-declaration",
    name="Declared third party never seen",
    severity=Severity.INFO,
    rationale="The register of third parties should be kept current: an entry nobody uses "
    "overstates who receives data.",
    fix="Remove the [[third_party]] entry, or check that the scan reached the pages using it.",
    bad='[[third_party]]\nname = "Old Chat Widget"\nhosts = ["chat.example.net"]',
    good="(entry removed)",
)


def unused_declaration(decl: ThirdPartyDecl, *, origin: str, policy_file: str | None) -> Finding:
    """The finding for a ``[[third_party]]`` entry that no scanned page used: reported on the
    site's home page, against the entry's name, in the policy file."""
    hosts = ", ".join(decl.hosts)
    return Finding(
        rule=UNUSED_DECLARATION.id,
        severity=UNUSED_DECLARATION.severity,
        page=origin + "/",
        line=0,
        target=decl.name,
        host=hosts,
        element="",
        message=f"Declared third party {decl.name!r} ({hosts}) was never seen.",
        kind="declaration",
        file=policy_file,
    )


BROKEN_OUTBOUND_LINK = Rule(
    id="broken-outbound-link",
    name="Broken outbound link",
    severity=Severity.WARNING,
    rationale="A link that sends visitors to a dead third-party page breaks the site's promise "
    "of where it leads.",
    fix="Update or remove the link.",
    bad='<a class="ext" href="https://gone.example.net/page">Old resource</a>',
    good='<a class="ext" href="https://new.example.net/page">New resource</a>',
)


def broken_outbound_link(
    url: str, problem: str, *, page: str, line: int, element: str, file: str | None
) -> Finding:
    """The finding for one place (``page``, ``line``, ``element``) that links to ``url``,
    which ``--check-external`` found broken for ``problem``."""
    return Finding(
        rule=BROKEN_OUTBOUND_LINK.id,
        severity=BROKEN_OUTBOUND_LINK.severity,
        page=page,
        line=line,
        target=url,
        host=urls.host_of(url),
        element=element,
        message=f"Outbound link is broken: {problem}",
        kind="link",
        file=file,
    )


CRAWL_ERROR = Rule(
    id="crawl-error",
    name="Page could not be scanned",
    severity=Severity.WARNING,
    rationale="A page that could not be fetched or parsed was not checked: its promises are "
    "unknown.",
    fix="Fix the page or the server, or exclude the URL with [crawl].exclude.",
    bad="HTTP 500 on /news/",
    good="HTTP 200 on /news/",
)


def crawl_error(page_url: str, error: str) -> Finding:
    """The finding for a page that could not be fetched or read, reported on the page."""
    return _about_page(CRAWL_ERROR, page_url, f"Page could not be scanned: {error}")


INTERNAL_ERROR = Rule(
    id="internal-error",
    name="A rule failed on this page",
    severity=Severity.ERROR,
    rationale="A rule raised an error on this page, so that rule's promise is unchecked there; "
    "the other rules judged the page.",
    fix="Report the bug to the linkguard maintainers with the page; the message names the "
    "rule and the error.",
    bad="rule missing-sri failed: KeyError: 'integrity'",
    good="(linkguard fixed: missing-sri judges the page)",
)


def internal_error(page_url: str, what: str, error: Exception, *, file: str | None) -> Finding:
    """The finding for ``what`` (a rule id, or a part of the engine) raising ``error`` on a
    page: the page's other rules still ran, and the bug shows instead of losing the page."""
    message = f"rule {what} failed: {type(error).__name__}: {error}"
    return _about_page(INTERNAL_ERROR, page_url, message, file=file, host="")


PAGE_TRUNCATED = Rule(
    id="page-truncated",
    name="Page only partly read",
    severity=Severity.WARNING,
    rationale="A page larger than [crawl].max_bytes was read only up to the cap: its links "
    "and embeds after the cut were not checked.",
    fix="Raise [crawl].max_bytes above the page's size, or make the page smaller.",
    bad="a 14 MB /catalogue/ page, with max_bytes = 10485760",
    good="max_bytes = 16777216, or /catalogue/ split into pages",
)


def page_truncated(page_url: str, read: int, *, file: str | None) -> Finding:
    """The finding for a page larger than the byte cap, of which only the first ``read``
    bytes were scanned: reported on the page (and its file, for folder and template scans)."""
    message = f"Page cut at {read:,} bytes (crawl.max_bytes): only that much was checked."
    return _about_page(PAGE_TRUNCATED, page_url, message, file=file)


MISSING_PAGE = Rule(
    id="missing-page",
    name="Linked page missing from the build",
    severity=Severity.WARNING,
    rationale="A page the site links to that the build lacks was not checked: its promises "
    "are unknown, and visitors who follow the link get an error.",
    fix="Add the page to the build, or correct or remove the link; a URL that another "
    "application serves (not the build) can be left out with [crawl].exclude.",
    bad='<a href="/pricing/">Pricing</a> (the build has no pricing/index.html)',
    good='<a href="/pricing/">Pricing</a> (the build has pricing/index.html)',
)


def missing_page(
    url: str,
    *,
    page: str,
    line: int,
    element: str,
    file: str | None,
    kind: str = "link",
    ignored: bool = False,
) -> Finding:
    """The finding for one place (``page``, ``line``, ``element``) in a folder scan that
    leads to ``url`` (a ``link``, ``frame`` or ``refresh``), a first-party page the folder
    has no file for. ``ignored``: the element or an ancestor carries
    ``data-linkguard-ignore`` naming the rule."""
    return Finding(
        rule=MISSING_PAGE.id,
        severity=MISSING_PAGE.severity,
        page=page,
        line=line,
        target=url,
        host=urls.host_of(url),
        element=element,
        message=f"Linked page {urls.path_of(url)} is not in the build: no file serves it.",
        kind=kind,
        file=file,
        suppressed_by="data-linkguard-ignore" if ignored else None,
    )


def _about_page(
    rule: Rule, page_url: str, message: str, *, file: str | None = None, host: str | None = None
) -> Finding:
    """A finding about a whole page (no element to point at): reported on the page, with
    the page as its target, at the rule's default severity."""
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        page=page_url,
        line=0,
        target=page_url,
        host=urls.host_of(page_url) if host is None else host,
        element="",
        message=message,
        kind="page",
        file=file,
    )
