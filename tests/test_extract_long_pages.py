"""Pages far past 65,535 lines or thousands of levels deep read as any other, with the same
context and exact lines (libxml2, the parser linkguard read pages with before turbohtml,
stopped counting lines at 65,535 and nesting at ~2,048), tokenized as a browser does."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_extract import ACCESSIBLE, KINDS, PAGE, refs

from linkguard.extract import ExtractedPage, extract_references

# Blank lines put before a page (HTML ignores them): past what 16 bits can number.
PAD = 65_535


def far_down(html: str, **kwargs: object) -> ExtractedPage:
    """``html`` read after ``PAD`` blank lines. Lines in the result count from the page's
    first line, blank ones included."""
    return extract_references("\n" * PAD + html, PAGE, **kwargs)  # type: ignore[arg-type]


def far_refs(html: str, **kwargs: object) -> list[tuple[str, str, str, str | None, int]]:
    page = far_down(html, **kwargs)
    return [(str(r.kind), r.attr, r.raw, r.url, r.line - PAD) for r in page.references]


@pytest.mark.parametrize(("name", "html", "expected"), KINDS, ids=[k[0] for k in KINDS])
def test_a_long_page_reads_every_reference_kind_as_a_short_one(
    name: str, html: str, expected: list[tuple[object, ...]]
) -> None:
    assert far_refs(html) == expected == refs(html)


@pytest.mark.parametrize(("html", "text"), ACCESSIBLE)
def test_a_long_page_gives_links_their_accessible_text(html: str, text: str) -> None:
    assert far_down(html).references[0].text == text


def test_a_page_over_65535_lines_reports_the_exact_line_of_a_late_link() -> None:
    lines = ['<html><body><a href="/first">first</a>']
    lines += [f"<p>paragraph {i}</p>" for i in range(69_996)]
    lines += [
        '<a href="https://late.example/">late</a>',
        "<script>",
        "load('https://pixel.example/p.js');",
        "</script>",
    ]
    page = extract_references("\n".join(lines), PAGE)
    assert [(r.raw, r.line) for r in page.references] == [
        ("/first", 1),
        ("https://late.example/", 69_998),
        ("https://pixel.example/p.js", 70_000),
    ]


def test_a_three_thousand_deep_page_keeps_every_reference_and_its_ancestors_context() -> None:
    html = (
        '<div class="partners" data-linkguard-ignore="unsafe-target-blank"><noscript>'
        + "<div>" * 3_000
        + '\n<a href="https://deep.example/">deep</a>'
        + "</div>" * 3_000
        + '</noscript></div>\n<a href="https://after.example/">after</a>'
    )
    page = extract_references(html, PAGE, notice_selectors=(".partners a",))
    assert [
        (r.raw, r.line, r.notice_selectors, r.ignore, r.in_noscript) for r in page.references
    ] == [
        ("https://deep.example/", 2, (".partners a",), frozenset({"unsafe-target-blank"}), True),
        ("https://after.example/", 3, (), frozenset(), False),
    ]


def test_data_linkguard_ignore_on_an_inline_script_and_on_an_ancestor() -> None:
    html = (
        "<script data-linkguard-ignore='undeclared-third-party'>\n"
        "load('https://own.example/a.js');</script>\n"
        "<div data-linkguard-ignore><section><script>\n"
        "load('https://inherited.example/b.js');</script></section></div>\n"
        "<script>load('https://plain.example/c.js');</script>"
    )
    page = far_down(html)
    assert [(r.raw, r.attr, r.line - PAD, r.ignore) for r in page.references] == [
        ("https://own.example/a.js", "inline", 2, frozenset({"undeclared-third-party"})),
        ("https://inherited.example/b.js", "inline", 4, frozenset({"*"})),
        ("https://plain.example/c.js", "inline", 5, frozenset()),
    ]
    tree = extract_references(html, PAGE).references
    assert page.references == tuple(replace(ref, line=ref.line + PAD) for ref in tree)


def test_a_notice_selector_matching_an_ancestor() -> None:
    html = (
        '<div class="partners"><ul><li><a href="https://a.example/">a</a></li></ul></div>'
        '<p class="partners-note"><a href="https://b.example/">b</a></p>'
    )
    selectors = (".partners a", "div > ul a", "[bad")
    page = far_down(html, notice_selectors=selectors)
    assert [r.notice_selectors for r in page.references] == [(".partners a", "div > ul a"), ()]
    tree = extract_references(html, PAGE, notice_selectors=selectors)
    assert [r.notice_selectors for r in tree.references] == [(".partners a", "div > ul a"), ()]


def test_the_line_of_a_multi_line_start_tag_is_where_it_begins_far_down_as_near_the_top() -> None:
    """A reference points at its ``<``; an inline script's literals count from its body."""
    html = (
        '<p>\n<a\n  class="ext"\n  href="/m">m</a>\n<script\n  type="text/javascript"\n>'
        "\nload('https://cdn.example/s.js');</script>"
    )
    assert [line for *_, line in far_refs(html)] == [2, 8] == [line for *_, line in refs(html)]


def test_a_five_line_start_tag_is_reported_on_its_first_line_far_down_a_page() -> None:
    html = '<p>intro</p>\n<a\n  class="x"\n  href="https://partner.example/"\n  title="t"\n>go</a>'
    assert [line for *_, line in far_refs(html)] == [2]


# What a browser does: ``<!-->`` is an empty comment; ``<!-- --!>`` ends the comment;
# ``<![CDATA[`` outside SVG and MathML opens a bogus comment that ends at the first ``>``.
# The standard library's tokenizer read each as a comment open until the next ``-->``
# (or ``]]>``), hiding the script between.
COMMENTS = [
    ("empty comment", "<!-->", "<!-- a real comment -->"),
    ("bang close", "<!-- note --!>", "<!-- a real comment -->"),
    ("CDATA in HTML", "<![CDATA[ x>", "<p>]]></p><!-- a real comment -->"),
]


@pytest.mark.parametrize(("name", "opener", "later"), COMMENTS, ids=[c[0] for c in COMMENTS])
def test_odd_comments_do_not_hide_a_later_script(name: str, opener: str, later: str) -> None:
    html = f'<p>text{opener}\n<script src="https://cdn.example/x.js"></script>{later}'
    assert far_refs(html) == [
        ("script", "src", "https://cdn.example/x.js", "https://cdn.example/x.js", 2)
    ]


def test_a_cdata_section_in_html_is_a_bogus_comment_up_to_its_first_gt() -> None:
    html = '<![CDATA[ <a href="/hidden"> ]]><a href="/shown">shown</a><!-- <a href="/c"> -->'
    assert [raw for _, _, raw, _, _ in far_refs(html)] == ["/shown"]


def test_a_long_page_keeps_its_title_drupal_settings_and_the_text_of_a_refresh_page() -> None:
    html = (
        "<title> Leaving \n soon </title>"
        '<meta http-equiv="refresh" content="0; url=https://r.example/">'
        '<script type="application/json" data-drupal-selector="drupal-settings-json">'
        '{"extlink": {"extClass": "0", "extAlert": true}}</script>'
        "<body><p>You are <b>leaving</b> our site</p><script>var hidden;</script>"
    )
    page = far_down(html)
    assert page.title == "Leaving soon"
    assert page.drupal_extlink is not None
    assert (page.drupal_extlink.ext_class, page.drupal_extlink.alert) == ("", True)
    assert page.interstitial_text == "you are leaving our site"


def test_only_elements_under_a_selector_an_ignore_or_a_noscript_have_a_context() -> None:
    """The reader walks up the ancestors only of elements in ``_may_have_context``; every other
    element's walk up (``_Reader._context``) must find nothing, in templates, SVG,
    upper-case attributes and noscripts' grafted markup alike."""
    from linkguard.extract import _tree
    from linkguard.extract._elements import NO_CONTEXT
    from linkguard.extract._noscript import graft

    html = (
        '<div class="partners"><template><p DATA-LINKGUARD-IGNORE="x"><a href=/t>t</a></p>'
        "</template><ul><li><a href=/a>a</a></li></ul></div><svg><g data-linkguard-ignore>"
        "<a href=/s /></g><a href=/s2 /></svg><noscript><iframe src=/n></iframe>"
        "<div data-linkguard-ignore=y><img src=/i></div></noscript><p><a href=/plain>p</a>"
        '<span data-linkguard-ignore=""><a class=partners href=/m>m</a></span></p>'
    )
    document = _tree.parse(html)
    grafts = graft(document)
    reader = _tree._Reader(
        document, PAGE, (".partners a", "a.partners"), None, PAGE, lambda h, b: None, grafts
    )  # type: ignore[arg-type]
    elements = list(document.iter_elements())
    walked = {element: reader._context(element) for element in elements}
    assert {e for e, context in walked.items() if context != NO_CONTEXT} <= reader._contextual
    assert len([e for e in elements if e not in reader._contextual]) > 5
    assert walked[next(e for e in elements if e.attr("href") == "/plain")] == NO_CONTEXT


def test_the_walk_reads_every_styled_element_whatever_its_tag_and_every_grafted_one() -> None:
    """The reader's walk asks turbohtml only for the tags that can carry a URL and the tags
    of the page's styled elements (``_Reader._walk``): a styled element of any other tag, in
    a template, SVG, MathML, a table cell, a select or a noscript's grafted markup, is read
    all the same, in document order, and a grafted element keeps its line."""
    html = (
        '<p style="background:url(/1.png)">p</p>\n'
        '<template><div style="x:url(/2.png)"><a href=/3>t</a></div></template>\n'
        '<svg><rect style="fill:url(/4.svg#g)"/><image href=/5.png /></svg>\n'
        '<math><mi style="x:url(/6.png)">x</mi></math>\n'
        '<table><tr><td style="x:url(/7.png)">c</td></tr></table>\n'
        '<select><option style="x:url(/8.png)">o</option></select>\n'
        '<noscript>\n<span style="x:url(/9.png)"><img src=/10.png></span></noscript>\n'
        '<SECTION STYLE="x:url(/11.png)">s</SECTION><em style="color:red">no URL</em>'
    )
    page = extract_references(html, PAGE)
    found = [(r.attr, r.raw, r.line, r.in_noscript) for r in page.references]
    assert found == [
        ("style", "/1.png", 1, False),
        ("style", "/2.png", 2, False),
        ("href", "/3", 2, False),
        ("style", "/4.svg#g", 3, False),
        ("href", "/5.png", 3, False),
        ("style", "/6.png", 4, False),
        ("style", "/7.png", 5, False),
        ("style", "/8.png", 6, False),
        ("style", "/9.png", 8, True),
        ("src", "/10.png", 8, True),
        ("style", "/11.png", 9, False),
    ]


# SVG's tag names the HTML parser writes in camel case (the HTML standard's table).
SVG_CAMEL_CASE = [
    "altGlyph",
    "altGlyphDef",
    "altGlyphItem",
    "animateColor",
    "animateMotion",
    "animateTransform",
    "clipPath",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "foreignObject",
    "glyphRef",
    "linearGradient",
    "radialGradient",
    "textPath",
]


def test_a_styled_svg_element_of_any_camel_case_tag_is_read() -> None:
    """turbohtml's iterator names ``foreignObject`` in lower case and ``clipPath`` as written:
    the walk asks for both forms (``_walked_tags``), so every styled SVG element is read."""
    html = "<svg>" + "".join(
        f'<{tag} style="x:url(/{tag}.png)"></{tag}>' for tag in SVG_CAMEL_CASE
    ) + "</svg>"  # fmt: skip
    found = {ref.raw for ref in extract_references(html, PAGE).references}
    assert found == {f"/{tag}.png" for tag in SVG_CAMEL_CASE}
    assert len(SVG_CAMEL_CASE) == 37


def test_a_page_of_many_distinct_styled_tags_is_walked_whole() -> None:
    """Past ``MAX_WALKED_TAGS`` distinct styled tags the walk visits every element (the
    iterator's filter compares each element with every tag: quadratic), reading them all."""
    from linkguard.extract import _tree

    count = _tree.MAX_WALKED_TAGS + 8
    html = "".join(f'<x-t{i} style="a:url(/{i}.png)">.</x-t{i}>' for i in range(count))
    assert _tree._walked_tags(_tree.parse(html)) is None
    page = extract_references(html + '<a href="/last">l</a>', PAGE)
    assert [ref.raw for ref in page.references] == [f"/{i}.png" for i in range(count)] + ["/last"]


def test_what_a_styled_noscript_holds_keeps_its_lines() -> None:
    """A ``<noscript>`` with a style attribute: what it holds is read with its own lines
    (the walk once gave its elements line 0, skipping the noscript's own bookkeeping for
    an element it read for its style)."""
    html = '<p>x</p>\n<noscript style="color:red">\n<img src="/a.gif"></noscript>'
    page = extract_references(html, PAGE)
    assert [(ref.raw, ref.line, ref.in_noscript) for ref in page.references] == [
        ("/a.gif", 3, True)
    ]
