"""What a visitor's browser did, held against the register (``scan --browser``).

A browser visit (``linkguard.browser``) becomes a ``PageContext`` whose references are the
requests the page made at run time (tag ``browser``; kind from the resource type), with the
cookies the visit left as a fact. ``judge_visit`` runs the declaration rules over those
requests, so a script, frame, beacon or websocket to an undeclared third party is
``undeclared-script``, ``undeclared-frame`` or ``undeclared-resource`` as in the markup, with
``evidence = "browser"`` and the initiator chain, and runs the cookie rules declared here.

A cookie is covered by a ``[[third_party]]`` entry whose ``cookies`` patterns match its name
(for a third-party cookie, the entry's hosts must also cover the cookie's domain), or by a
``[[cookie]]`` entry whose ``name`` pattern matches it (the site's own cookies).

``tracking-before-consent`` judges the visits made before any consent (phase ``before``)
and after a click on the banner's reject button (``reject``): a third party whose entry says
``consent = "required"`` (or, undeclared, one the third-party-web snapshot files under
advertising, analytics or social) must neither receive a request nor set a cookie then.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from fnmatch import fnmatchcase

# The modules, not their rules: a Rule bound here too would be gathered twice by the catalogue.
import linkguard.rules.declarations as declarations
import linkguard.rules.exit_notice as exit_notice
from linkguard.classify import urls
from linkguard.classify.scope import is_within, registrable_domain
from linkguard.classify.vendors import vendor_of
from linkguard.model import Cookie, Finding, Kind, Party, Severity
from linkguard.policy import CookieDecl, Policy, ThirdPartyDecl
from linkguard.rules._base import PageContext, Rule, rule
from linkguard.rules.exit_notice import Assessment
from linkguard.rules.raised_by_scan import internal_error

FACT_COOKIES = "cookies"  # tuple[Cookie, ...]: what the visit left in the cookie jar
FACT_CHAINS = "chains"  # dict[str, tuple[str, ...]]: URL -> who loaded it, nearest first
FACT_PHASE = "phase"  # "before" (no consent given), "reject" or "accept": after that click
BROWSER = "browser"  # the evidence of what a visit observed
# third-party-web categories that track visitors: undeclared, they need consent
TRACKING_CATEGORIES = frozenset({"ad", "analytics", "social"})
_WHEN = {"before": "before consent", "reject": "after the visitor rejected consent"}


def cookie_declaration(cookie: Cookie, policy: Policy) -> ThirdPartyDecl | CookieDecl | None:
    """The first entry that covers ``cookie``: a ``[[third_party]]`` whose ``cookies`` name it
    (and, for a third-party cookie, whose hosts cover its domain), else a ``[[cookie]]``."""
    domain = cookie.domain.lstrip(".")
    for decl in policy.third_parties:
        if not any(fnmatchcase(cookie.name, pattern) for pattern in decl.cookies):
            continue
        if cookie.party != Party.THIRD or any(_covers(entry, domain) for entry in decl.hosts):
            return decl
    return next((c for c in policy.cookies if fnmatchcase(cookie.name, c.name)), None)


def _covers(entry: str, domain: str) -> bool:
    """Whether a ``hosts`` entry (domain, host or URL prefix) covers a cookie's domain."""
    host = urls.host_of(entry) if "://" in entry else urls.to_ascii_host(entry)
    if registrable_domain(host) == host:
        return is_within(domain, host)
    return domain == host or is_within(host, domain)  # a cookie for .vendor.com reaches cdn.


def _cookie_finding(rule: Rule, ctx: PageContext, cookie: Cookie, message: str) -> Finding:
    chains: Mapping[str, tuple[str, ...]] = ctx.facts.get(FACT_CHAINS, {})  # type: ignore[assignment]
    chain = (cookie.set_by, *chains.get(cookie.set_by, ())) if cookie.set_by else ()
    how = {"header": "Set-Cookie from", "script": "document.cookie written by"}.get(cookie.set_how)
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        page=ctx.url,
        line=0,
        target=f"{cookie.name}@{cookie.domain}{cookie.path}",
        host=cookie.domain.lstrip("."),
        element=f"{how} {cookie.set_by}" if how else "cookie (who set it was not seen)",
        message=message,
        kind="cookie",
        file=ctx.file,
        evidence=BROWSER,
        chain=chain,
    )


def _cookies(ctx: PageContext) -> tuple[Cookie, ...]:
    return ctx.facts.get(FACT_COOKIES, ())  # type: ignore[return-value]


def _lives(cookie: Cookie) -> str:
    if cookie.lifetime is None:
        return "a session cookie"
    days = cookie.lifetime / 86400
    return f"lives {days:.0f} days" if days >= 1 else f"lives {cookie.lifetime} seconds"


@rule(
    "undeclared-cookie",
    name="Undeclared cookie",
    severity=Severity.ERROR,
    rationale="A cookie policy must name every cookie a visit sets, who sets it and why; an "
    "undeclared cookie is tracking nobody agreed to.",
    fix="Name it in the `cookies` of its vendor's [[third_party]] entry, or in a [[cookie]] "
    "entry for the site's own cookies, with its purpose; or stop setting it.",
    bad='document.cookie = "_va=1; max-age=31536000"  (set by an undeclared pixel.js)',
    good='[[third_party]]\nname = "Vendor Analytics"\nhosts = ["vendor.example"]\n'
    'cookies = ["_va", "_va_*"]\npurpose = "Usage statistics"',
)
def undeclared_cookie(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each cookie the visit left that no entry covers (browser mode only)."""
    for cookie in _cookies(ctx):
        if cookie_declaration(cookie, policy) is not None:
            continue
        by = f", set by {cookie.set_by}" if cookie.set_by else ""
        message = (
            f"Cookie {cookie.name!r} ({cookie.party} party, {cookie.domain}, {_lives(cookie)}"
            f"{by}) is not declared in any [[third_party]] cookies or [[cookie]] entry."
        )
        yield _cookie_finding(undeclared_cookie, ctx, cookie, message)


@rule(
    "cookie-lifetime",
    name="Cookie lives longer than declared",
    severity=Severity.WARNING,
    rationale="A cookie kept longer than the policy says keeps identifying the visitor after "
    "the promise has run out.",
    fix="Shorten the cookie's Max-Age/Expires to the declared max_age, or correct max_age in "
    "its [[cookie]] entry.",
    bad='[[cookie]]\nname = "session_id"\nmax_age = 3600\n'
    "# Set-Cookie: session_id=...; Max-Age=31536000",
    good='[[cookie]]\nname = "session_id"\nmax_age = 3600\n'
    "# Set-Cookie: session_id=...; Max-Age=3600",
)
def cookie_lifetime(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each cookie that outlives its ``[[cookie]]`` entry's ``max_age``."""
    for cookie in _cookies(ctx):
        decl = cookie_declaration(cookie, policy)
        limit = decl.max_age if isinstance(decl, CookieDecl) else None
        # a minute's grace: lifetimes are measured to the minute after the visit
        if limit is None or cookie.lifetime is None or cookie.lifetime <= limit + 60:
            continue
        message = (
            f"Cookie {cookie.name!r} lives {cookie.lifetime} seconds; its [[cookie]] entry "
            f"{decl.name!r} allows {limit}."  # type: ignore[union-attr]
        )
        yield _cookie_finding(cookie_lifetime, ctx, cookie, message)


def needs_consent(host: str, decl: ThirdPartyDecl | None) -> str | None:
    """Why ``host`` may not be used before consent (its entry says ``consent = "required"``;
    undeclared, a tracking category), or None when it may."""
    if decl is not None:
        return f'{decl.name!r}, consent = "required"' if decl.consent == "required" else None
    vendor = vendor_of(host)
    if vendor is not None and vendor.category in TRACKING_CATEGORIES:
        return f"undeclared {vendor.category}: {vendor.name}"
    return None


@rule(
    "tracking-before-consent",
    name="Tracking before consent",
    severity=Severity.ERROR,
    rationale="A visitor who ignores or rejects the cookie banner must not be tracked: a "
    "third party that needs consent may receive nothing and set nothing until it is given.",
    fix="Load the vendor only once consent is given (through the consent platform), or, if it "
    'does not track, say so with consent = "exempt" in its [[third_party]] entry.',
    bad='<script src="https://stats.example.net/s.js"></script>  '
    '(consent = "required", loaded on page load)',
    good='the consent platform loads https://stats.example.net/s.js after "Accept"',
)
def tracking_before_consent(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each third party that needs consent and received a request, and for
    each cookie of one, in a visit before consent or after a reject (browser mode only)."""
    when = _WHEN.get(str(ctx.facts.get(FACT_PHASE, "")))
    if when is None:  # the markup, or a visit after accept: nothing to judge here
        return
    chains: Mapping[str, tuple[str, ...]] = ctx.facts.get(FACT_CHAINS, {})  # type: ignore[assignment]
    register = declarations.register_of(policy.third_parties)
    sent: dict[str, list[str]] = {}
    for cref in ctx.third:
        if cref.boundary.url:
            sent.setdefault(cref.boundary.host, []).append(cref.boundary.url)
    for host, urls_sent in sorted(sent.items()):
        first = min(urls_sent)
        why = needs_consent(host, register.lookup(first, host, None))
        if why is None:
            continue
        yield Finding(
            rule=tracking_before_consent.id, severity=tracking_before_consent.severity,
            page=ctx.url, line=0, target=host, host=host,
            element=f"{len(urls_sent)} request{'s' if len(urls_sent) > 1 else ''}, first {first}",
            message=f"{host} ({why}) received {len(urls_sent)} request"
            f"{'s' if len(urls_sent) > 1 else ''} {when}, first {first}.",
            kind="consent", file=ctx.file, evidence=BROWSER, chain=chains.get(first, ()),
        )  # fmt: skip
    for cookie in _cookies(ctx):
        decl = cookie_declaration(cookie, policy)
        if isinstance(decl, CookieDecl):
            continue  # the site's own cookie, declared as such
        setter = cookie.domain.lstrip(".") if cookie.party == Party.THIRD else ""
        setter = setter or urls.host_of(cookie.set_by)
        if not setter:
            continue  # nobody was seen setting it
        if decl is None and ctx.scope.party_of_host(setter)[0] is not Party.THIRD:
            continue  # undeclared first-party: undeclared-cookie says so
        why = needs_consent(setter, decl)
        if why is not None:
            message = f"Cookie {cookie.name!r} ({why}) was set {when}."
            yield _cookie_finding(tracking_before_consent, ctx, cookie, message)


_DECLARED: tuple[tuple[Rule, frozenset[Kind]], ...] = (
    (declarations.undeclared_script, frozenset({Kind.SCRIPT})),
    (declarations.undeclared_frame, frozenset({Kind.FRAME})),
    (declarations.undeclared_form_target, frozenset({Kind.FORM})),  # a form a script added
    (declarations.undeclared_resource, declarations._RESOURCE_KINDS | {Kind.REQUEST}),
)


def judge_visit(ctx: PageContext, policy: Policy) -> tuple[Finding, ...]:
    """The findings of one browser visit: the declaration rules over the requests it made,
    then the cookie rules, each marked as browser evidence with its initiator chain.

    A rule that raises becomes an ``internal-error`` finding, as in the engine.
    """
    chains: Mapping[str, tuple[str, ...]] = ctx.facts.get(FACT_CHAINS, {})  # type: ignore[assignment]
    findings: list[Finding] = []
    checks = [(r, kinds) for r, kinds in _DECLARED] + [
        (undeclared_cookie, frozenset()),
        (cookie_lifetime, frozenset()),
        (tracking_before_consent, frozenset()),
    ]
    for checked, kinds in checks:
        if policy.severity_of(checked.id, checked.severity) is None:
            continue
        try:
            if kinds:
                for finding in declarations._undeclared(ctx, policy, checked, kinds):
                    chain = chains.get(finding.target, ())
                    findings.append(_as_seen(finding, chain))
            else:
                assert checked.check is not None
                findings.extend(checked.check(ctx, policy))
        except Exception as exc:  # a bug in one rule must not lose the visit
            failed = internal_error(ctx.url, checked.id, exc, file=ctx.file)
            findings.append(replace(failed, evidence=BROWSER))
    return tuple(findings)


def _as_seen(finding: Finding, chain: tuple[str, ...]) -> Finding:
    """A declaration finding as a browser saw it: its evidence, and who loaded the target."""
    loaded = f" Loaded in a browser by {' <- '.join(chain)}." if chain else " Seen in a browser."
    return replace(finding, message=finding.message + loaded, evidence=BROWSER, chain=chain)


def judge_rendered(ctx: PageContext, policy: Policy) -> tuple[tuple[Finding, ...], Assessment]:
    """The exit notices of the page as a browser rendered it after the dwell: the
    ``exit-notice-missing`` findings of its navigations (browser evidence) and their
    assessment (which link carries which notice).

    ``ctx`` holds the rendered DOM's navigations, read without Drupal extlink's inference:
    what the module's script did (or a script undid) is in the DOM itself, so a notice
    counted here was seen, not inferred.
    """
    rule_ = exit_notice.exit_notice_missing
    findings: list[Finding] = []
    try:
        assessment = exit_notice.assess(ctx, policy)
        if rule_.check is not None and policy.severity_of(rule_.id, rule_.severity) is not None:
            findings.extend(
                replace(
                    found,
                    message=found.message + " Seen in the page as rendered after the dwell.",
                    evidence=BROWSER,
                    line=0,
                )
                for found in rule_.check(ctx, policy)
            )
    except Exception as exc:  # a bug in the rule must not lose the visit
        failed = internal_error(ctx.url, rule_.id, exc, file=ctx.file)
        return (replace(failed, evidence=BROWSER),), Assessment(())
    return tuple(findings), assessment
