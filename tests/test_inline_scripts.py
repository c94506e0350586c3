"""Inline scripts as a specification: a URL a script only names is a mention; a load is
a script (or stylesheet, image, frame) only where the code visibly loads it."""

from __future__ import annotations

import pytest

from linkguard.extract import extract_references
from linkguard.model import Kind

PAGE = "https://www.example.com/page.html"


def uses(html: str) -> list[tuple[str, str | None, int]]:
    """(kind, url, line) of each reference an inline script on the page gives."""
    page = extract_references(html, PAGE)
    return [(str(r.kind), r.url, r.line) for r in page.references if r.attr == "inline"]


def loaded(script: str) -> set[tuple[str, str | None]]:
    """(kind, url) of what ``script`` loads, mentions left out."""
    return {(k, u) for k, u, _ in uses(f"<script>{script}</script>") if k != "mention"}


WP_EMOJI = (
    'window._wpemojiSettings = {"baseUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/'
    '15.0.3\\/72x72\\/","ext":".png","svgUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/'
    '15.0.3\\/svg\\/","svgExt":".svg","source":{"concatemoji":"https:\\/\\/www.example.com\\/'
    'wp-includes\\/js\\/wp-emoji-release.min.js?ver=6.4.2"}};\n'
    '!function(i,n){var o,s,e;function s(e){var t=i.createElement("script");t.src=e,'
    "t.defer=!0,i.head.appendChild(t)}(e=n.source||{}).concatemoji?s(e.concatemoji):"
    "e.wpemoji&&e.twemoji&&(s(e.twemoji),s(e.wpemoji))}(window,window._wpemojiSettings);"
)
PAYMENT_ALLOWLIST = (
    "var checkoutConfig = {\n"
    '  allowedOrigins: ["https://js.stripe.com", "https://www.paypal.com/sdk/js",\n'
    '                   "https://pay.google.com/gp/p/js/pay.js"],\n'
    '  theme: "https://cdn.payments.example.net/theme/checkout.css",\n'
    '  spinner: "https://cdn.payments.example.net/img/spinner.gif"\n'
    "};"
)
DRUPAL7_SETTINGS = (
    'jQuery.extend(Drupal.settings, {"basePath":"\\/","ajaxPageState":{"theme":"site",'
    '"js":{"https:\\/\\/cdn.jsdelivr.net\\/npm\\/jquery@3.7.1\\/dist\\/jquery.min.js":1,'
    '"https:\\/\\/www.example.com\\/misc\\/drupal.js":1}}});'
)
TWITTER = (
    "!function(d,s,id){var js,fjs=d.getElementsByTagName(s)[0],p=/^http:/.test(d.location)"
    "?'http':'https';if(!d.getElementById(id)){js=d.createElement(s);js.id=id;"
    'js.src=p+"://platform.twitter.com/widgets.js";fjs.parentNode.insertBefore(js,fjs);}}'
    '(document,"script","twitter-wjs");'
)
CLASSIC_GA = (
    'var gaJsHost = (("https:" == document.location.protocol) ? "https://ssl." : '
    '"http://www.");\n'
    'document.write(unescape("%3Cscript src=\'" + gaJsHost + "google-analytics.com/ga.js\' '
    "type='text/javascript'%3E%3C/script%3E\"));"
)
GTM = (
    "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),"
    "event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),"
    "dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
    "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
    "})(window,document,'script','dataLayer','GTM-XXXX');"
)
FB_PIXEL = (
    "!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?"
    "n.callMethod.apply(n,arguments):n.queue.push(arguments)};t=b.createElement(e);t.async=!0;"
    "t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window, document,"
    "'script','https://connect.facebook.net/en_US/fbevents.js');\nfbq('init', '271828');"
)


def test_urls_a_script_only_names_are_mentions() -> None:
    html = (
        f"<script>\n{WP_EMOJI}</script>\n<script>{PAYMENT_ALLOWLIST}</script>\n"
        f"<script>{DRUPAL7_SETTINGS}</script>"
    )
    assert uses(html) == [
        ("mention", "https://s.w.org/images/core/emoji/15.0.3/72x72/", 2),
        ("mention", "https://s.w.org/images/core/emoji/15.0.3/svg/", 2),
        ("mention", "https://www.example.com/wp-includes/js/wp-emoji-release.min.js?ver=6.4.2", 2),
        ("mention", "https://js.stripe.com/", 5),
        ("mention", "https://www.paypal.com/sdk/js", 5),
        ("mention", "https://pay.google.com/gp/p/js/pay.js", 6),
        ("mention", "https://cdn.payments.example.net/theme/checkout.css", 7),
        ("mention", "https://cdn.payments.example.net/img/spinner.gif", 8),
        ("mention", "https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js", 10),
        ("mention", "https://www.example.com/misc/drupal.js", 10),
    ]


LOADERS = [
    ("Google Tag Manager", GTM, {("script", "https://www.googletagmanager.com/gtm.js?id=")}),
    ("Facebook pixel", FB_PIXEL, {("script", "https://connect.facebook.net/en_US/fbevents.js")}),
    ("Twitter widgets", TWITTER, {("script", "https://platform.twitter.com/widgets.js")}),
    (
        "classic Google Analytics",
        CLASSIC_GA,
        {("script", "https://ssl.google-analytics.com/ga.js")},
    ),
    (
        "setAttribute on a created script",
        "var e=document.createElement('script');"
        "e.setAttribute('src', 'https://widget.example.net/w?k=1');document.head.appendChild(e);",
        {("script", "https://widget.example.net/w?k=1")},
    ),
    (
        "document.write of a script tag",
        "document.write('<script src=\"https://ads.example.net/show\"><\\/script>');",
        {("script", "https://ads.example.net/show")},
    ),
    (
        "a protocol-relative loader",
        "var s=document.createElement('script');s.src=document.location.protocol+"
        "'//stats.example.net/c.js';",
        {("script", "https://stats.example.net/c.js")},
    ),
    (
        "a prefix the script assigns",
        "var base = 'https://cdn.example.net/v2/'; var s=document.createElement('script');"
        "s.src = base + 'loader.js';",
        {("script", "https://cdn.example.net/v2/loader.js")},
    ),
    (
        "jQuery getScript and dynamic import",
        "$.getScript('https://a.example.net/a.js'); import('https://b.example.net/b.mjs');",
        {("script", "https://a.example.net/a.js"), ("script", "https://b.example.net/b.mjs")},
    ),
]


@pytest.mark.parametrize(("name", "script", "expected"), LOADERS, ids=[c[0] for c in LOADERS])
def test_code_that_visibly_loads_a_url_is_a_load(
    name: str, script: str, expected: set[tuple[str, str]]
) -> None:
    assert loaded(script) == expected


def test_a_module_script_loads_what_it_imports() -> None:
    html = (
        '<script type="module">import {a} from "https://esm.example.net/a.mjs";\n'
        'import "https://esm.example.net/b.js"; const u = "https://api.example.net/";</script>'
    )
    assert uses(html) == [
        ("script", "https://esm.example.net/a.mjs", 1),
        ("script", "https://esm.example.net/b.js", 2),
        ("mention", "https://api.example.net/", 2),
    ]


KINDS = [
    ("a stylesheet", "s.src='https://cdn.example.net/site.css'", "stylesheet"),
    ("an image", "s.src='https://cdn.example.net/pixel.gif'", "image"),
    ("a folder is nothing", "s.src='https://cdn.example.net/emoji/72x72/'", None),
    ("a .js file", "t.src='https://cdn.example.net/x.js'", "script"),
    ("no extension, a created script", "s.src='https://cdn.example.net/x'", "script"),
]


@pytest.mark.parametrize(("name", "assignment", "kind"), KINDS, ids=[k[0] for k in KINDS])
def test_what_a_load_is_follows_the_url(name: str, assignment: str, kind: str | None) -> None:
    script = f"var s=document.createElement('script');{assignment};"
    found = loaded(script)
    assert {k for k, _ in found} == ({kind} if kind else set())


def test_the_element_a_src_is_set_on_decides_an_unknown_file() -> None:
    script = (
        "var s=document.createElement('script');s.src='https://a.example.net/tag';"
        "var f=document.createElement('iframe');f.src='https://b.example.net/embed';"
        "new Image().src='https://c.example.net/collect?e=1';"
    )
    assert loaded(script) == {
        ("script", "https://a.example.net/tag"),
        ("frame", "https://b.example.net/embed"),
        ("image", "https://c.example.net/collect?e=1"),
    }


def test_a_src_with_no_element_in_sight_is_only_a_mention() -> None:
    assert uses("<script>x.src = 'https://a.example.net/tag';</script>") == [
        ("mention", "https://a.example.net/tag", 1)
    ]


def test_json_blocks_never_load_anything() -> None:
    html = (
        '<script type="application/json" data-drupal-selector="drupal-settings-json">'
        '{"ajaxPageState":{"js":{"https:\\/\\/cdn.example.net\\/a.js":1}},'
        '"loader":"s.src=\\"https://cdn.example.net/b.js\\""}</script>'
        '<script type="application/ld+json">{"logo": "https://cdn.example.net/logo.png"}</script>'
    )
    assert extract_references(html, PAGE).references == ()


def test_comments_and_regular_expressions_are_not_strings() -> None:
    script = (
        "var quote = /[\"']/g; var s=document.createElement('script');\n"
        "// s.src = 'https://commented.example.net/x.js';\n"
        "/* document.write('<script src=\"https://block.example.net/y.js\"><\\/script>') */\n"
        "s.src = 'https://real.example.net/z.js'; var r = 4 / 2; var t = 'https://m.example.net/';"
    )
    assert uses(f"<script>\n{script}\n</script>") == [
        ("script", "https://real.example.net/z.js", 5),
        ("mention", "https://m.example.net/", 5),
    ]


def test_a_load_shows_its_evidence() -> None:
    page = extract_references(f"<script>{CLASSIC_GA}</script>", PAGE)
    [ga] = page.references
    assert ga.kind is Kind.SCRIPT
    assert "document.write(unescape(" in ga.element
    assert 'gaJsHost = "https://ssl."' in ga.element


HOSTILE_SCRIPTS = {
    "quotes": "\"'`" * 333_333,
    "unclosed block comments": "/* " * 333_333,
    "open parentheses": "(" * 1_000_000,
    "src assignments": "a.src=a+" * 125_000,
    "assignment chain": "a=" * 500_000,
    "document.write calls": "document.write(" * 66_666,
    "called functions": "!function(a,b){a.src=b}(window,'https://x.example.net/z.js');" * 16_000,
    "regular expressions": "x=/[" * 250_000,
    "backslashes": "'" + "\\" * 1_000_000,
    "one long host": "'https://" + "a." * 500_000,
    "url literals": "".join(f"'https://h{i}.example.net/x.js';" for i in range(30_000)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE_SCRIPTS))
def test_a_megabyte_of_hostile_script_completes(name: str) -> None:
    body = HOSTILE_SCRIPTS[name]
    page = extract_references(f"<p>x</p><script>{body}</script>", PAGE)
    assert all(r.attr == "inline" and len(r.element) <= 300 for r in page.references)
    if name == "url literals":
        assert len(page.references) == 30_000
        assert {r.kind for r in page.references} == {Kind.MENTION}
    if name == "called functions":
        assert [(r.kind, r.url) for r in page.references] == [
            (Kind.SCRIPT, "https://x.example.net/z.js")
        ]


def test_a_script_that_loads_nothing_names_the_same_urls() -> None:
    """A script with nothing that can load is read for its strings alone (faster); adding
    a loader to it, which makes it read in full, changes none of its mentions."""
    names = (
        "var re = /[\"']https:\\/\\/in-a-regex.example.net/g, half = 4 / 2 / 1;\n"
        "<!-- 'https://in-a-comment.example.net/'\n"
        "var t = `https://a.example.net/${id}/x`, q = 'https://b.example.net/?q=\"x\"';\n"
        "/* 'https://c.example.net/' */ var u = \"\\x68ttps://d.example.net/p\";\n"
        "if (a) return /'/.test(u); var v = 'https:\\/\\/e.example.net\\/';"
    )
    loader = "\nvar s=document.createElement('script');s.src='https://l.example.net/l.js';"
    mentions = [
        ("mention", "https://a.example.net/", 4),
        ("mention", "https://b.example.net/?q=", 4),
        ("mention", "https://d.example.net/p", 5),
        ("mention", "https://e.example.net/", 6),
    ]
    assert uses(f"<script>\n{names}</script>") == mentions
    assert uses(f"<script>\n{names}{loader}</script>") == [
        *mentions,
        ("script", "https://l.example.net/l.js", 7),
    ]
