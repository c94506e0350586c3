"""The runtime rules on visits as data: a Visit in, findings out (no browser needed).

The visits are what ``linkguard.browser`` records; ``scan.runtime.analyze_visit`` judges
them with the policy, as a browser-mode scan does after its visits.
"""

from __future__ import annotations

from linkguard.browser import BrowserRequest, Visit
from linkguard.config import policy_from_mapping
from linkguard.model import Cookie, Finding, Kind, PageRecord
from linkguard.scan import make_scope
from linkguard.scan.runtime import analyze_visit, kind_of, pages_to_visit

PAGE = "https://www.example.com/"
SCOPE = make_scope(PAGE, policy_from_mapping({}, source="t"))


def _cookie(name: str, domain: str, *, party: str = "first", lifetime: int | None = 600,
            set_by: str = "", set_how: str = "") -> Cookie:  # fmt: skip
    return Cookie(
        name=name, domain=domain, path="/", party=party, session=lifetime is None,
        lifetime=lifetime, secure=True, http_only=False, same_site="Lax",
        set_by=set_by, set_how=set_how,
    )  # fmt: skip


def _judge(policy: dict[str, object], visit: Visit) -> dict[tuple[str, str], Finding]:
    analysis = analyze_visit(visit, PAGE, policy_from_mapping(policy, source="t"), SCOPE)
    return {(f.rule, f.target): f for f in analysis.findings}


def test_a_third_party_cookie_is_covered_only_by_an_entry_whose_hosts_cover_its_domain() -> None:
    policy = {"third_party": [
        {"name": "Ads", "hosts": ["ads.example.net"], "cookies": ["uid"]},
        {"name": "Analytics", "hosts": ["stats.example.org"], "cookies": ["_ga", "_ga_*"]},
    ]}  # fmt: skip
    visit = Visit(
        url=PAGE,
        cookies=(
            _cookie("uid", ".ads.example.net", party="third"),  # covered
            _cookie("uid", ".other.example", party="third"),  # same name, another domain
            _cookie("_ga_ABC", ".example.com"),  # first party: the pattern is enough
        ),
    )
    findings = _judge(policy, visit)
    assert set(findings) == {("undeclared-cookie", "uid@.other.example/")}
    finding = findings[("undeclared-cookie", "uid@.other.example/")]
    assert finding.evidence == "browser" and finding.kind == "cookie"


def test_a_cookie_entry_declares_the_sites_own_cookies_and_their_lifetime() -> None:
    policy = {"cookie": [{"name": "pref_*", "purpose": "Preferences", "max_age": 3600}]}
    script = "https://www.example.com/app.js"
    visit = Visit(
        url=PAGE,
        requests=(
            BrowserRequest(
                url=script, resource_type="script", method="GET", frame=PAGE, chain=(PAGE,)
            ),
        ),
        cookies=(
            _cookie("pref_lang", "www.example.com", lifetime=3600),
            _cookie(
                "pref_theme", "www.example.com", lifetime=86400, set_by=script, set_how="script"
            ),
            _cookie("sid", "www.example.com", lifetime=None),
        ),
    )
    findings = _judge(policy, visit)
    assert set(findings) == {
        ("cookie-lifetime", "pref_theme@www.example.com/"),
        ("undeclared-cookie", "sid@www.example.com/"),
    }
    too_long = findings[("cookie-lifetime", "pref_theme@www.example.com/")]
    assert too_long.chain == (script, PAGE)  # the writing script, then who loaded it
    assert "document.cookie written by" in too_long.element


def test_runtime_requests_are_judged_by_kind_with_their_chain() -> None:
    policy = {"third_party": [{"name": "Tags", "hosts": ["tags.example.net"],
                               "kinds": ["script"]}]}  # fmt: skip
    gtm, pixel = "https://tags.example.net/gtm.js", "https://px.example.org/p.js"
    visit = Visit(
        url=PAGE,
        requests=(
            BrowserRequest(
                url=gtm, resource_type="script", method="GET", frame=PAGE, chain=(PAGE,)
            ),
            BrowserRequest(
                url=pixel, resource_type="script", method="GET", frame=PAGE, chain=(gtm, PAGE)
            ),
            BrowserRequest(
                url=pixel, resource_type="script", method="GET", frame=PAGE, chain=(gtm, PAGE)
            ),  # loaded twice: reported once
            BrowserRequest(
                url="wss://live.example.org/s", resource_type="websocket", method="GET", frame=""
            ),
            BrowserRequest(
                url="https://tags.example.net/beacon",
                resource_type="ping",
                method="POST",
                frame=PAGE,
            ),  # declared for scripts only
            BrowserRequest(
                url="https://www.example.com/api", resource_type="fetch", method="GET", frame=PAGE
            ),  # first party
        ),
    )
    findings = _judge(policy, visit)
    assert set(findings) == {
        ("undeclared-script", pixel),
        ("undeclared-resource", "wss://live.example.org/s"),
        ("undeclared-resource", "https://tags.example.net/beacon"),
    }
    script = findings[("undeclared-script", pixel)]
    assert script.chain == (gtm, PAGE) and script.evidence == "browser"
    assert f"Loaded in a browser by {gtm} <- {PAGE}." in script.message
    beacon = findings[("undeclared-resource", "https://tags.example.net/beacon")]
    assert 'covers it only for kinds script; add "request"' in beacon.message


def test_resource_types_map_to_the_kinds_declarations_name() -> None:
    def kind(resource_type: str) -> Kind:
        return kind_of(BrowserRequest(url=PAGE, resource_type=resource_type, method="GET",
                                      frame=""))  # fmt: skip

    kinds = ("script", "document", "stylesheet", "font", "image", "media", "manifest")
    assert [kind(t) for t in kinds] == [
        Kind.SCRIPT, Kind.FRAME, Kind.STYLESHEET, Kind.FONT, Kind.IMAGE, Kind.MEDIA,
        Kind.MANIFEST,
    ]  # fmt: skip
    assert {kind(t) for t in ("fetch", "xhr", "ping", "websocket", "eventsource", "other")} == {
        Kind.REQUEST
    }


def test_a_visit_that_failed_is_a_crawl_error_with_browser_evidence() -> None:
    findings = _judge({}, Visit(url=PAGE, error="browser visit failed: net::ERR_TIMED_OUT"))
    error = findings[("crawl-error", PAGE)]
    assert error.evidence == "browser" and "ERR_TIMED_OUT" in error.message


def test_rules_turned_off_in_the_policy_do_not_judge_visits() -> None:
    visit = Visit(url=PAGE, cookies=(_cookie("sid", "www.example.com"),))
    assert _judge({"rules": {"undeclared-cookie": "off"}}, visit) == {}


def test_pages_are_chosen_shallowest_first_then_by_url() -> None:
    def record(url: str, depth: int, **rest: object) -> PageRecord:
        fields: dict[str, object] = {"status": 200, **rest}
        return PageRecord(url=PAGE + url, depth=depth, **fields)  # type: ignore[arg-type]

    records = [
        record("b", 1), record("a", 2), record("c", 1), record("", 0),
        record("pdf", 1, content_type="application/pdf"), record("gone", 1, status=404),
        record("err", 1, error="timeout"),
    ]  # fmt: skip
    assert pages_to_visit(records, 3) == [PAGE, PAGE + "b", PAGE + "c"]
    assert pages_to_visit(records, 0) == [PAGE, PAGE + "b", PAGE + "c", PAGE + "a"]


def test_a_url_asked_for_twice_is_reported_the_same_whatever_came_first() -> None:
    """Two frames fetch the same script: the finding does not depend on which was first."""
    url = "https://px.example.org/p.js"
    requests = (
        BrowserRequest(url=url, resource_type="script", method="GET",
                       frame="https://a.example.net/", chain=("https://a.example.net/",)),
        BrowserRequest(url=url, resource_type="script", method="GET", frame=PAGE, chain=(PAGE,)),
    )  # fmt: skip
    forward = _judge({}, Visit(url=PAGE, requests=requests))
    backward = _judge({}, Visit(url=PAGE, requests=requests[::-1]))
    assert forward == backward
    assert forward[("undeclared-script", url)].chain == ("https://a.example.net/",)


def test_tracking_before_consent_is_judged_before_consent_and_after_reject_only() -> None:
    policy = {"third_party": [
        {"name": "Ads", "hosts": ["ads.example.net"], "consent": "required",
         "cookies": ["ad_id"]},
        {"name": "CDN", "hosts": ["cdn.example.net"], "consent": "exempt"},
    ]}  # fmt: skip
    requests = (
        BrowserRequest(url="https://ads.example.net/a.gif", resource_type="image",
                       method="GET", frame=PAGE),
        BrowserRequest(url="https://ads.example.net/b.gif", resource_type="image",
                       method="GET", frame=PAGE),
        BrowserRequest(url="https://cdn.example.net/lib.js", resource_type="script",
                       method="GET", frame=PAGE),
        # undeclared, and an analytics vendor by the third-party-web snapshot
        BrowserRequest(url="https://www.google-analytics.com/g/collect", resource_type="ping",
                       method="POST", frame=PAGE),
    )  # fmt: skip
    ad_id = _cookie("ad_id", ".ads.example.net", party="third",
                    set_by="https://ads.example.net/a.gif", set_how="header")  # fmt: skip
    cookies = (ad_id,)

    def early(phase: str) -> set[str]:
        visit = Visit(url=PAGE, phase=phase, requests=requests, cookies=cookies)
        return {t for rule, t in _judge(policy, visit) if rule == "tracking-before-consent"}

    expected = {"ads.example.net", "www.google-analytics.com", "ad_id@.ads.example.net/"}
    assert early("before") == early("reject") == expected
    assert early("accept") == set()
    visit = Visit(url=PAGE, phase="reject", requests=requests)
    finding = _judge(policy, visit)[("tracking-before-consent", "ads.example.net")]
    assert finding.message == (
        "ads.example.net ('Ads', consent = \"required\") received 2 requests after the "
        "visitor rejected consent, first https://ads.example.net/a.gif."
    )


def test_a_runtime_font_is_judged_as_the_markup_judges_one() -> None:
    """A font a stylesheet loads at run time is declared as a font, like a CSS url() of one."""
    font = BrowserRequest(url="https://fonts.example.net/a.woff2", resource_type="font",
                          method="GET", frame=PAGE)  # fmt: skip
    declared = {"third_party": [{"name": "Fonts", "hosts": ["fonts.example.net"],
                                 "kinds": ["font"]}]}  # fmt: skip
    assert _judge(declared, Visit(url=PAGE, requests=(font,))) == {}
    findings = _judge({}, Visit(url=PAGE, requests=(font,)))
    assert findings[("undeclared-resource", font.url)].kind == "font"
