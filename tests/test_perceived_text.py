"""A link's text is what a visitor perceives, hidden text left out
(linkguard/extract/_visible.py), on a short page and far down a long one alike."""

from __future__ import annotations

import pytest

from linkguard.extract import _tree, extract_references

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
    walk = _tree.accessible_text
    monkeypatch.setattr(_tree, "accessible_text", lambda *args, leaf_text=None: walk(*args))
    walked = extract_references(page, PAGE)
    [link] = [r for r in short.references if r.kind == "link"]
    [same] = [r for r in walked.references if r.kind == "link"]
    assert link.text == same.text == text
