"""exit-notice-missing, every mechanism positive and negative, as data (ARCHITECTURE.md,
«Exit notices»)."""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from rule_judge import ORIGIN, Case, found, judge

RULE = "exit-notice-missing"
P = "https://partner.example.net/"
MISSING = frozenset({(RULE, P)})


def link(attrs: str = "", text: str = "Partner", href: str = P) -> str:
    return f'<p><a href="{href}" {attrs}>{text}</a></p>'


EXTLINK_JS = '<script src="/modules/contrib/extlink/js/extlink.js?v=2.0.4"></script>'


def drupal(
    settings: dict[str, object], body: str, scripts: str = EXTLINK_JS, libraries: str = ""
) -> str:
    """A Drupal page: ``body``, its settings (``libraries`` in ajaxPageState), ``scripts``."""
    data = json.dumps(
        {"path": {"baseUrl": "/"}, "ajaxPageState": {"libraries": libraries}, "extlink": settings}
    )
    script = '<script type="application/json" data-drupal-selector="drupal-settings-json">'
    return f"<body>{body}{script}{data}</script>{scripts}</body>"


def compressed(libraries: str) -> str:
    """A library list as Drupal 10.1+ writes it: zlib, URL-safe base64, no padding."""
    return base64.urlsafe_b64encode(zlib.compress(libraries.encode())).decode().rstrip("=")


EXTLINK = {"extClass": "ext", "extLabel": "(link is external)", "extSubdomains": True}
ROUTES = '[exit_notice]\ninterstitials = ["/leaving?url={url}", "/exit/{url}"]\n'

CASES = [
    # -- what is outbound
    Case("third-party link, no notice", link(), MISSING, coverage=(1, 0, 0, None)),
    Case("first-party link", link(href="/about/"), coverage=(0, 0, 0, None)),
    Case("first-party subdomain", link(href="https://shop.example.com/"), coverage=(0, 0, 0, None)),
    Case("mailto and tel are not the web", link(href="mailto:a@example.net")
         + link(href="tel:+1555"), coverage=(0, 0, 0, None)),
    Case("look-alike host is third party", link(href="https://www.example.com.evil.net/"),
         frozenset({(RULE, "https://www.example.com.evil.net/")})),
    Case("area is a link", f'<map name="m"><area href="{P}" alt="Partner"></map>', MISSING),
    Case("a stylesheet is not a navigation", f'<link rel="stylesheet" href="{P}s.css">',
         coverage=(0, 0, 0, None), rules=(RULE,)),
    # -- selectors (defaults: Drupal a.ext, data-extlink, data-exit-notice, WP External Links,
    #    USWDS, rel=external)
    Case("class ext", link('class="ext"'), coverage=(1, 1, 0, "selector")),
    Case("notice on an ancestor", f'<div data-exit-notice><p><a href="{P}">Partner</a></p></div>',
         coverage=(1, 1, 0, "selector")),
    Case("marker on a sibling is not a notice",
         f'<p><span class="ext"></span><a href="{P}">Partner</a></p>', MISSING),
    Case("WordPress WP External Links", link('data-wpel-link="external"'),
         coverage=(1, 1, 0, "selector")),
    Case("WP External Links says internal", link('data-wpel-link="internal"'), MISSING),
    Case("USWDS external link", link('class="usa-link usa-link--external"'),
         coverage=(1, 1, 0, "selector")),
    Case("rel external", link('rel="external noopener"'), coverage=(1, 1, 0, "selector")),
    Case("configured selector", link('class="offsite"'),
         toml='[exit_notice]\nselectors = ["a.offsite"]\n', coverage=(1, 1, 0, "selector")),
    Case("configured selectors replace the defaults", link('class="ext"'), MISSING,
         toml='[exit_notice]\nselectors = ["a.offsite"]\n'),
    Case("extend_defaults keeps them", link('class="ext"'),
         toml='[exit_notice]\nselectors = ["a.offsite"]\nextend_defaults = true\n',
         coverage=(1, 1, 0, "selector")),
    # -- text (accessible text, NFKC, case-folded)
    Case("visible phrase", link(text="Partner (link is external)"), coverage=(1, 1, 0, "text")),
    Case("visually hidden span",
         link(text='Partner <span class="visually-hidden">(opens an external site)</span>'),
         coverage=(1, 1, 0, "text")),
    Case("notice only in aria-label", link('aria-label="Partner (external link)"'),
         coverage=(1, 1, 0, "text")),
    Case("notice only in title", link('title="External website"'), coverage=(1, 1, 0, "text")),
    Case("notice in an img alt", link(text='<img src="/i.png" alt="Partner, external site">'),
         coverage=(1, 1, 0, "text")),
    Case("notice via aria-describedby",
         '<p id="ext-note">You are leaving our site.</p>'
         + link('aria-describedby="ext-note"'), coverage=(1, 1, 0, "text")),
    Case("case-insensitive", link(text="Partner (LINK IS EXTERNAL)"),
         coverage=(1, 1, 0, "text")),
    Case("full-width Latin (NFKC)", link(text="Partner（ＥＸＴＥＲＮＡＬ ＬＩＮＫ）"),
         coverage=(1, 1, 0, "text")),
    Case("Japanese, full-width parentheses", link(text="厚生労働省（外部サイト）"),
         toml='[exit_notice]\ntext = ["(外部サイト)"]\n', coverage=(1, 1, 0, "text")),
    Case("German", link(text="Partner (Externer Link)"), coverage=(1, 1, 0, "text")),
    Case("a near miss is not a notice", link(text="Partner resources (external)"), MISSING),
    Case("configured text replaces the defaults", link(text="Partner (link is external)"),
         MISSING, toml='[exit_notice]\ntext = ["(opens external site)"]\n'),
    Case("text wins over a selector", link('class="ext"', "Partner (link is external)"),
         coverage=(1, 1, 0, "text")),
    # -- interstitials
    Case("interstitial", link(href="/leaving?url=https%3A%2F%2Fpartner.example.net%2F"),
         toml=ROUTES, coverage=(1, 1, 0, "interstitial")),
    Case("interstitial, other parameters and a trailing slash",
         link(href="/leaving/?lang=en&url=https%3A%2F%2Fpartner.example.net%2F"),
         toml=ROUTES, coverage=(1, 1, 0, "interstitial")),
    Case("interstitial, double-encoded",
         link(href="/leaving?url=https%253A%252F%252Fpartner.example.net%252F"),
         toml=ROUTES, coverage=(1, 1, 0, "interstitial")),
    Case("interstitial in the path", link(href="/exit/https://partner.example.net/a?b=1"),
         toml=ROUTES, coverage=(1, 1, 0, "interstitial")),
    Case("interstitial whose destination is first party",
         link(href="/leaving?url=https%3A%2F%2Fwww.example.com%2Fabout%2F"),
         toml=ROUTES, coverage=(0, 0, 0, None)),
    Case("interstitial to a relative destination", link(href="/leaving?url=%2Fabout%2F"),
         toml=ROUTES, coverage=(0, 0, 0, None)),
    Case("not the route: another path", link(href="/leavingsoon?url=https%3A%2F%2Fx.net%2F"),
         toml=ROUTES, coverage=(0, 0, 0, None)),
    Case("interstitial without a destination", link(href="/leaving"), toml=ROUTES,
         coverage=(0, 0, 0, None)),
    Case("on the interstitial page, the way out is noticed", link(text="Continue"), toml=ROUTES,
         page=f"{ORIGIN}/leaving?url=https%3A%2F%2Fpartner.example.net%2F",
         coverage=(1, 1, 0, "interstitial")),
    Case("absolute interstitial route",
         link(href="https://go.example.com/out?to=https%3A%2F%2Fpartner.example.net%2F"),
         toml='[exit_notice]\ninterstitials = ["https://go.example.com/out?to={url}"]\n',
         coverage=(1, 1, 0, "interstitial")),
    # -- exempt destinations: no notice needed, counted as exempt and not as noticed
    Case("exempt by glob", link(href="https://www.cdc.gov/vaccines/"),
         toml='[exit_notice]\nexempt = ["*.gov"]\n', coverage=(1, 0, 1, None)),
    Case("glob does not cover look-alikes", link(href="https://cdc.gov.evil.net/"),
         frozenset({(RULE, "https://cdc.gov.evil.net/")}),
         toml='[exit_notice]\nexempt = ["*.gov"]\n'),
    Case("exempt registrable domain covers subdomains",
         link(href="https://shop.example-group.com/"),
         toml='[exit_notice]\nexempt = ["example-group.com"]\n', coverage=(1, 0, 1, None)),
    Case("exempt host is that host only", link(href="https://x.partner.example.net/"),
         frozenset({(RULE, "https://x.partner.example.net/")}),
         toml='[exit_notice]\nexempt = ["partner.example.net"]\n'),
    Case("a noticed exempt link counts as noticed", link('class="ext"'),
         toml='[exit_notice]\nexempt = ["partner.example.net"]\n',
         coverage=(1, 1, 0, "selector")),
    # -- refresh and redirect
    Case("meta refresh off-site",
         f'<head><meta http-equiv="refresh" content="0; url={P}"></head><p>Moved.</p>',
         MISSING, coverage=(1, 0, 0, None)),
    Case("meta refresh after a notice on the page",
         f'<head><meta http-equiv="refresh" content="5; url={P}"></head>'
         "<p>You are leaving our site.</p>", coverage=(1, 1, 0, "text")),
    Case("instant refresh: the notice is never seen",
         f'<head><meta http-equiv="refresh" content="0; url={P}"></head>'
         "<p>You are leaving our site.</p>", MISSING),
    Case("first-party redirect off-site", "<p>gone</p>", MISSING,
         redirects=((f"{ORIGIN}/go/partner", P, 302),), page=P, rules=(RULE,),
         coverage=(1, 0, 0, None)),
    Case("redirect within the site", "<p>ok</p>", page=f"{ORIGIN}/new",
         redirects=(("http://www.example.com/old", f"{ORIGIN}/new", 301),),
         coverage=(0, 0, 0, None)),
    Case("only the hop that leaves is judged", "", MISSING, rules=(RULE,), page=P + "b",
         redirects=((f"{ORIGIN}/go", P, 302), (P, P + "b", 301)), coverage=(1, 0, 0, None)),
    # -- deliberate exceptions
    Case("data-linkguard-ignore on the link", link('data-linkguard-ignore="exit-notice-missing"'),
         suppressed=MISSING),
    Case("data-linkguard-ignore on an ancestor",
         f'<div data-linkguard-ignore="exit-notice-missing">{link()}</div>', suppressed=MISSING),
    Case("ignoring another rule does not ignore this one",
         link('data-linkguard-ignore="missing-sri"'), MISSING),
    # -- Drupal extlink, applied from drupalSettings as the module does
    Case("drupal extlink decorates the link", drupal(EXTLINK, link()),
         coverage=(1, 1, 0, "drupal-extlink")),
    Case("drupal extlink with its icon off", drupal({**EXTLINK, "extClass": "0"}, link()),
         MISSING),
    Case("drupal extlink alert only", drupal({**EXTLINK, "extClass": "0", "extAlert": True},
                                             link()), coverage=(1, 1, 0, "drupal-extlink")),
    Case("drupal extExclude", drupal({**EXTLINK, "extExclude": r"partner\.example"}, link()),
         MISSING),
    Case("drupal treats example.com.evil.net as internal (its regex has no end anchor)",
         drupal(EXTLINK, link(href="https://www.example.com.evil.net/")),
         frozenset({(RULE, "https://www.example.com.evil.net/")})),
    Case("drupal extInclude", drupal({**EXTLINK, "extInclude": r"evil\.net"},
                                     link(href="https://www.example.com.evil.net/")),
         coverage=(1, 1, 0, "drupal-extlink")),
    Case("drupal invalid regex breaks the module: no credit",
         drupal({**EXTLINK, "extExclude": "(["}, link()), MISSING),
    Case("drupal JS named group", drupal({**EXTLINK, "extExclude": r"(?<h>partner)\.\k<h>"},
                                         link(href="https://partner.partner.net/")),
         frozenset({(RULE, "https://partner.partner.net/")})),
    Case("drupal extlink switched off in the policy", drupal(EXTLINK, link()), MISSING,
         toml="[exit_notice]\ndrupal_extlink = false\n"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_exit_notice(case: Case) -> None:
    analysis = judge(case.html, toml=case.toml, page=case.page, redirects=case.redirects)
    rules = case.rules or (RULE,)
    assert found(analysis, rules, suppressed=False) == set(case.expected)
    assert found(analysis, rules, suppressed=True) == set(case.suppressed)
    if case.coverage is not None:
        outbound, noticed, exempt, mechanism = case.coverage
        record = analysis.record
        assert (record.outbound, record.noticed, analysis.exempt) == (outbound, noticed, exempt)
        assert analysis.mechanisms == (((mechanism, 1),) if mechanism else ())


def test_a_link_through_an_interstitial_is_inventoried_against_its_destination() -> None:
    analysis = judge(link(href="/leaving?url=https%3A%2F%2Fpartner.example.net%2Fa"), toml=ROUTES)
    # (host, site, kind, covering declaration): seen, and not declared
    assert ("partner.example.net", "example.net", "link", "") in analysis.third_party
    [(via, finding)] = analysis.via_interstitial
    assert via == f"{ORIGIN}/leaving?url=https%3A%2F%2Fpartner.example.net%2Fa"
    assert (finding.rule, finding.host) == (RULE, "partner.example.net")
    assert finding.target == "https://partner.example.net/a"
    assert "/leaving" in finding.message and "broken" in finding.message


def test_coverage_sums_over_mechanisms() -> None:
    html = (
        link('class="ext"')
        + link(text="(link is external)", href="https://b.example.net/")
        + link(href="https://c.example.net/")
        + link(href="https://www.usa.gov/")
        + link(href="/leaving?url=https%3A%2F%2Fd.example.net%2F")
    )
    analysis = judge(html, toml=ROUTES + 'exempt = ["*.gov"]\n')
    record = analysis.record
    assert (record.outbound, record.noticed, record.exempt, analysis.exempt) == (5, 3, 1, 1)
    assert dict(analysis.mechanisms) == {"selector": 1, "text": 1, "interstitial": 1}
    assert found(analysis, (RULE,), suppressed=False) == {(RULE, "https://c.example.net/")}


def test_the_finding_names_the_link_and_survives_edits() -> None:
    [finding] = judge("\n\n" + link()).findings
    [again] = judge(link()).findings
    assert finding.line == again.line + 2
    assert (finding.target, finding.kind, finding.element) == (P, "link", again.element)
    assert "partner.example.net" in finding.message


LIBRARIES = "core/drupal,core/drupalSettings,extlink/drupal.extlink,olivero/global-styling"
AGGREGATE = "/sites/default/files/js/js_Qm9vdHN0cmFwX2FnZ3JlZ2F0ZQ.js"


@pytest.mark.parametrize(
    ("scripts", "libraries"),
    [
        ("", ""),  # the settings blob alone
        ("", LIBRARIES),  # ajaxPageState names the library, but no script loads anything
        (f'<script src="{AGGREGATE}"></script>', "core/drupal"),  # an aggregate without it
        (f'<script src="{AGGREGATE}?include={compressed("core/drupal")}"></script>', LIBRARIES),
        (f"<noscript>{EXTLINK_JS}</noscript>", ""),  # never runs with scripting on
        ('<script type="text/plain" src="/modules/extlink/js/extlink.js"></script>', ""),
        ('<script src="/js/not-extlink.js.map"></script>', ""),
    ],
    ids=["bare settings", "listed, no script", "aggregate without it", "include without it",
         "in noscript", "not JavaScript", "another file"],
)  # fmt: skip
def test_drupal_settings_without_the_extlink_script_are_no_notice(
    scripts: str, libraries: str
) -> None:
    analysis = judge(drupal(EXTLINK, link(), scripts=scripts, libraries=libraries))
    assert found(analysis, (RULE,), suppressed=False) == set(MISSING)
    assert (analysis.record.noticed, analysis.mechanisms) == (0, ())


@pytest.mark.parametrize(
    ("scripts", "libraries"),
    [
        (EXTLINK_JS, ""),  # aggregation off: one script per file
        ('<script src="https://cdn.example.org/extlink/extlink.min.js"></script>', ""),
        (f'<script src="{AGGREGATE}?v=1"></script>', LIBRARIES),  # Drupal < 10.1
        (f'<script src="{AGGREGATE}"></script>', compressed(LIBRARIES)),
        (f'<script src="{AGGREGATE}?scope=footer&amp;delta=0&amp;include='
         f'{compressed(LIBRARIES)}"></script>', ""),  # Drupal >= 10.1 names it in the URL
    ],
    ids=["extlink.js", "extlink.min.js elsewhere", "aggregate + listed",
         "aggregate + compressed list", "aggregate include"],
)  # fmt: skip
def test_drupal_extlink_is_credited_where_its_script_is(scripts: str, libraries: str) -> None:
    analysis = judge(drupal(EXTLINK, link(), scripts=scripts, libraries=libraries))
    assert found(analysis, (RULE,), suppressed=False) == set()
    assert analysis.mechanisms == (("drupal-extlink", 1),)


def test_a_hostile_library_list_is_read_within_its_bound() -> None:
    bomb = base64.urlsafe_b64encode(zlib.compress(b"x" * 50_000_000, 9)).decode().rstrip("=")
    analysis = judge(drupal(EXTLINK, link(), scripts=f'<script src="{AGGREGATE}"></script>',
                            libraries=bomb))  # fmt: skip
    assert found(analysis, (RULE,), suppressed=False) == set(MISSING)


NOTICE = "(link is external)"
UNPERCEIVED = [
    f"<span hidden>{NOTICE}</span>",
    f'<span hidden="until-found">{NOTICE}</span>',
    f'<span aria-hidden="true" style="display:none">{NOTICE}</span>',
    f'<span style="color: red; DISPLAY : none !important">{NOTICE}</span>',
    f'<span style="display:none !important; display:inline">{NOTICE}</span>',
    f'<span style="visibility:hidden">{NOTICE}</span>',
    f'<span style="content-visibility: hidden">{NOTICE}</span>',
    f"<template>{NOTICE}</template>",
    f"<noscript>{NOTICE}</noscript>",
    f"<script>/* {NOTICE} */</script>",
    f"<style>/* {NOTICE} */</style>",
    f'<img hidden src="/i.png" alt="{NOTICE}">',
    f'<span style="display:none"><img src="/i.png" alt="{NOTICE}"></span>',
    f'<img aria-hidden="true" src="/i.png" alt="{NOTICE}">',
    f'<span aria-hidden="true"><svg aria-label="{NOTICE}"></svg></span>',
    f"<span hidden><b><i>{NOTICE}</i></b></span>",
]
PERCEIVED = [
    f'<span class="sr-only">{NOTICE}</span>',
    f'<span class="visually-hidden">{NOTICE}</span>',
    f'<span style="position:absolute;clip:rect(0 0 0 0);width:1px;height:1px;overflow:hidden">'
    f"{NOTICE}</span>",
    f'<span aria-hidden="true">{NOTICE}</span>',  # seen on screen, skipped by screen readers
    f'<span style="visibility:hidden"><span style="visibility:visible">{NOTICE}</span></span>',
    f'<span hidden style="display:inline">{NOTICE}</span>',
    f'<span style="display:none; display:inline">{NOTICE}</span>',
    f'<img src="/i.png" alt="Partner {NOTICE}">',
    f'<template shadowrootmode="open">{NOTICE} <slot></slot></template>',
]


@pytest.mark.parametrize("inner", UNPERCEIVED)
def test_text_nobody_perceives_is_no_notice(inner: str) -> None:
    analysis = judge(link(text=f"Partner {inner}"))
    assert found(analysis, (RULE,), suppressed=False) == set(MISSING)
    assert analysis.record.noticed == 0


@pytest.mark.parametrize("inner", PERCEIVED)
def test_text_a_visitor_perceives_is_a_notice(inner: str) -> None:
    analysis = judge(link(text=f"Partner {inner}"))
    assert found(analysis, (RULE,), suppressed=False) == set()
    assert analysis.mechanisms == (("text", 1),)


@pytest.mark.parametrize(
    "note",
    [f'<span id="n" hidden>{NOTICE}</span>', f'<p id="n" style="display:none">{NOTICE}</p>'],
)
def test_a_hidden_description_is_announced_and_so_a_notice(note: str) -> None:
    analysis = judge(note + link('aria-describedby="n"'))
    assert analysis.mechanisms == (("text", 1),)


@pytest.mark.parametrize(
    "note",
    [f'<p id="n"><script>"{NOTICE}"</script></p>', f'<p id="n"><span hidden>{NOTICE}</span></p>'],
)
def test_a_description_of_text_nobody_perceives_is_no_notice(note: str) -> None:
    analysis = judge(note + link('aria-describedby="n"'))
    assert found(analysis, (RULE,), suppressed=False) == set(MISSING)


def test_a_refresh_page_whose_notice_is_hidden_has_none() -> None:
    head = f'<head><meta http-equiv="refresh" content="5; url={P}"></head>'
    shown = judge(head + "<body><p>You are leaving our site.</p></body>")
    hidden = judge(head + "<body><p hidden>You are leaving our site.</p></body>")
    assert shown.mechanisms == (("text", 1),)
    assert found(hidden, (RULE,), suppressed=False) == set(MISSING)


X28 = "https://" + "x" * 28 + ".example.net/"


def test_a_catastrophic_drupal_pattern_completes_with_the_module_s_verdict() -> None:
    exclude = {**EXTLINK, "extExclude": "(x+x+)+y"}
    kept = judge(drupal(exclude, link(href=X28)))  # 28 x's and no y: not excluded
    assert kept.mechanisms == (("drupal-extlink", 1),)
    excluded = judge(drupal(exclude, link(href=X28.replace(".example", "y.example"))))
    assert excluded.record.noticed == 0 and len(excluded.findings) == 1


@pytest.mark.parametrize("pattern", [r"(partner)\.\1", r"(?<=www\.)partner", r"partner(?!x)"])
def test_a_drupal_pattern_linkguard_cannot_run_is_no_credit_and_says_why(pattern: str) -> None:
    analysis = judge(drupal({**EXTLINK, "extExclude": pattern}, link()))
    [finding] = analysis.findings
    assert (finding.rule, finding.target) == (RULE, P)
    assert "extExclude pattern could not be evaluated" in finding.message
