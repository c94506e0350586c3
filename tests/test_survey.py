"""What is known of a page before libxml2 builds it: whether an element carries more
attributes than libxml2 builds in linear time, wherever the markup puts it, and where each
noscript's raw text lies. A crowded element hidden where turbohtml reads raw text (a
noscript, a script, a textarea) still counts: libxml2 may build it (a noscript's content
is parsed as markup on its own). Counted by libxml2 itself where its tokenizer predates the
HTML standard's. No test measures time: ``test_linear_pages.py`` judges such pages whole."""

from __future__ import annotations

import pytest

from linkguard.extract import _survey, extract_references
from linkguard.extract._noscript import noscript_texts
from linkguard.extract._survey import MAX_ATTRIBUTES, SMALL_PAGE, survey

PAD = "<p>" + "word " * (SMALL_PAGE // 5) + "</p>"
PAGE = "https://www.example.com/page.html"


def _element(count: int) -> str:
    names = " ".join(f"a{i}" for i in range(count))
    return f'<a {names} href="https://partner.example.net/">x</a>'


@pytest.mark.parametrize(
    ("place", "built_by_libxml2"),
    [
        ("<body>{}</body>", True),
        ("<body><template>{}</template></body>", True),
        ("<body><noscript>{}</noscript></body>", True),
        ("<body><svg>{}</svg></body>", True),
        ("<body><script>document.write('{}')</script></body>", False),
        ("<body><textarea>{}</textarea></body>", False),
        ("<head><title>{}</title></head>", False),
    ],
)
@pytest.mark.parametrize("libxml2_counts", [False, True])
def test_a_crowded_element_is_found_wherever_libxml2_could_build_it(
    place: str, built_by_libxml2: bool, libxml2_counts: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_survey, "_LIBXML2_TOKENIZES_AS_HTML5", not libxml2_counts)
    crowded = f"<html>{place.format(_element(MAX_ATTRIBUTES + 1))}<body>{PAD}</body></html>"
    roomy = f"<html>{place.format(_element(MAX_ATTRIBUTES - 1))}<body>{PAD}</body></html>"
    # turbohtml's count is conservative: raw text that would be crowded markup counts too
    assert survey(crowded).crowded is (built_by_libxml2 or not libxml2_counts)
    assert not survey(roomy).crowded


def test_a_short_page_is_not_counted_and_a_crowded_one_is_read_whole() -> None:
    short = f"<html><body>{_element(MAX_ATTRIBUTES + 1)}</body></html>"
    assert len(short) < SMALL_PAGE and not survey(short).crowded
    page = f"<html><body>{PAD}<noscript>{_element(2 * MAX_ATTRIBUTES)}</noscript></body></html>"
    read = extract_references(page, PAGE)
    assert read.flat  # the fallback reader, linear in the attributes
    assert [(r.kind, r.url, r.in_noscript) for r in read.references] == [
        ("link", "https://partner.example.net/", True)
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("long", [False, True])
def test_noscript_spans_are_the_same_from_the_survey_as_on_their_own(
    newline: str, long: bool
) -> None:
    page = newline.join(
        [
            "<html><head><noscript><link rel=stylesheet href=/a.css></noscript></head>",
            "<body>" + (PAD if long else ""),
            '<noscript><p title="</noscript><script src=https://t.example.org/t.js>">',
            "</noscript></body></html>",
        ]
    )
    seen = survey(page)
    assert not seen.crowded
    assert seen.noscripts == noscript_texts(page) and len(seen.noscripts) == 2
    first = seen.noscripts[0]
    assert page[first.start : first.end] == "<link rel=stylesheet href=/a.css>"
