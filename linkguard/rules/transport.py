"""Transport and hygiene: ``insecure-form``, ``mixed-content``, ``missing-sri``,
``unsafe-target-blank``.

- ``insecure-form``: a form (any party) on an http page, or whose action is http.
- ``mixed-content``: an https page loads a subresource over http: script, stylesheet,
  image, media, frame, or a preload that fetches (``dns-prefetch`` and ``preconnect`` fetch
  nothing). Links are navigations, not subresources, and are not mixed content.
- ``missing-sri``: a third-party script (``src``, or a script preload) or stylesheet has no
  ``integrity``. URL literals in inline scripts cannot carry one and are not judged.
- ``unsafe-target-blank``: a link opens a third party with ``target=_blank`` and neither
  ``noopener`` nor ``noreferrer`` in its ``rel``.
"""

from __future__ import annotations

from collections.abc import Iterator

from linkguard.classify import urls
from linkguard.model import Finding, Kind, Party
from linkguard.policy import Policy
from linkguard.rules import PageContext, make_finding

_SUBRESOURCES = frozenset(
    {Kind.SCRIPT, Kind.STYLESHEET, Kind.IMAGE, Kind.MEDIA, Kind.FRAME, Kind.PRELOAD}
)
_NO_FETCH = frozenset({"dns-prefetch", "preconnect"})
_OPENER_SAFE = frozenset({"noopener", "noreferrer"})


def check_insecure_forms(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A form is on an http page, or posts to an http URL: its data travels unencrypted.

    Anti-pattern: ``<form action="http://www.example.com/contact" method="post">``.
    Better: ``<form action="https://www.example.com/contact" method="post">`` on an https page.
    """
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
        yield make_finding("insecure-form", cref, ctx, message)


def check_mixed_content(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """An https page loads a subresource over http: it can be read or altered in transit.

    Anti-pattern: ``<script src="http://cdn.example.net/lib.js">`` on an https page.
    Better: ``<script src="https://cdn.example.net/lib.js">``.
    """
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
        yield make_finding("mixed-content", cref, ctx, message)


def check_missing_sri(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A third-party script or stylesheet has no Subresource Integrity hash.

    Anti-pattern: ``<script src="https://cdn.example.net/lib@1.2.3/lib.min.js">``.
    Better: the same with ``integrity="sha384-..." crossorigin="anonymous"``.
    """
    for cref in ctx.refs:
        ref = cref.ref
        if ref.kind not in (Kind.SCRIPT, Kind.STYLESHEET) or cref.party is not Party.THIRD:
            continue
        if ref.attr == "inline" or ref.integrity.strip():
            continue
        message = (
            f"Third-party {ref.kind} from {cref.boundary.host} has no integrity attribute: "
            "whoever controls that host controls this page."
        )
        yield make_finding("missing-sri", cref, ctx, message)


def check_unsafe_target_blank(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A link opens a third party in a new tab without rel noopener or noreferrer.

    Anti-pattern: ``<a href="https://partner.example.net/" target="_blank">``.
    Better: ``<a href="https://partner.example.net/" target="_blank" rel="noopener">``.
    """
    for cref in ctx.refs:
        ref = cref.ref
        if ref.kind is not Kind.LINK or cref.party is not Party.THIRD:
            continue
        if ref.target.strip().lower() != "_blank" or ref.rel & _OPENER_SAFE:
            continue
        message = (
            f"Link to third party {cref.boundary.host} opens with target=_blank but without "
            'rel="noopener": the opened page can navigate this tab.'
        )
        yield make_finding("unsafe-target-blank", cref, ctx, message)
