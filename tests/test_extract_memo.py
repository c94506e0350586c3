"""Extraction remembers what a site repeats (linkguard/_memo.py): answers stay those of the page."""

from __future__ import annotations

from linkguard._memo import MAX_KEY, Memo
from linkguard.extract import extract_references
from linkguard.model import Kind

NAV = '<nav><a href="about.html" class="ext" target="_blank" rel="noopener">About</a></nav>'
LOADER = (
    "<script>(function(d){var s=d.createElement('script');"
    "s.src='https://www.googletagmanager.com/gtm.js?id=GTM-X';"
    "d.head.appendChild(s)})(document)</script>"
)


def _page(body: str, lines_before: int = 0) -> str:
    return "<!DOCTYPE html>\n<html><head><title>t</title></head><body>\n" + (
        "<p>x</p>\n" * lines_before + body + "\n</body></html>\n"
    )


def test_a_remembered_element_resolves_against_each_page_own_base():
    first = extract_references(_page(NAV), "https://www.example.com/a/one.html")
    second = extract_references(_page(NAV, 3), "https://www.example.com/b/c/two.html")
    [one] = first.references
    [two] = second.references
    assert one.url == "https://www.example.com/a/about.html"
    assert two.url == "https://www.example.com/b/c/about.html"
    assert (one.line, two.line) == (3, 6)  # each page's own line
    assert one.element == two.element  # the start tag, serialised once
    assert one.rel == two.rel == frozenset({"noopener"}) and one.target == "_blank"


def test_a_remembered_element_keeps_each_page_context():
    plain = extract_references(_page(NAV), "https://www.example.com/", notice_selectors=("nav",))
    ignored = extract_references(
        _page(f'<div data-linkguard-ignore="exit-notice-missing">{NAV}</div>'),
        "https://www.example.com/",
        notice_selectors=("nav",),
    )
    assert plain.references[0].notice_selectors == ("nav",)
    assert plain.references[0].ignore == frozenset()
    assert ignored.references[0].ignore == frozenset({"exit-notice-missing"})


def test_a_remembered_inline_script_is_at_each_page_line_and_base():
    first = extract_references(_page(LOADER), "https://www.example.com/")
    second = extract_references(_page(LOADER, 5), "https://www.example.com/")
    [one] = [r for r in first.references if r.kind is Kind.SCRIPT]
    [two] = [r for r in second.references if r.kind is Kind.SCRIPT]
    assert one.url == two.url == "https://www.googletagmanager.com/gtm.js?id=GTM-X"
    assert two.line == one.line + 5


def test_an_image_remembered_in_a_picture_is_not_media_in_a_video():
    in_picture = extract_references(
        _page('<picture><source src="/a.png"></picture>'), "https://www.example.com/"
    )
    in_video = extract_references(
        _page('<video><source src="/a.png"></video>'), "https://www.example.com/"
    )
    assert [r.kind for r in in_picture.references] == [Kind.IMAGE]
    assert [r.kind for r in in_video.references] == [Kind.MEDIA]


def test_the_memo_starts_a_new_generation_past_its_budget():
    calls: list[str] = []

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    memo: Memo[str, str] = Memo(compute, budget=10)
    assert memo["abcd"] == "ABCD" and memo["abcd"] == "ABCD"
    assert calls == ["abcd"]  # answered from memory the second time
    memo["efgh"]
    assert len(memo) == 2
    memo["ijkl"]  # 12 characters would pass the budget: a new generation
    assert len(memo) == 1
    memo["abcd"]
    assert calls == ["abcd", "efgh", "ijkl", "abcd"]


def test_a_key_too_large_is_answered_and_never_kept():
    memo: Memo[str, int] = Memo(len, budget=10 * MAX_KEY)
    huge = "x" * (MAX_KEY + 1)
    assert memo[huge] == MAX_KEY + 1
    assert len(memo) == 0


def test_resolution_shared_by_a_folder_gives_what_the_url_parser_gives_each_page():
    import ada_url

    from linkguard.classify import urls

    raws = ["about.html", "../up/x.html", "./a?b#c", "a\t?q", "x/../../../y", "@evil.net",
            "http:rel", "https:other", "%2e%2e/z", "a b.html", "?q=1", "#top", "", " x.html",
            "/root", "//cdn.example.net/a.js", "\\\\h/x", "mailto:a@b.c", "javascript:void(0)",
            "C:/x", "..", "."]  # fmt: skip
    bases = [
        "https://www.example.com/a/b/one.html",
        "https://www.example.com/a/b/two.html?x=/y",
        "https://www.example.com/a/b/#frag/z",
        "https://www.example.com/a/b/",
        "http://user:pw@www.example.com:8080/a/b/three",
        "https://www.example.com/",
    ]
    urls._RESOLVED.clear()
    for base in bases:  # each page of the folder after the first is answered from memory
        for raw in raws:
            try:
                expected = ada_url.join_url(base, raw)
            except ValueError:
                expected = None
            assert urls.resolve(raw, base) == expected, (raw, base)
