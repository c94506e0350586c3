"""``<noscript>`` read as every visitor's browser reads it, with scripting on: its content is
raw text up to the first ``</noscript``, and what follows is markup; what the content holds is
still read, ``in_noscript``, for visitors without scripts, on a short page and far down a
long one alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from test_extract import PAGE
from test_extract_long_pages import PAD, far_down

from linkguard.extract import ExtractedPage, extract_references


def tree(html: str, **kwargs: object) -> ExtractedPage:
    return extract_references(html, PAGE, **kwargs)  # type: ignore[arg-type]


def far(html: str, **kwargs: object) -> ExtractedPage:
    """Read after ``PAD`` blank lines, lines counted from ``html``'s first."""
    page = far_down(html, **kwargs)
    moved = tuple(replace(r, line=r.line - PAD) for r in page.references)
    return replace(page, references=moved)


READERS: list[Callable[..., ExtractedPage]] = [tree, far]


def seen(page: ExtractedPage) -> list[tuple[str, str | None, int, bool]]:
    return [(str(r.kind), r.url, r.line, r.in_noscript) for r in page.references]


@pytest.mark.parametrize("read", READERS)
def test_a_script_after_the_first_end_tag_is_read_though_an_attribute_hid_it(
    read: Callable[..., ExtractedPage],
) -> None:
    html = (
        "<html><body>\n"
        '<noscript><p title="</noscript><script src=https://evil.example/x.js></script>">\n'
        '<a href="/after">after</a>'
    )
    assert seen(read(html)) == [
        ("script", "https://evil.example/x.js", 2, False),
        ("link", "https://www.example.com/after", 3, False),
    ]


@pytest.mark.parametrize("read", READERS)
def test_what_a_noscript_holds_is_still_read_in_its_place(
    read: Callable[..., ExtractedPage],
) -> None:
    html = (
        "<html><head>\n<noscript><link rel=stylesheet href=https://fonts.example/f.css>"
        "</noscript>\n</head><body>\n<NOSCRIPT>\n"
        '<iframe src="https://www.googletagmanager.com/ns.html?id=GTM-X"></iframe>\n'
        "</noscript >\n<img src=/logo.png>"
    )
    assert seen(read(html)) == [
        ("stylesheet", "https://fonts.example/f.css", 2, True),
        ("frame", "https://www.googletagmanager.com/ns.html?id=GTM-X", 5, True),
        ("image", "https://www.example.com/logo.png", 7, False),
    ]


@pytest.mark.parametrize("read", READERS)
def test_a_comment_opened_in_a_noscript_ends_with_it(read: Callable[..., ExtractedPage]) -> None:
    html = "<body><noscript><!--</noscript><script src=https://evil.example/c.js></script>-->"
    assert seen(read(html)) == [("script", "https://evil.example/c.js", 1, False)]


@pytest.mark.parametrize("read", READERS)
def test_a_base_inside_a_noscript_is_not_the_base(read: Callable[..., ExtractedPage]) -> None:
    html = (
        '<head><noscript><base href="https://www.example.com/"></noscript>'
        '<base href="https://tracker.example/"></head><body><script src="t.js"></script>'
    )
    assert [r.url for r in read(html).references] == ["https://tracker.example/t.js"]


@pytest.mark.parametrize("read", READERS)
def test_noscript_context_selectors_and_lines_survive_crlf(
    read: Callable[..., ExtractedPage],
) -> None:
    html = (
        '<body>\r\n<div class="partners" data-linkguard-ignore="missing-sri">\r\n'
        '<noscript>\r\n<a href="https://p.example/">p</a></noscript>\r\n'
        '<a href="https://q.example/">q</a></div>'
    )
    page = read(html, notice_selectors=(".partners a",))
    assert [
        (r.url, r.line, r.notice_selectors, r.ignore, r.in_noscript) for r in page.references
    ] == [
        ("https://p.example/", 4, (".partners a",), frozenset({"missing-sri"}), True),
        ("https://q.example/", 5, (".partners a",), frozenset({"missing-sri"}), False),
    ]


def test_a_noscript_three_thousand_deep_is_read_whole() -> None:
    html = "<body><noscript>" + "<div>" * 3_000 + '<a href="/deep">d</a></noscript><a href="/x">'
    page = extract_references(html, PAGE)
    assert [(r.raw, r.in_noscript) for r in page.references] == [("/deep", True), ("/x", False)]


NOSCRIPT_NEIGHBOURS = [
    # a link in a noscript inside a link, on one line: both are read
    ('<a href="/o"><noscript><a href="/in">i</a></noscript></a>', [("/o", False), ("/in", True)]),
    # two noscripts on one line, each holding a link at the same column of its own text
    (
        '<noscript><a href="http://y1.example/">y</a></noscript>'
        '<noscript><a href="http://y2.example/">y</a></noscript>',
        [("http://y1.example/", True), ("http://y2.example/", True)],
    ),
    ('<a href="http://x.example/">x</a><noscript><a href="http://y.example/">y</a></noscript>',
     [("http://x.example/", False), ("http://y.example/", True)]),
    (
        '<b style="background:url(/b1.png)">x</b>'
        '<noscript><b style="background:url(/b2.png)">y</b></noscript>',
        [("/b1.png", False), ("/b2.png", True)],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("html", "expected"), NOSCRIPT_NEIGHBOURS)
def test_what_a_noscript_holds_is_never_taken_for_a_clone_of_what_is_beside_it(
    html: str, expected: list[tuple[str, bool]]
) -> None:
    """A noscript's elements keep their own place on the page (line and column), so none is
    mistaken for a clone the parser made of an element before it (and skipped)."""
    page = extract_references(html, PAGE)
    assert [(r.raw, r.in_noscript) for r in page.references] == expected


def test_twenty_thousand_noscripts_are_each_read_on_their_line() -> None:
    html = "".join(f'<noscript><a href="/n{i}">n</a></noscript>\n' for i in range(20_000))
    page = extract_references(html, PAGE)
    assert [(r.raw, r.line, r.in_noscript) for r in page.references] == [
        (f"/n{i}", i + 1, True) for i in range(20_000)
    ]
