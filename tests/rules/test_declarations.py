"""undeclared-script, -frame, -form-target, -resource: cases as data, and the register."""

from __future__ import annotations

import pytest
from rule_judge import Case, found, judge, policy

from linkguard.classify import urls
from linkguard.model import Kind
from linkguard.rules.declarations import declaration_for

S, F, T = "undeclared-script", "undeclared-frame", "undeclared-form-target"
R = "undeclared-resource"
RULES = (S, F, T, R)
JS = "https://cdn.tracker.example.net/t.js"
SWIPER = "https://cdn.jsdelivr.net/npm/swiper@11/swiper-bundle.min.js"


def decl(hosts: str, kinds: str = "") -> str:
    kinds_line = f"kinds = [{kinds}]\n" if kinds else ""
    return f'[[third_party]]\nname = "Vendor"\nhosts = [{hosts}]\npurpose = "test"\n{kinds_line}'


CASES = [
    Case("undeclared script", f'<script src="{JS}"></script>', frozenset({(S, JS)})),
    Case("first-party script", '<script src="/js/app.js"></script>'),
    Case("registrable domain covers subdomains", f'<script src="{JS}"></script>',
         toml=decl('"example.net"')),
    Case("exact host covers that host", f'<script src="{JS}"></script>',
         toml=decl('"cdn.tracker.example.net"')),
    Case("exact host does not cover a sibling", f'<script src="{JS}"></script>',
         frozenset({(S, JS)}), toml=decl('"www.tracker.example.net"')),
    Case("URL prefix covers its path", f'<script src="{SWIPER}"></script>',
         toml=decl('"https://cdn.jsdelivr.net/npm/swiper@"')),
    Case("URL prefix does not cover a sibling path",
         '<script src="https://cdn.jsdelivr.net/npm/swiper-evil@1/x.js"></script>',
         frozenset({(S, "https://cdn.jsdelivr.net/npm/swiper-evil@1/x.js")}),
         toml=decl('"https://cdn.jsdelivr.net/npm/swiper@"')),
    Case("declared for another kind", f'<script src="{JS}"></script>', frozenset({(S, JS)}),
         toml=decl('"example.net"', '"frame"')),
    Case("declared for this kind", f'<script src="{JS}"></script>',
         toml=decl('"example.net"', '"script", "frame"')),
    Case("inline loader URL is a script",
         "<script>var s=document.createElement('script');"
         "s.src='https://connect.facebook.net/en_US/fbevents.js';</script>",
         frozenset({(S, "https://connect.facebook.net/en_US/fbevents.js")})),
    # -- inline scripts: a load is judged, a mention is not
    Case("a URL an inline script only names is no finding",
         "<script>var cfg = {allowed: ['https://js.stripe.com/v3/', "
         "'https://www.paypal.com/sdk/js'], theme: 'https://cdn.pay.example.net/t.css', "
         "spinner: 'https://cdn.pay.example.net/s.gif'};</script>"),
    Case("WordPress emoji settings name a folder of images",
         '<script>window._wpemojiSettings = {"baseUrl":"https:\\/\\/s.w.org\\/images'
         '\\/core\\/emoji\\/15.0.3\\/72x72\\/","ext":".png"};</script>'),
    Case("a Drupal 7 ajaxPageState lists files already loaded",
         '<script>jQuery.extend(Drupal.settings, {"ajaxPageState":{"js":'
         '{"https:\\/\\/cdn.tracker.example.net\\/t.js":1}}});</script>'),
    Case("the Twitter loader loads widgets.js",
         "<script>!function(d,s,id){var js,fjs=d.getElementsByTagName(s)[0],"
         "p=/^http:/.test(d.location)?'http':'https';if(!d.getElementById(id)){"
         "js=d.createElement(s);js.id=id;js.src=p+\"://platform.twitter.com/widgets.js\";"
         "fjs.parentNode.insertBefore(js,fjs);}}(document,\"script\",\"twitter-wjs\");</script>",
         frozenset({(S, "https://platform.twitter.com/widgets.js")})),
    Case("the classic Google Analytics loader loads ga.js",
         '<script>var gaJsHost = (("https:" == document.location.protocol) ? '
         '"https://ssl." : "http://www.");\ndocument.write(unescape("%3Cscript src=\'" + '
         'gaJsHost + "google-analytics.com/ga.js\' type=\'text/javascript\'%3E%3C/script%3E"));'
         "</script>",
         frozenset({(S, "https://ssl.google-analytics.com/ga.js")})),
    Case("a loader declared by domain", "<script>var s=document.createElement('script');"
         "s.src='https://connect.facebook.net/en_US/fbevents.js';</script>",
         toml=decl('"facebook.net"', '"script"')),
    Case("a stylesheet or image a loader fetches is a resource",
         "<script>var s=document.createElement('script');"
         "s.src='https://cdn.tracker.example.net/a.css';"
         "s.src='https://cdn.tracker.example.net/b.gif';</script>",
         frozenset({(R, "https://cdn.tracker.example.net/a.css"),
                    (R, "https://cdn.tracker.example.net/b.gif")})),
    Case("JSON-LD is not a script",
         '<script type="application/ld+json">{"url": "https://schema.example.net/x"}</script>'),
    Case("modulepreload is a script", f'<link rel="modulepreload" href="{JS}">',
         frozenset({(S, JS)})),
    Case("undeclared iframe", '<iframe src="https://video.example.net/embed/1"></iframe>',
         frozenset({(F, "https://video.example.net/embed/1")})),
    Case("object and embed are frames",
         '<object data="https://a.example.net/o"></object><embed src="https://b.example.net/e">',
         frozenset({(F, "https://a.example.net/o"), (F, "https://b.example.net/e")})),
    Case("declared frame", '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>',
         toml=decl('"youtube-nocookie.com"', '"frame"')),
    Case("form to a third party", '<form action="https://forms.example.net/f" method="post">',
         frozenset({(T, "https://forms.example.net/f")})),
    Case("form to a declared processor", '<form action="https://forms.example.net/f">',
         toml=decl('"forms.example.net"', '"form"')),
    Case("form to us", '<form action="/contact/send" method="post"></form>'),
    Case("button formaction", '<form action="/a"><button formaction="https://x.example.net/b">'
         "Go</button></form>", frozenset({(T, "https://x.example.net/b")})),
    Case("image, stylesheet, media, preconnect",
         '<img src="https://px.example.net/p.gif" alt="">'
         '<link rel="stylesheet" href="https://fonts.example.net/css">'
         '<video src="https://media.example.net/v.mp4"></video>'
         '<link rel="preconnect" href="https://fonts.example.org">',
         frozenset({(R, "https://px.example.net/p.gif"), (R, "https://fonts.example.net/css"),
                    (R, "https://media.example.net/v.mp4"), (R, "https://fonts.example.org/")})),
    Case("srcset candidates", '<img src="/a.png" srcset="https://img.example.net/a2.png 2x">',
         frozenset({(R, "https://img.example.net/a2.png")})),
    Case("a link needs a notice, not a declaration",
         '<a class="ext" href="https://partner.example.net/">Partner</a>'),
    Case("ignored by attribute", f'<script data-linkguard-ignore="undeclared-script" src="{JS}">'
         "</script>", suppressed=frozenset({(S, JS)})),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_declarations(case: Case) -> None:
    analysis = judge(case.html, toml=case.toml)
    assert found(analysis, RULES, suppressed=False) == set(case.expected)
    assert found(analysis, RULES, suppressed=True) == set(case.suppressed)


def test_the_message_says_which_entry_lacks_the_kind() -> None:
    analysis = judge(f'<script src="{JS}"></script>', toml=decl('"example.net"', '"frame"'))
    [finding] = [f for f in analysis.findings if f.rule == S]
    assert "'Vendor' covers it only for kinds frame" in finding.message
    assert 'add "script"' in finding.message


def test_the_first_entry_written_wins() -> None:
    rules = policy(
        '[[third_party]]\nname = "Narrow"\nhosts = ["cdn.example.net"]\nkinds = ["image"]\n'
        '[[third_party]]\nname = "Broad"\nhosts = ["example.net"]\n'
        '[[third_party]]\nname = "Prefix"\nhosts = ["https://cdn.example.net/lib/"]\n'
    )

    def named(url: str, kind: Kind | None) -> str | None:
        decl = declaration_for(url, urls.host_of(url), kind, rules)
        return decl.name if decl else None

    assert named("https://cdn.example.net/x.png", Kind.IMAGE) == "Narrow"
    assert named("https://cdn.example.net/lib/x.js", Kind.SCRIPT) == "Broad"
    assert named("https://other.net/x.js", None) is None
    assert named("https://cdn.example.net.evil.org/", None) is None


def test_a_host_asked_again_still_matches_prefixes_per_url() -> None:
    """The register works out a host's candidate entries once; the URL prefix is still
    checked for every URL on that host, in whatever order they are asked."""
    rules = policy(
        '[[third_party]]\nname = "Swiper"\nhosts = ["https://cdn.jsdelivr.net/npm/swiper@"]\n'
        '[[third_party]]\nname = "Fonts"\nhosts = ["cdn.jsdelivr.net"]\nkinds = ["stylesheet"]\n'
    )
    evil = "https://cdn.jsdelivr.net/npm/swiper-evil@1/x.js"
    css = "https://cdn.jsdelivr.net/npm/font@1/f.css"
    asked = [(evil, Kind.SCRIPT), (SWIPER, Kind.SCRIPT), (evil, Kind.SCRIPT), (css, Kind.SCRIPT),
             (css, Kind.STYLESHEET), (evil, None)]  # fmt: skip
    names = [getattr(declaration_for(u, "cdn.jsdelivr.net", k, rules), "name", None)
             for u, k in asked]  # fmt: skip
    assert names == [None, "Swiper", None, None, "Fonts", "Fonts"]
