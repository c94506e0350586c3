"""Rules that no page check raises: the scan raises them from what only it knows.

``unused-declaration`` needs the whole crawl, ``broken-outbound-link`` the requests of
``--check-external``, ``crawl-error`` a page that could not be fetched or read.
"""

from __future__ import annotations

from linkguard.model import Severity
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
