"""Extraction as a specification: small HTML in, references out (kind, attr, raw, URL, line)."""

from __future__ import annotations

import pytest

from linkguard.extract import (
    decode_html,
    extract_references,
    parse_srcset,
    refresh_url,
    script_literals,
)
from linkguard.extract._elements import _skip_descriptors, _skip_descriptors_by_character
from linkguard.model import Kind

PAGE = "https://www.example.com/dir/page.html"


def refs(html: str | bytes, **kwargs: object) -> list[tuple[str, str, str, str | None, int]]:
    page = extract_references(html, PAGE, **kwargs)  # type: ignore[arg-type]
    return [(str(r.kind), r.attr, r.raw, r.url, r.line) for r in page.references]


KINDS = [
    ("link", '<a href="/a">a</a>', [("link", "href", "/a", "https://www.example.com/a", 1)]),
    (
        "area",
        '<map><area href="b.html"></map>',
        [("link", "href", "b.html", "https://www.example.com/dir/b.html", 1)],
    ),
    (
        "form",
        '<form action="https://f.example/s" method="POST"></form>',
        [("form", "action", "https://f.example/s", "https://f.example/s", 1)],
    ),
    ("form without action posts to the page", "<form></form>", [("form", "action", "", PAGE, 1)]),
    (
        "formaction",
        '<form><button formaction="//x.example/p">go</button></form>',
        [
            ("form", "action", "", PAGE, 1),
            ("form", "formaction", "//x.example/p", "https://x.example/p", 1),
        ],
    ),
    (
        "script",
        '<script src="https://cdn.example/x.js"></script>',
        [("script", "src", "https://cdn.example/x.js", "https://cdn.example/x.js", 1)],
    ),
    (
        "module preload",
        '<link rel="modulepreload" href="/m.js">',
        [("script", "href", "/m.js", "https://www.example.com/m.js", 1)],
    ),
    (
        "script preload",
        '<link rel="preload" as="script" href="/p.js">',
        [("script", "href", "/p.js", "https://www.example.com/p.js", 1)],
    ),
    (
        "iframe",
        '<iframe src="https://v.example/e"></iframe>',
        [("frame", "src", "https://v.example/e", "https://v.example/e", 1)],
    ),
    (
        "object and embed",
        '<object data="/o.swf"></object><embed src="/e.swf">',
        [
            ("frame", "data", "/o.swf", "https://www.example.com/o.swf", 1),
            ("frame", "src", "/e.swf", "https://www.example.com/e.swf", 1),
        ],
    ),
    (
        "stylesheet",
        '<link rel="Stylesheet" href="https://fonts.example/css">',
        [("stylesheet", "href", "https://fonts.example/css", "https://fonts.example/css", 1)],
    ),
    (
        "img and srcset",
        '<img src="a.png" srcset="b.png 2x, c.png 3x">',
        [
            ("image", "src", "a.png", "https://www.example.com/dir/a.png", 1),
            ("image", "srcset", "b.png", "https://www.example.com/dir/b.png", 1),
            ("image", "srcset", "c.png", "https://www.example.com/dir/c.png", 1),
        ],
    ),
    (
        "picture source",
        '<picture><source srcset="/w.webp"><img src="/i.jpg"></picture>',
        [
            ("image", "srcset", "/w.webp", "https://www.example.com/w.webp", 1),
            ("image", "src", "/i.jpg", "https://www.example.com/i.jpg", 1),
        ],
    ),
    (
        "input image",
        '<input type="image" src="/btn.png">',
        [("image", "src", "/btn.png", "https://www.example.com/btn.png", 1)],
    ),
    (
        "video, poster, source, track",
        '<video src="/v.mp4" poster="/p.jpg"><source src="/v.webm"><track src="/t.vtt"></video>',
        [
            ("media", "src", "/v.mp4", "https://www.example.com/v.mp4", 1),
            ("image", "poster", "/p.jpg", "https://www.example.com/p.jpg", 1),
            ("media", "src", "/v.webm", "https://www.example.com/v.webm", 1),
            ("media", "src", "/t.vtt", "https://www.example.com/t.vtt", 1),
        ],
    ),
    (
        "audio",
        '<audio src="https://a.example/x.mp3"></audio>',
        [("media", "src", "https://a.example/x.mp3", "https://a.example/x.mp3", 1)],
    ),
    (
        "preconnect and dns-prefetch",
        '<link rel="preconnect" href="https://c.example">'
        '<link rel="dns-prefetch" href="//d.example">',
        [
            ("preload", "href", "https://c.example", "https://c.example/", 1),
            ("preload", "href", "//d.example", "https://d.example/", 1),
        ],
    ),
    (
        "icon",
        '<link rel="icon" href="/favicon.ico">',
        [("image", "href", "/favicon.ico", "https://www.example.com/favicon.ico", 1)],
    ),
    ("canonical is not a request", '<link rel="canonical" href="https://other.example/">', []),
    (
        "meta refresh",
        '<meta http-equiv="refresh" content="0; url=https://r.example/">',
        [("refresh", "content", "https://r.example/", "https://r.example/", 1)],
    ),
    ("plain reload is not a reference", '<meta http-equiv="refresh" content="30">', []),
    (
        "base href",
        '<base href="https://cdn.example/base/"><a href="x">x</a>',
        [("link", "href", "x", "https://cdn.example/base/x", 1)],
    ),
    # Browsers ignore a javascript: or data: base (the HTML standard's document base URL):
    # resolving against it made //tracker.example/t.js a javascript: URL of party "none".
    (
        "javascript base is ignored",
        '<base href="javascript:/"><script src="//tracker.example/t.js"></script>',
        [("script", "src", "//tracker.example/t.js", "https://tracker.example/t.js", 1)],
    ),
    (
        "data base is ignored",
        '<base href="data:text/html,x/"><img src="pixel.gif">',
        [("image", "src", "pixel.gif", "https://www.example.com/dir/pixel.gif", 1)],
    ),
    (
        "only the first base with an href counts",
        '<base target="_blank"><base href=""><base href="https://cdn.example/"><a href="x">x</a>',
        [("link", "href", "x", "https://www.example.com/dir/x", 1)],
    ),
    # What CSS written in the page loads (@import a stylesheet, url() an image, a font or a
    # media file), and what SVG, a manifest and a link's ping make the browser request.
    (
        "style element",
        "<style>\n@import 'https://css.example/a.css';\n"
        "@font-face{src:url(https://font.example/f.woff2)}\n"
        "/* url(https://comment.example/c.png) */ b{background:u\\72l(//img.example/b.png)}"
        "</style>",
        [
            ("stylesheet", "inline", "https://css.example/a.css", "https://css.example/a.css", 2),
            ("font", "inline", "https://font.example/f.woff2", "https://font.example/f.woff2", 3),
            ("image", "inline", "//img.example/b.png", "https://img.example/b.png", 4),
        ],
    ),
    (
        "style attribute",
        "<p style=\"background: url('https://img.example/p.png')\">x</p>",
        [("image", "style", "https://img.example/p.png", "https://img.example/p.png", 1)],
    ),
    (
        "link ping",
        '<a href="/x" ping="https://ping.example/a /b">x</a>',
        [
            ("link", "href", "/x", "https://www.example.com/x", 1),
            ("ping", "ping", "https://ping.example/a", "https://ping.example/a", 1),
            ("ping", "ping", "/b", "https://www.example.com/b", 1),
        ],
    ),
    (
        "manifest",
        '<link rel="manifest" href="https://m.example/app.webmanifest">',
        [("manifest", "href", *["https://m.example/app.webmanifest"] * 2, 1)],
    ),
    (
        "svg script, image and use",
        '<svg><script href="https://s.example/a.js"></script>'
        '<script xlink:href="https://s.example/b.js"></script>'
        '<image xlink:href="https://i.example/i.png"/><use href="/sprite.svg#x"/></svg>',
        [
            ("script", "href", "https://s.example/a.js", "https://s.example/a.js", 1),
            ("script", "xlink:href", "https://s.example/b.js", "https://s.example/b.js", 1),
            ("image", "xlink:href", "https://i.example/i.png", "https://i.example/i.png", 1),
            ("image", "href", "/sprite.svg#x", "https://www.example.com/sprite.svg#x", 1),
        ],
    ),
    (
        "an html image is an img",
        '<image src="https://i.example/j.png">',
        [("image", "src", "https://i.example/j.png", "https://i.example/j.png", 1)],
    ),
    (
        "iframe srcdoc is a document of the page, resolved against its base",
        '<base href="https://cdn.example/b/">\n<iframe\n srcdoc="<script src=t.js></script>'
        '<a href=&quot;https://out.example/&quot;>o</a>"></iframe>',
        [
            ("script", "src", "t.js", "https://cdn.example/b/t.js", 2),
            ("link", "href", "https://out.example/", "https://out.example/", 2),
        ],
    ),
    ("comments are not links", '<!-- <a href="https://hidden.example/">x</a> --><p>hi</p>', []),
    (
        "invalid URL",
        '<a href="http://exa mple.com/">x</a>',
        [("link", "href", "http://exa mple.com/", None, 1)],
    ),
]


@pytest.mark.parametrize(("name", "html", "expected"), KINDS, ids=[k[0] for k in KINDS])
def test_every_reference_kind(name: str, html: str, expected: list[tuple[object, ...]]) -> None:
    assert refs(html) == expected


def test_line_numbers_follow_the_source() -> None:
    html = "<html>\n<head>\n<!-- a\nmulti-line\ncomment -->\n</head>\n<body>\n<a href='/x'>x</a>\n"
    html += "<noscript>\n<img src='https://p.example/p.gif'>\n</noscript>\n"
    page = extract_references(html, PAGE)
    assert [(r.raw, r.line, r.in_noscript) for r in page.references] == [
        ("/x", 8, False),
        ("https://p.example/p.gif", 10, True),
    ]


FIVE_LINES = (
    '<p>intro</p>\n<a\n  class="x"\n  href="https://partner.example/"\n  title="t"\n>go</a>'
)


def test_a_start_tag_over_several_lines_is_reported_where_it_begins() -> None:
    """The tag ends on line 6; the ``<a`` is on line 2."""
    assert [line for *_, line in refs(FIVE_LINES)] == [2]


@pytest.mark.parametrize(
    ("html", "lines"),
    [
        # the second tag begins on the line where the first one ends
        ('<A\nHREF="/1">1</A><a href="/2">2</a>\n<a href="/3">3</a>', [1, 2, 3]),
        # look-alikes in a comment, a script and an attribute value are not the tag
        ('<!-- <a\n> -->\n<script>s = "<a href=x>";\n</script><a\nhref="/real">r</a>', [4]),
        ('<img alt="<a\nb>"\nsrc="/i.png"><a\n href="/a">a</a>', [1, 3]),
        # an element with no reference still moves the search past its tag
        ('<a name="top"\n>t</a><a\nhref="/x">x</a>', [2]),
        # a quote in an unquoted value
        ('<p>\n<a title=it\'s\nhref="/q">q</a>', [2]),
    ],
)
def test_each_reference_gets_the_line_of_its_own_start_tag(html: str, lines: list[int]) -> None:
    assert [line for *_, line in refs(html)] == lines


def test_inline_script_loads_are_scripts_and_other_urls_mentions() -> None:
    html = """<script>
(function(w,d,s,l,i){var j=d.createElement(s);
j.src='https://www.googletagmanager.com/gtm.js?id='+i;})(window,document,'script','dataLayer','GTM-X');
</script>
<script>fbq('init'); t.src="https:\\/\\/connect.facebook.net\\/en_US\\/fbevents.js";</script>
<script type="application/ld+json">{"url": "https://schema.example/org"}</script>
<script>var cfg = {"api": "https:\\/\\/api.example.net\\/v1\\/",
  "icon": "//cdn.example.net/i.png"};</script>
"""
    assert [(k, a, raw, line) for k, a, raw, _, line in refs(html)] == [
        ("script", "inline", "https://www.googletagmanager.com/gtm.js?id=", 3),
        ("script", "inline", "https://connect.facebook.net/en_US/fbevents.js", 5),
        ("mention", "inline", "https://api.example.net/v1/", 7),
        ("mention", "inline", "//cdn.example.net/i.png", 8),
    ]


def test_drupal_extlink_settings_are_read() -> None:
    html = (
        '<script type="application/json" data-drupal-selector="drupal-settings-json">'
        '{"extlink": {"extClass": "ext", "extLabel": "(link is external)",'
        ' "extSubdomains": false, "extExclude": "partner\\\\.org"}}</script>'
    )
    settings = extract_references(html, PAGE).drupal_extlink
    assert settings is not None
    assert (settings.ext_class, settings.label, settings.subdomains, settings.exclude) == (
        "ext",
        "(link is external)",
        False,
        "partner\\.org",
    )


ACCESSIBLE = [
    (
        '<a href="/x">Visible <span class="visually-hidden">(external site)</span></a>',
        "Visible (external site)",
    ),
    (
        '<a href="/x" aria-label="Docs (opens in a new window)">Docs</a>',
        "Docs | Docs (opens in a new window)",
    ),
    ('<a href="/x" title="External">T</a>', "T | External"),
    (
        '<a href="/x"><img src="/i.png" alt="Partner (external site)"></a>',
        "Partner (external site)",
    ),
    ('<a href="/x"><svg><title>external</title></svg>Go</a>', "externalGo"),
    (
        '<a href="/x" aria-describedby="n">Go</a><span id="n">leaves this site</span>',
        "Go | leaves this site",
    ),
]


@pytest.mark.parametrize(("html", "text"), ACCESSIBLE)
def test_accessible_text_of_links(html: str, text: str) -> None:
    assert extract_references(html, PAGE).references[0].text == text


def test_text_for_reads_accessible_text_only_for_the_links_it_names() -> None:
    html = '<a href="/home">Home</a><a href="https://partner.example/" title="External">P</a>'
    asked: list[str | None] = []

    def leaves(url: str | None) -> bool:
        asked.append(url)
        return url is not None and "partner" in url

    page = extract_references(html, PAGE, text_for=leaves)
    assert [r.text for r in page.references] == ["", "P | External"]
    assert asked == ["https://www.example.com/home", "https://partner.example/"]
    assert [r.text for r in extract_references(html, PAGE).references] == ["Home", "P | External"]


def test_notice_selectors_match_the_link_or_an_ancestor() -> None:
    html = (
        '<div class="partners"><p><a href="https://a.example/">a</a></p></div>'
        '<a class="ext" href="https://b.example/">b</a><a href="https://c.example/">c</a>'
    )
    page = extract_references(html, PAGE, notice_selectors=(".partners a", "a.ext", "[bad"))
    assert [r.notice_selectors for r in page.references] == [(".partners a",), ("a.ext",), ()]


def test_linkguard_ignore_is_inherited() -> None:
    html = (
        '<footer data-linkguard-ignore="exit-notice-missing, unsafe-target-blank">'
        '<a href="https://a.example/">a</a></footer>'
        '<a data-linkguard-ignore href="https://b.example/">b</a>'
        '<a href="https://c.example/">c</a>'
    )
    ignores = [r.ignore for r in extract_references(html, PAGE).references]
    assert ignores == [
        frozenset({"exit-notice-missing", "unsafe-target-blank"}),
        frozenset({"*"}),
        frozenset(),
    ]


def test_context_attributes() -> None:
    html = (
        '<a href="https://a.example/" target="_blank" rel="NoOpener external">a</a>'
        '<script src="https://c.example/x.js" integrity="sha384-abc"></script>'
    )
    link, script = extract_references(html, PAGE).references
    assert (link.target, link.rel) == ("_blank", frozenset({"noopener", "external"}))
    assert script.integrity == "sha384-abc"
    assert link.element == '<a href="https://a.example/" target="_blank" rel="NoOpener external">'


def test_element_snippets_are_bounded_and_escaped() -> None:
    html = '<a href="/x" data-x="' + "&quot;<b>" * 200 + '">x</a>'
    element = extract_references(html, PAGE).references[0].element
    assert len(element) <= 300 and element.endswith("…")
    assert "<b>" not in element


def test_srcset_parsing_follows_the_html_standard() -> None:
    assert parse_srcset("a.jpg 1x, b,c.jpg 2x, d.jpg (x, y) 3w,e.jpg") == [
        "a.jpg",
        "b,c.jpg",
        "d.jpg",
        "e.jpg",
    ]
    assert parse_srcset("  ,, a.jpg, b.jpg") == ["a.jpg", "b.jpg"]
    assert parse_srcset("a.jpg,b.jpg") == ["a.jpg,b.jpg"]  # no space: one URL with a comma
    assert parse_srcset("") == []


@pytest.mark.parametrize(
    ("content", "url"),
    [
        ("5; url=https://x.example/", "https://x.example/"),
        ("0;URL='/y'", "/y"),
        ('0, url="z"', "z"),
        ("0; https://bare.example/", "https://bare.example/"),
        ("3", None),
        ("", None),
    ],
)
def test_meta_refresh_content(content: str, url: str | None) -> None:
    assert refresh_url(content) == url


def test_script_literals_ignore_comments_and_relative_strings() -> None:
    body = "// https://not-a-literal.example/\nvar a = '/relative'; var b = \"//cdn.example/x.js\";"
    assert list(script_literals(body)) == [(1, "//cdn.example/x.js")]


ENCODINGS = [
    ("meta charset", '<meta charset="shift_jis"><a href="/x">外部サイト</a>'.encode("cp932"), None),
    (
        "http-equiv",
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
            '<a href="/x">外部サイト</a>'
        ).encode("cp932"),
        None,
    ),
    ("http charset", '<a href="/x">外部サイト</a>'.encode("cp932"), "Shift_JIS"),
    ("euc-jp", '<meta charset="euc-jp"><a href="/x">外部サイト</a>'.encode("euc_jp"), None),
    (
        "BOM beats meta",
        b"\xef\xbb\xbf" + '<meta charset="iso-8859-1"><a href="/x">外部サイト</a>'.encode(),
        None,
    ),
    ("utf-8 default", '<a href="/x">外部サイト</a>'.encode(), None),
]


@pytest.mark.parametrize(("name", "body", "charset"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_pages_decode_by_bom_http_then_meta(name: str, body: bytes, charset: str | None) -> None:
    page = extract_references(body, PAGE, charset=charset)
    assert page.references[0].text == "外部サイト"


def test_latin1_label_means_windows_1252() -> None:
    assert decode_html(b"caf\xe9 \x93quoted\x94", "iso-8859-1") == "café “quoted”"


HOSTILE = [
    ("empty", b""),
    ("only text", b"just some text"),
    ("binary garbage", bytes(range(256)) * 64),
    ("NUL bytes", b'<a href="/a\x00b">x\x00y</a>'),
    ("invalid UTF-8", b'<a href="/x">\xff\xfe\xfd</a>'),
    ("unclosed tags", b'<div><p><a href="/x">x<table><tr><td><a href="/y">'),
    ("empty href", b'<a href>x</a><a href="">y</a>'),
    ("huge attribute", b'<a href="/' + b"x" * 1_000_000 + b'">x</a>'),
]


@pytest.mark.parametrize(("name", "body"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_pages_never_crash(name: str, body: bytes) -> None:
    page = extract_references(body, PAGE)
    for ref in page.references:
        assert len(ref.element) <= 300


def test_ten_thousand_deep_nesting_keeps_every_reference() -> None:
    html = "<div>" * 10_000 + '<a class="ext" href="/deep">deep</a>' + "</div>" * 10_000
    html += '<a href="/after">after</a>'
    page = extract_references(html, PAGE, notice_selectors=("a.ext",))
    assert [(r.raw, r.notice_selectors) for r in page.references] == [
        ("/deep", ("a.ext",)),
        ("/after", ()),
    ]


def test_a_hundred_thousand_links_in_one_page() -> None:
    html = "<body>" + "".join(f'<a href="/p{i}">p{i}</a>\n' for i in range(100_000))
    page = extract_references(html, PAGE, notice_selectors=("a.ext",))
    assert len(page.references) == 100_000
    assert page.references[-1].line == 100_000
    assert all(r.kind is Kind.LINK for r in page.references[:10])


@pytest.mark.parametrize(
    "value",
    [
        "a.jpg 1x, b.jpg 2x",
        "a.jpg (x, y) 1x, b.jpg",
        "a.jpg 1x (x, b.jpg 2x), c.jpg",
        "a.jpg ((x), y) 1x, b.jpg 2x, c.jpg (1, 2",
        "a.jpg 1x,, b.jpg ,c.jpg)",
        "a.jpg w)x(, b.jpg",
    ],
)
def test_srcset_descriptors_are_skipped_alike_with_or_without_parentheses(value: str) -> None:
    """The descriptors after a URL end at the next comma outside parentheses; the quick
    path (no parenthesis before that comma) must agree, from every position, with the
    character by character reading."""
    for position in range(len(value) + 1):
        assert _skip_descriptors(value, position) == _skip_descriptors_by_character(
            value, position
        ), position


def test_what_elements_decide_is_remembered_only_for_small_elements_and_boundedly() -> None:
    """The memo of element shapes gives the answers a fresh reading gives, keeps nothing of a
    large element (a data: URI, hundreds of attributes), and never outgrows its bound."""
    from linkguard.extract import _shapes

    _shapes._SHAPES.clear()
    page = '<a href="/a" rel="Nofollow noopener">A</a><img src="data:image/png;base64,{}">'
    first = extract_references(page.format("x" * 5_000), "https://www.example.com/")
    assert len(_shapes._SHAPES) == 1  # the link, not the image's 5,000-character URI
    again = extract_references(page.format("x" * 5_000), "https://www.example.com/")
    assert again.references == first.references
    assert first.references[0].rel == frozenset({"nofollow", "noopener"})
    many = "".join(f'<a href="/p{i}">P</a>' for i in range(_shapes._SHAPES_MAX + 10))
    links = extract_references(many, "https://www.example.com/").references
    assert [r.url for r in links][-1] == f"https://www.example.com/p{_shapes._SHAPES_MAX + 9}"
    assert len(_shapes._SHAPES) <= _shapes._SHAPES_MAX


def test_an_element_the_parser_clones_is_read_once_at_its_own_start_tag() -> None:
    """Misnested markup makes the HTML standard's parser clone ``<a>`` and ``<b>`` (a
    browser's DOM has the clones too); each start tag is still one reference, on its line."""
    html = (
        '<a href="/one"><div>\n<a href="/two">two</a></div></a>\n'
        '<p><b style="background: url(/b.png)">bold\n<p>still bold</b>'
    )
    assert [(raw, line) for _, _, raw, _, line in refs(html)] == [
        ("/one", 1),
        ("/two", 2),
        ("/b.png", 3),
    ]


def test_a_link_the_parser_split_shows_the_text_of_all_its_parts() -> None:
    """``<p><a>Partner<p>(external link)</a>``: the parser closes the first paragraph and
    clones the link into the second; a visitor sees one link reading both, and its notice
    is credited. Text the parser puts outside every clone is not the link's."""
    html = (
        '<p><a href="https://x.example/">Partner<p>(external link)</a>\n'
        '<a href="/y">a<div>b</a>c</div>'
    )
    page = extract_references(html, PAGE)
    assert [(r.raw, r.text) for r in page.references] == [
        ("https://x.example/", "Partner(external link)"),
        ("/y", "ab"),
    ]
