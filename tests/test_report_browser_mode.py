"""Reports of a browser-mode scan: the cookies and storage the visits left, and which third
parties were seen at run time, shown in the HTML report and summed up in Markdown; a scan
without a browser shows none of it."""

from __future__ import annotations

from dataclasses import replace

import lxml.html
import pytest
from report_samples import failing_site

from linkguard.model import Cookie, ScanResult, StorageItem
from linkguard.reporters import Format, render
from linkguard.reporters._browser import lifetime_text

PAGE = "https://www.shop.example/"
XSS = "<script>alert(1)</script>"


def _browsed() -> ScanResult:
    result = failing_site()
    cookies = (
        Cookie(name="_ga", domain=".shop.example", path="/", party="first", session=False,
               lifetime=34128000, secure=False, http_only=False, same_site="Lax",
               set_by="https://www.googletagmanager.com/gtag/js", set_how="script",
               declared_by="Google Analytics", page=PAGE, pages=46),
        Cookie(name=XSS, domain="ads.example.net", path="/", party="third", session=True,
               lifetime=None, secure=True, http_only=True, same_site="None",
               set_by="https://ads.example.net/px", set_how="header", page=PAGE),
    )  # fmt: skip
    storage = (
        StorageItem(origin="https://ads.example.net", area="local", key="uid", size=40,
                    party="third", page=PAGE, pages=3),
    )  # fmt: skip
    parties = tuple(
        replace(t, seen=("browser",) if i == 0 else ("browser", "html"))
        for i, t in enumerate(result.third_parties)
    )
    summary = replace(result.summary, browser_pages=46)
    return replace(result, summary=summary, cookies=cookies, storage=storage,
                   third_parties=parties)  # fmt: skip


def test_the_html_report_lists_cookies_and_storage_as_text() -> None:
    text = render(_browsed(), Format.HTML)
    doc = lxml.html.document_fromstring(text)
    section = doc.get_element_by_id("browser")
    captions = [c.text_content() for c in section.iter("caption")]
    assert captions == ["Cookies", "localStorage and sessionStorage keys"]
    rows = [r.text_content() for r in section.xpath("(.//table)[1]/tbody/tr")]
    assert "_ga" in rows[0] and "Google Analytics" in rows[0] and "13 months" in rows[0]
    assert "document.cookie in https://www.googletagmanager.com/gtag/js" in rows[0]
    assert XSS in rows[1] and "undeclared" in rows[1] and "session" in rows[1]
    assert "Secure, HttpOnly, SameSite=None" in rows[1]
    assert XSS not in text  # a crawled cookie name is text, never markup
    assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>" in text  # and set apart
    assert "uid" in section.xpath("(.//table)[2]/tbody/tr")[0].text_content()
    assert (
        "46 pages visited in a browser: 2 cookies (1 third-party, 1 undeclared), 1 storage key."
        in (section.text_content())
    )
    inventory = doc.get_element_by_id("third-parties").text_content()
    assert "loaded at run time only" in inventory


def test_a_scan_without_a_browser_shows_no_browser_section() -> None:
    doc = lxml.html.document_fromstring(render(failing_site(), Format.HTML))
    assert not doc.xpath("//*[@id='browser']")
    assert "at run time" not in doc.get_element_by_id("third-parties").text_content()
    assert "visited in a browser" not in render(failing_site(), Format.MARKDOWN)


def test_markdown_says_what_the_browser_saw() -> None:
    text = render(_browsed(), Format.MARKDOWN)
    assert "- 46 pages visited in a browser: 2 cookies (1 third-party, 1 undeclared)" in text


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(None, "session"), (59, "1 minute"), (30, "30 seconds"), (90, "90 seconds"), (3600, "1 hour"),
     (86400 * 365, "1 year"), (86400 * 400, "13 months"), (34128000, "13 months"),
     (7 * 86400, "7 days"), (45 * 86400, "45 days"), (2 * 365 * 86400, "2 years")],
)  # fmt: skip
def test_lifetimes_read_as_people_say_them(seconds: int | None, said: str) -> None:
    assert lifetime_text(seconds) == said
