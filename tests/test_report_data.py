"""The HTML report's grouping (one row per problem) and its embedded data block, which must
stay inert whatever crawled pages put in URLs, link text and file names."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import lxml.html
from report_samples import XSS_IMG, XSS_SCRIPT, finding, passing_site
from report_scale_sample import CDN, IMAGES, large_result

from linkguard.model import Severity
from linkguard.reporters import Format, render
from linkguard.reporters._group_data import inert_json
from linkguard.reporters._grouping import group_problems, subject_of

E, W = Severity.ERROR, Severity.WARNING
PAGE = "https://www.example.org/"
BLOCK = re.compile(r'<script type="application/json" id="lg-data">(.*?)</script>', re.S)
HOSTILE = (
    XSS_SCRIPT,
    XSS_IMG,
    "<!--<script>window.pwned=1</script>-->",
    "</SCRIPT >& &amp; ]]>",
    "line\u2028separator\u2029paragraph",
    "right\u202eto-left \u2066isolate\u2069 zero\u200bwidth",
)


def _finding(rule: str, target: str, host: str, kind: str, element: str = "<x>") -> object:
    return finding(rule, E, PAGE, 3, target, host, element, "m", kind=kind)


# -- grouping --------------------------------------------------------------------------------
def test_a_declaration_problem_is_its_host() -> None:
    a = _finding(
        "undeclared-script", "https://cdn.example.net/a.js?v=1", "cdn.example.net", "script"
    )
    b = _finding(
        "undeclared-resource", "https://img.example.net/x/1.jpg", "img.example.net", "image"
    )
    assert subject_of(a) == "cdn.example.net"  # type: ignore[arg-type]
    assert subject_of(b) == "img.example.net"  # type: ignore[arg-type]


def test_a_subresource_loses_its_query_and_a_navigation_keeps_it() -> None:
    script = _finding(
        "missing-sri", "https://CDN.example.net/w.js?v=3#x", "cdn.example.net", "script"
    )
    link = _finding(
        "exit-notice-missing",
        "https://x.example/p?b=2&a=1&utm_source=mail#top",
        "x.example",
        "link",
    )
    cookie = _finding("undeclared-cookie", "_ga (.example.org)", "", "cookie")
    assert subject_of(script) == "https://cdn.example.net/w.js"  # type: ignore[arg-type]
    assert subject_of(link) == "https://x.example/p?a=1&b=2"  # type: ignore[arg-type]
    assert subject_of(cookie) == "_ga (.example.org)"  # type: ignore[arg-type]


def test_the_same_script_with_other_attributes_is_one_problem() -> None:
    findings = large_result(200).findings
    rules = {r.rule.id: r for r in group_problems(findings)}
    [script] = rules["undeclared-script"].problems
    assert (script.subject, script.pages, script.elements, script.by_host) == (CDN, 200, 7, True)
    [image] = rules["undeclared-resource"].problems
    assert (image.subject, len(image.targets)) == (IMAGES, 200)
    [sri] = rules["missing-sri"].problems
    assert sri.subject == "https://widgets.example.com/w.js" and len(sri.findings) == 20
    notices = rules["exit-notice-missing"]
    assert notices.problems[0].pages == 200  # the shared social link first, then one a page
    assert len(notices.problems) == 201
    assert sum(len(r.problems) for r in rules.values()) == 204


# -- the data block --------------------------------------------------------------------------
def test_inert_json_escapes_what_could_end_or_steer_the_element() -> None:
    text = inert_json({"s": [*HOSTILE, "lone\udcffsurrogate", "c1\x85"]})
    assert not set(text) & set("<>&\u2028\u2029\u202e\u2066\u2069\u200b\x85")
    assert "\udcff" not in text
    assert json.loads(text) == {"s": [*HOSTILE, "lone\udcffsurrogate", "c1\x85"]}


def test_the_data_block_holds_hostile_strings_as_inert_text() -> None:
    bad = tuple(
        finding(
            "exit-notice-missing",
            E,
            f"https://www.example.org/p{n}?q={text}",
            n + 1,
            f"https://evil.example/{text}",
            "evil.example",
            f"<a href='{text}'>",
            f"Link {text}",
            file=f"{text}.html",
        )
        for n, text in enumerate(HOSTILE)
    )
    html = render(replace(passing_site(), findings=bad), Format.HTML)
    [block] = BLOCK.findall(html)  # the block ends where we ended it, nowhere earlier
    assert not set(block) & set("<>&\u2028\u2029\u202e\u2066")
    data = json.loads(block)
    for text in HOSTILE:
        assert f"https://evil.example/{text}" in data["str"]
        assert f"{text}.html" in data["str"]
    doc = lxml.html.document_fromstring(html)
    assert len(doc.xpath("//script[not(@type)]")) == 1
    assert [s.get("id") for s in doc.xpath("//script[@type='application/json']")] == ["lg-data"]
    assert not doc.xpath("//img") and "window.pwned" not in "".join(
        s.text or "" for s in doc.xpath("//script[not(@type)]")
    )


def test_control_characters_are_replaced_in_the_data_as_in_the_page() -> None:
    bad = finding(
        "exit-notice-missing", E, PAGE, 1, "https://e.example/\x07\x00", "e.example", "<a>", "m\x1b"
    )
    html = render(replace(passing_site(), findings=(bad,)), Format.HTML)
    data = json.loads(BLOCK.findall(html)[0])
    assert "m\ufffd" in data["str"]
    assert "\x00" not in html and "\x07" not in html and "\x1b" not in html


def test_the_data_block_is_deterministic_and_small_at_scale() -> None:
    result = large_result(3000)
    html = render(result, Format.HTML)
    assert html == render(result, Format.HTML)
    data = json.loads(BLOCK.findall(html)[0])
    assert len(data["occ"]) == len(result.findings)
    assert len(data["pages"]) == 3000
    assert len(html.encode()) < 4 * 1024 * 1024
