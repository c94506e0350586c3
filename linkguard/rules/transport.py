"""Transport and hygiene: ``insecure-form``, ``mixed-content``, ``missing-sri``,
``unsafe-target-blank``.

- ``insecure-form``: a form (any party) on an http page, or whose action is http.
- ``mixed-content``: an https page loads a subresource over http: script, stylesheet,
  image, media, frame, or a preload that fetches (``dns-prefetch`` and ``preconnect`` fetch
  nothing). Links are navigations, not subresources, and are not mixed content.
- ``missing-sri``: a third-party script (``src``, or a script preload) or stylesheet has no
  ``integrity``, where a hash can hold: its URL names a fixed file (an exact version
  ``x.y.z`` or a content hash in its path), or it is on a package CDN, where any file can
  be pinned (a range such as ``swiper@11`` there is told to pin an exact version).
  Everything else a vendor serves as it pleases under one URL (tag managers, analytics,
  Google Fonts CSS, which differs by browser, account loaders): a hash pinned today breaks
  the page tomorrow, so the finding could not be acted on and is not raised. Scripts an
  inline script loads cannot carry an attribute and are not judged.
- ``unsafe-target-blank``: a link opens a third party with ``target=_blank`` and neither
  ``noopener`` nor ``noreferrer`` in its ``rel``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from linkguard.classify import urls
from linkguard.model import Finding, Kind, Severity
from linkguard.policy import Policy
from linkguard.rules._base import PageContext, make_finding, rule

_SUBRESOURCES = frozenset(
    {Kind.SCRIPT, Kind.STYLESHEET, Kind.IMAGE, Kind.MEDIA, Kind.FRAME, Kind.PRELOAD}
    | {Kind.FONT, Kind.MANIFEST}
)
_NO_FETCH = frozenset({"dns-prefetch", "preconnect"})
_OPENER_SAFE = frozenset({"noopener", "noreferrer"})
# Hosts that serve open-source packages by exact version: any file there can be pinned.
PACKAGE_CDNS = frozenset(
    {
        "cdn.jsdelivr.net",
        "fastly.jsdelivr.net",
        "cdnjs.cloudflare.com",
        "unpkg.com",
        "code.jquery.com",
        "ajax.googleapis.com",
        "ajax.aspnetcdn.com",
        "stackpath.bootstrapcdn.com",
        "maxcdn.bootstrapcdn.com",
    }
)
_EXACT_VERSION = re.compile(r"\d+\.\d+\.\d+")  # 3.14.1, in alpinejs@3.14.1 or jquery-3.7.1.js
_HASHED_NAME = re.compile(r"[.\-_]([0-9a-f]{8,64})(?:\.min)?\.(?:m?js|css)$")


@rule(
    "insecure-form",
    name="Form not sent encrypted",
    severity=Severity.ERROR,
    rationale="The policy promises that form data is sent encrypted: the page and the form's "
    "target must both be https.",
    fix="Serve the page over https and post the form to an https URL.",
    bad='<form action="http://www.example.com/contact" method="post">',
    good='<form action="https://www.example.com/contact" method="post">',
)
def insecure_form(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each form (of any party) on an http page or posting to an http URL:
    its data travels unencrypted."""
    page_http = urls.scheme_of(ctx.url) == "http"
    for cref in ctx.refs:
        if cref.ref.kind is not Kind.FORM:
            continue
        action_http = urls.scheme_of(cref.boundary.url or "") == "http"
        if action_http:
            where = "to an http URL" if not page_http else "to an http URL, from an http page"
            message = f"Form data is sent unencrypted: the form posts {where}."
        elif page_http:
            message = "Form data is sent unencrypted: the form is on an http page."
        else:
            continue
        yield make_finding(insecure_form, cref, ctx, message)


@rule(
    "mixed-content",
    name="Mixed content",
    severity=Severity.WARNING,
    rationale="An https page that loads an http resource can be altered or watched in transit.",
    fix="Load the resource over https.",
    bad='<script src="http://cdn.example.net/lib.js"></script>',
    good='<script src="https://cdn.example.net/lib.js"></script>',
)
def mixed_content(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each subresource an https page loads over http: it can be read or
    altered in transit."""
    if urls.scheme_of(ctx.url) != "https":
        return
    for cref in ctx.refs:
        ref = cref.ref
        if ref.kind not in _SUBRESOURCES or urls.scheme_of(cref.boundary.url or "") != "http":
            continue
        if ref.kind is Kind.PRELOAD and ref.rel and ref.rel <= _NO_FETCH:
            continue
        what = {Kind.IMAGE: "an image", Kind.MEDIA: "a media file"}.get(ref.kind, f"a {ref.kind}")
        message = f"This https page loads {what} over http from {cref.boundary.host}."
        yield make_finding(mixed_content, cref, ctx, message)


@rule(
    "missing-sri",
    name="Third-party script or stylesheet without integrity",
    severity=Severity.WARNING,
    rationale="Without Subresource Integrity, whoever controls the third party's host "
    "controls our page. Raised only where a hash can hold: a fixed file (an exact version or "
    "a content hash in its URL) or a file on a package CDN, which can be pinned; tag "
    "managers, analytics, Google Fonts CSS and other files a vendor changes under one URL "
    "would break with a hash, so they are not reported.",
    fix="Add an integrity attribute (and crossorigin) with the file's hash, pinning an exact "
    "version first on a package CDN, or self-host the file.",
    bad='<script src="https://cdn.example.net/lib@1.2.3/lib.min.js"></script>',
    good='<script src="https://cdn.example.net/lib@1.2.3/lib.min.js"\n'
    '        integrity="sha384-..." crossorigin="anonymous"></script>',
)
def missing_sri(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each third-party script or stylesheet without a Subresource Integrity
    hash where one can hold (a fixed file, or any file on a package CDN); scripts loaded by
    inline code cannot carry one and are not judged."""
    for cref in ctx.third:
        ref = cref.ref
        if ref.kind not in (Kind.SCRIPT, Kind.STYLESHEET):
            continue
        if ref.attr == "inline" or ref.integrity.strip():
            continue
        fixed = is_fixed_file(cref.boundary.url or "")
        if not fixed and cref.boundary.host not in PACKAGE_CDNS:
            continue
        message = (
            f"Third-party {ref.kind} from {cref.boundary.host} has no integrity attribute: "
            "whoever controls that host controls this page."
        )
        if not fixed:
            message += " Pin an exact version (name@1.2.3) in its URL, then add the hash."
        yield make_finding(missing_sri, cref, ctx, message)


@lru_cache(maxsize=4096)  # a site's scripts and stylesheets are on every page
def is_fixed_file(url: str) -> bool:
    """True when the URL's path names one fixed file: an exact version (``@3.14.1``,
    ``/3.7.1/``, ``jquery-3.7.1.min.js``) or a content hash in the file name
    (``app.3f9a2c1b.js``). A version in the query (``?ver=``) is a cache-buster, not one."""
    parsed = urls.parse(url)
    path = parsed.pathname if parsed is not None else ""
    if _EXACT_VERSION.search(path):
        return True
    hashed = _HASHED_NAME.search(path.lower())
    return hashed is not None and not hashed.group(1).isdigit() and not hashed.group(1).isalpha()


@rule(
    "unsafe-target-blank",
    name="target=_blank without noopener",
    severity=Severity.WARNING,
    rationale="A third-party page opened with target=_blank can navigate our tab "
    "(reverse tabnabbing) in older browsers.",
    fix='Add rel="noopener noreferrer" to the link.',
    bad='<a href="https://partner.example.net/" target="_blank">Partner</a>',
    good='<a href="https://partner.example.net/" target="_blank" rel="noopener">Partner</a>',
)
def unsafe_target_blank(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each link that opens a third party in a new tab with neither
    ``noopener`` nor ``noreferrer`` in its rel."""
    for cref in ctx.third:
        ref = cref.ref
        if ref.kind is not Kind.LINK:
            continue
        if ref.target.strip().lower() != "_blank" or ref.rel & _OPENER_SAFE:
            continue
        message = (
            f"Link to third party {cref.boundary.host} opens with target=_blank but without "
            'rel="noopener": the opened page can navigate this tab.'
        )
        yield make_finding(unsafe_target_blank, cref, ctx, message)
