"""The compiled [exit_notice] and Drupal's extlink logic, unit by unit."""

from __future__ import annotations

import pytest

from linkguard.extract import DrupalExtlink
from linkguard.rules.extlink import extlink_for, internal_pattern, js_regex
from linkguard.rules.mechanisms import Exemptions, compile_route, normalize_text


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("（外部サイト）", "(外部サイト)"),
        ("ＥＸＴＥＲＮＡＬ　ＬＩＮＫ", "external link"),
        ("Link\n   is\texternal", "link is external"),
        ("Öffnet in einem NEUEN Fenster", "öffnet in einem neuen fenster"),
        ("STRASSE ß", "strasse ss"),
    ],
)
def test_phrases_are_compared_nfkc_casefolded(text: str, normalized: str) -> None:
    assert normalize_text(text) == normalized


@pytest.mark.parametrize(
    ("route", "url", "destination"),
    [
        (
            "/leaving?url={url}",
            "https://w.example.com/leaving?url=https%3A%2F%2Fx.net%2Fa%3Fb%3D1",
            "https://x.net/a?b=1",
        ),
        (
            "/leaving?url={url}",
            "https://w.example.com/leaving/?url=https://x.net/",
            "https://x.net/",
        ),
        ("/leaving?url={url}", "https://w.example.com/leaving?u=https://x.net/", None),
        ("/leaving?url={url}", "https://w.example.com/leave?url=https://x.net/", None),
        ("/leaving?url={url}", "https://w.example.com/leaving?url=a+b", "a b"),
        ("/exit/{url}", "https://w.example.com/exit/https://x.net/p?q=1", "https://x.net/p?q=1"),
        ("/exit/{url}", "https://w.example.com/exit/https%3A%2F%2Fx.net%2F", "https://x.net/"),
        ("/exit/{url}", "https://w.example.com/exits/https://x.net/", None),
        ("/r/{url}/go", "https://w.example.com/r/https://x.net/go", "https://x.net"),
        (
            "https://out.example.com/?to={url}",
            "https://out.example.com/?to=https://x.net/",
            "https://x.net/",
        ),
        ("https://out.example.com/?to={url}", "https://w.example.com/?to=https://x.net/", None),
    ],
)
def test_interstitial_routes(route: str, url: str, destination: str | None) -> None:
    assert compile_route(route).destination(url) == destination


def test_the_interstitial_page_itself() -> None:
    route = compile_route("/leaving/?url={url}")
    assert route.serves("https://w.example.com/leaving/")
    assert route.serves("https://w.example.com/leaving?url=x")
    assert not route.serves("https://w.example.com/leavings/")
    # Decided without parsing when the path is nowhere in the URL; else as parsed.
    assert not route.serves("https://w.example.com/about/")
    assert not route.serves("https://w.example.com/about/?next=/leaving/")
    assert not route.serves("https://w.example.com/leav%69ng/")  # another path to a server
    on_origin = compile_route("https://go.example.com/out/{url}")
    assert on_origin.serves("https://go.example.com/out/https%3A%2F%2Fx.net")
    assert not on_origin.serves("https://w.example.com/out/https%3A%2F%2Fx.net")
    assert not on_origin.serves("https://go.example.com/in/out")


@pytest.mark.parametrize(
    ("patterns", "host", "covered"),
    [
        (("*.gov",), "www.cdc.gov", True),
        (("*.gov",), "cdc.gov.evil.net", False),
        (("*.go.jp",), "www.mhlw.go.jp", True),
        (("*.example-group.com",), "example-group.com", True),
        (("example-group.com",), "shop.example-group.com", True),
        (("partner.example.net",), "partner.example.net", True),
        (("partner.example.net",), "x.partner.example.net", False),
        (("shop-*.example.net",), "shop-eu.example.net", True),
        (("shop-*.example.net",), "blog.example.net", False),
        ((), "www.cdc.gov", False),
    ],
)
def test_exemptions(patterns: tuple[str, ...], host: str, covered: bool) -> None:
    assert Exemptions.build(patterns).covers(host) is covered


@pytest.mark.parametrize(
    ("host", "subdomains", "pattern"),
    [
        ("www.example.com", True, r"^https?://([^@]*@)?([^/]*\.)?example.com"),
        ("www.example.com", False, r"^https?://([^@]*@)?(www\.)?example.com"),
        ("example.com", False, r"^https?://([^@]*@)?(www\.)?example.com"),
        ("news.example.com", False, r"^https?://([^@]*@)?news\.example.com"),
        ("www.example.co.uk", True, r"^https?://([^@]*@)?([^/]*\.)?co.uk"),
        ("localhost:8080", True, r"^https?://([^@]*@)?([^/]*\.)?localhost:8080"),
    ],
)
def test_extlink_internal_pattern_is_built_as_the_module_builds_it(
    host: str, subdomains: bool, pattern: str
) -> None:
    assert internal_pattern(host, subdomains=subdomains) == pattern


def test_extlink_subdomains_setting() -> None:
    with_subs = extlink_for(DrupalExtlink(subdomains=True), "www.example.com")
    without = extlink_for(DrupalExtlink(subdomains=False), "www.example.com")
    assert not with_subs.marks("https://shop.example.com/")
    assert without.marks("https://shop.example.com/")
    assert not without.marks("https://example.com/")
    assert with_subs.marks("https://partner.example.net/")
    assert not with_subs.marks("mailto:a@partner.example.net")
    no_icon = extlink_for(DrupalExtlink(ext_class=""), "www.example.com")
    assert not no_icon.notices("https://partner.example.net/")


X28 = "https://" + "x" * 28 + ".example.net/"


@pytest.mark.parametrize(
    ("source", "url", "matches"),
    [
        (r"partner\.example", "https://PARTNER.example.net/", True),
        (r"(?<host>partner)\.example", "https://partner.example.net/", True),  # JS named group
        (r"\u0078\.net", "https://x.net/", True),  # JS Unicode escape
        (r"\d+", "https://x.net/٣", False),  # JavaScript's \d is ASCII
        ("(x+x+)+y", X28, False),  # catastrophic for a backtracking engine: 19 s in re
        ("(x+x+)+y", X28.replace(".example", "y.example"), True),
        # what RE2 cannot run is unreadable (None), never run by a backtracking engine
        (r"(?<host>x)\.\k<host>", "https://x.x.net/", None),
        (r"(?<=https://)x", "https://x.net/", None),
        (r"x(?!y)", "https://x.net/", None),
        ("([", "https://x.net/", None),
    ],
)
def test_js_regex(source: str, url: str, matches: bool | None) -> None:
    pattern = js_regex(source)
    assert pattern is not None and pattern.matches(url.lower()) is matches


def test_an_unset_js_regex_is_none() -> None:
    assert js_regex("") is None


def test_the_catastrophic_exclude_pattern_gives_the_module_s_verdict() -> None:
    extlink = extlink_for(DrupalExtlink(exclude="(x+x+)+y"), "www.example.com")
    assert extlink.notices(X28)  # not excluded: decorated
    assert not extlink.notices("https://" + "x" * 28 + "y.example.net/")  # excluded


def test_an_unreadable_exclude_credits_no_link_it_could_exclude() -> None:
    extlink = extlink_for(DrupalExtlink(exclude=r"(a)\1"), "www.example.com")
    assert extlink.decides("https://partner.example.net/") is None
    assert not extlink.notices("https://partner.example.net/")
    assert extlink.undecided("https://partner.example.net/") == "extExclude"
    assert extlink.decides("https://www.example.com/about") is False  # internal: decided
    assert extlink.undecided("https://www.example.com/about") == ""


def test_an_unreadable_include_matches_nothing() -> None:
    extlink = extlink_for(DrupalExtlink(include=r"(?=partner)"), "www.example.com")
    assert extlink.notices("https://partner.example.net/")  # outside: decorated anyway
    assert extlink.decides("https://shop.example.com/") is None  # internal, unless included
    assert extlink.undecided("https://shop.example.com/") == "extInclude"
