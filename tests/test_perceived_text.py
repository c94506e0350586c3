"""A link's text is what a visitor perceives, hidden text left out
(linkguard/extract/_visible.py), on a short page and far down a long one alike."""

from __future__ import annotations

import pytest

from linkguard.extract import _linktext, _tree, extract_references

PAGE = "https://www.example.com/page.html"
PAD = "\n" * 65_535  # blank lines: the page goes on past what 16 bits can number
NOTICE = "(link is external)"

CASES = [  # (inner HTML of the link, whether the notice is perceived)
    (f"<span hidden>{NOTICE}</span>", False),
    (f'<span aria-hidden="true" style="display:none">{NOTICE}</span>', False),
    (f'<span style="visibility:hidden">{NOTICE}</span>', False),
    (f"<template>{NOTICE}</template>", False),
    (f"<noscript>{NOTICE}</noscript>", False),
    (f"<script>'{NOTICE}'</script><style>/* {NOTICE} */</style>", False),
    (f'<span hidden><img src="/i.png" alt="{NOTICE}"></span>', False),
    (f'<img aria-hidden="true" src="/i.png" alt="{NOTICE}">', False),
    (f'<span class="sr-only">{NOTICE}</span>', True),
    (f'<span aria-hidden="true">{NOTICE}</span>', True),
    (f'<span style="visibility:hidden"><b style="visibility:visible">{NOTICE}</b></span>', True),
    (f'<span hidden style="display:inline">{NOTICE}</span>', True),
    (f'<img src="/i.png" alt="{NOTICE}">', True),
    (f'<svg aria-label="{NOTICE}"></svg>', True),
]


@pytest.mark.parametrize(("inner", "perceived"), CASES)
def test_only_perceived_text_is_read(inner: str, perceived: bool) -> None:
    html = f'<body><p><a href="https://partner.example.net/">Partner {inner}</a></p></body>'
    tree = extract_references(html, PAGE)
    flat = extract_references(PAD + html, PAGE)
    [link] = [r for r in tree.references if r.kind == "link"]
    [same] = [r for r in flat.references if r.kind == "link"]
    assert link.text == same.text
    assert (NOTICE in link.text) is perceived


def test_a_hidden_description_is_read() -> None:
    html = (
        f'<body><span id="n" hidden>{NOTICE} <span hidden>not this</span></span>'
        '<a href="https://partner.example.net/" aria-describedby="n missing n">Partner</a></body>'
    )
    texts = {page.references[0].text for page in (
        extract_references(html, PAGE), extract_references(PAD + html, PAGE))}  # fmt: skip
    assert texts == {f"Partner | {NOTICE}"}


def test_a_hidden_notice_on_a_refresh_page_is_not_its_text() -> None:
    html = (
        '<head><meta http-equiv="refresh" content="5; url=https://partner.example.net/"></head>'
        "<body><p>Moving.</p><p hidden>You are leaving</p><p>our site.</p></body>"
    )
    texts = {p.interstitial_text for p in (
        extract_references(html, PAGE), extract_references(PAD + html, PAGE))}  # fmt: skip
    assert texts == {"moving. our site."}


LEAVES = [  # (a link with no child element, its text): the tree reader takes its text as is
    ('<a href="https://x.example.net/">  Partner\n\t (link is external) </a>',
     "Partner (link is external)"),
    ('<a href="https://x.example.net/" title="Leaves" aria-label="Partner"></a>',
     "Partner | Leaves"),
    ('<a href="https://x.example.net/">Partner &amp; co &#8599;</a>', "Partner & co \u2197"),
    ('<a href="https://x.example.net/" aria-describedby="n">Partner</a>'
     '<span id="n" hidden>(link is external)</span>', "Partner | (link is external)"),
    ('<a href="https://x.example.net/">' + "x " * 20_000 + "(link is external)</a>", "x " * 250),
    # past what is read (RAW_FACTOR x MAX_TEXT characters as written): nothing is credited
    ('<a href="https://x.example.net/">' + " " * 20_000 + "Partner (link is external)</a>", ""),
    ('<a href="https://x.example.net/"><!-- a comment -->Partner<!-- -->, external</a>',
     "Partner, external"),
]  # fmt: skip


@pytest.mark.parametrize(("html", "text"), LEAVES)
def test_a_link_without_child_elements_has_the_text_the_full_walk_reads(
    html: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader takes a link with no child element's text as it is (``leaf_text``); the
    full walk, made to run by dropping that shortcut, reads the same, cut and collapsed
    alike."""
    page = f"<body><p>{html}</p></body>"
    short = extract_references(page, PAGE)
    walk = _linktext.accessible_text
    monkeypatch.setattr(_linktext, "accessible_text", lambda *args, leaf_text=None: walk(*args))
    walked = extract_references(page, PAGE)
    [link] = [r for r in short.references if r.kind == "link"]
    [same] = [r for r in walked.references if r.kind == "link"]
    assert link.text == same.text == text


PIECES = [  # what a link may hold; the reader reads plain content without the full walk
    "Partner", " ", "\n\t", "&amp; co", "<!-- c -->", "x" * 120, " y" * 60,
    '<span class="visually-hidden"> (link is external)</span>', "<b>bold</b>", "<span></span>",
    "<i> it <!-- c --> </i>", "<span><b>nested</b></span>", "<span hidden>hidden</span>",
    '<span style="display:none">none</span>', '<span style="color:red">red</span>',
    '<img src="/i.png" alt="image">', '<svg aria-label="label"></svg>',
    "<template>inert</template>", "<noscript>no</noscript>", "<script>1</script>",
    '<span aria-hidden="true">shown</span>', "<span>" * 3 + "deep" + "</span>" * 3,
    "<br>", "<select><option>o</option></select>", "<textarea>t</textarea>",
]  # fmt: skip


def test_a_link_with_plain_content_has_the_text_the_full_walk_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Links of every mix of these pieces (text, comments, plain and hidden elements,
    images, long text near the walk's bounds) read the same with the plain-content
    shortcut (``_linktext.plain_text``) as with the full walk; the shortcut reads most."""
    import random

    rng = random.Random(19)
    links = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6))) for _ in range(1_500)]
    links += [  # past the walk's bounds: elements, characters, or pieces counted as one each
        "<span></span>" * 300 + "after", "<b>x</b>" * 300, "w " * 240 + "<b>end</b>",
        "x" * 400 + "<b> </b>" * 150 + "tail", "x" * 300 + "<b>y</b>" * 100 + "tail",
    ]  # fmt: skip
    page = "<body>" + "".join(
        f'<p><a href="https://x{i}.example.net/" title="t">{inner}</a></p>'
        for i, inner in enumerate(links)
    ) + "</body>"  # fmt: skip
    shortcut = [r.text for r in extract_references(page, PAGE).references if r.kind == "link"]
    plain = sum(
        _linktext.plain_text(a.children) is not None
        for a in _tree.parse(page).iter_elements(("a",))
    )
    walk = _linktext.accessible_text
    monkeypatch.setattr(_linktext, "accessible_text", lambda *args, leaf_text=None: walk(*args))
    walked = [r.text for r in extract_references(page, PAGE).references if r.kind == "link"]
    assert len(shortcut) == len(links)
    assert shortcut == walked
    assert len(links) / 4 < plain < len(links)  # both ways were taken
