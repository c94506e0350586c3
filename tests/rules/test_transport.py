"""insecure-form, mixed-content, missing-sri, unsafe-target-blank: cases as data."""

from __future__ import annotations

import pytest
from rule_judge import Case, found, judge

FORM, MIXED, SRI, BLANK = "insecure-form", "mixed-content", "missing-sri", "unsafe-target-blank"
RULES = (FORM, MIXED, SRI, BLANK)
HTTP_PAGE = "http://www.example.com/contact.html"
CDN = "https://cdn.example.net/lib@1.2.3/lib.min.js"

CASES = [
    # -- insecure-form: any party
    Case("form posts to http", '<form action="http://www.example.com/send" method="post">',
         frozenset({(FORM, "http://www.example.com/send")})),
    Case("form on an http page", '<form action="/send" method="post"></form>',
         frozenset({(FORM, "http://www.example.com/send")}), page=HTTP_PAGE),
    Case("form on an https page posting to https", '<form action="/send" method="post">'),
    Case("form with no action posts to its page", "<form method=post></form>",
         frozenset({(FORM, HTTP_PAGE)}), page=HTTP_PAGE),
    Case("third-party form over http", '<form action="http://news.example.net/subscribe">',
         frozenset({(FORM, "http://news.example.net/subscribe")})),
    # -- mixed-content: subresources only
    Case("http image on an https page", '<img src="http://img.example.net/a.jpg" alt="">',
         frozenset({(MIXED, "http://img.example.net/a.jpg")})),
    Case("first-party http script", '<script src="http://www.example.com/app.js"></script>',
         frozenset({(MIXED, "http://www.example.com/app.js")})),
    Case("http iframe", '<iframe src="http://video.example.net/e"></iframe>',
         frozenset({(MIXED, "http://video.example.net/e")})),
    Case("http preload that fetches",
         '<link rel="preload" as="image" href="http://img.example.net/hero.jpg">',
         frozenset({(MIXED, "http://img.example.net/hero.jpg")})),
    Case("preconnect and dns-prefetch fetch nothing",
         '<link rel="preconnect" href="http://img.example.net">'
         '<link rel="dns-prefetch" href="http://cdn.example.net">'),
    Case("an http script an inline loader fetches",
         "<script>var s=document.createElement('script');"
         "s.src='http://cdn.example.net/x.js';</script>",
         frozenset({(MIXED, "http://cdn.example.net/x.js")})),
    Case("an http URL an inline script only names",
         "<script>var cfg = {legacy: 'http://cdn.example.net/x.js'};</script>"),
    Case("an http link is not mixed content", '<a class="ext" href="http://x.example.net/">x</a>'),
    Case("an http page has no mixed content", '<img src="http://img.example.net/a.jpg" alt="">',
         page=HTTP_PAGE),
    # -- missing-sri: third-party script and stylesheet
    Case("third-party script without integrity", f'<script src="{CDN}"></script>',
         frozenset({(SRI, CDN)})),
    Case("with integrity", f'<script src="{CDN}" integrity="sha384-abc" crossorigin></script>'),
    Case("third-party stylesheet",
         '<link rel="stylesheet" href="https://cdn.example.net/a-2.0.1.css">',
         frozenset({(SRI, "https://cdn.example.net/a-2.0.1.css")})),
    Case("first-party script needs none", '<script src="/app.js"></script>'),
    Case("a script preload", f'<link rel="modulepreload" href="{CDN}">', frozenset({(SRI, CDN)})),
    Case("an inline loader cannot carry integrity",
         "<script>s.src='https://cdn.example.net/loader-1.0.0.js'</script>"),
    # missing-sri only where a hash can hold: a fixed file, or a package CDN (pinnable)
    Case("a content-hashed file name is a fixed file",
         '<script src="https://assets.example.net/app.3f9a2c1b.js"></script>',
         frozenset({(SRI, "https://assets.example.net/app.3f9a2c1b.js")})),
    Case("a package CDN file without a version can be pinned",
         '<script src="https://cdn.jsdelivr.net/npm/swiper@11/swiper-bundle.min.js"></script>'
         '<script src="https://unpkg.com/htmx.org"></script>',
         frozenset({(SRI, "https://cdn.jsdelivr.net/npm/swiper@11/swiper-bundle.min.js"),
                    (SRI, "https://unpkg.com/htmx.org")})),
    Case("a vendor file without a version changes under its URL",
         '<script src="https://cdn.example.net/lib.js"></script>'
         '<script src="https://static.example.net/w.js?ver=6.4.2"></script>'),
    Case("tag managers, analytics and pixels cannot be pinned",
         '<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'
         '<script src="https://www.googletagmanager.com/gtm.js?id=GTM-1"></script>'
         '<script src="https://www.google-analytics.com/analytics.js"></script>'
         '<script src="https://connect.facebook.net/en_US/fbevents.js"></script>'
         '<script src="https://static.hotjar.com/c/hotjar-3141592.js?sv=6"></script>'
         '<script src="https://js.stripe.com/v3/"></script>'),
    Case("Google Fonts CSS differs by browser",
         '<link rel="stylesheet" '
         'href="https://fonts.googleapis.com/css2?family=Roboto:wght@400;700&display=swap">'),
    Case("a third-party image needs none", '<img src="https://img.example.net/a.png" alt="">'),
    # -- unsafe-target-blank
    Case("target=_blank without rel", '<a href="https://x.example.net/" target="_blank">x</a>',
         frozenset({(BLANK, "https://x.example.net/")})),
    Case("upper-case _BLANK", '<a href="https://x.example.net/" target="_BLANK">x</a>',
         frozenset({(BLANK, "https://x.example.net/")})),
    Case("noopener", '<a href="https://x.example.net/" target="_blank" rel="noopener">x</a>'),
    Case("noreferrer", '<a href="https://x.example.net/" target="_blank" rel="noreferrer">x</a>'),
    Case("first party", '<a href="/about/" target="_blank">about</a>'),
    Case("a named target", '<a href="https://x.example.net/" target="help">x</a>'),
    Case("ignored", '<a href="https://x.example.net/" target="_blank" '
         'data-linkguard-ignore="unsafe-target-blank exit-notice-missing">x</a>',
         suppressed=frozenset({(BLANK, "https://x.example.net/")})),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_transport(case: Case) -> None:
    analysis = judge(case.html, toml=case.toml, page=case.page)
    assert found(analysis, RULES, suppressed=False) == set(case.expected)
    assert found(analysis, RULES, suppressed=True) == set(case.suppressed)
