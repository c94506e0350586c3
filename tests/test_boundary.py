"""Classification as a browser sees it: where each href really goes, and whose it is.

A wrong "first" is a hole in the CI gate (an undeclared tracker passes as ours), so the
hostile forms are the heart of this table.
"""

from __future__ import annotations

import socket

import pytest

from linkguard.classify import scope as boundary
from linkguard.classify import urls
from linkguard.classify.scope import Scope, registrable_domain
from linkguard.model import Party

SCOPE = Scope.build("https://www.example.com", ["example.co.jp", "shop.partner.com"])
BASE = "https://www.example.com/dir/page.html"

CASES = [
    # href, expected URL, party, registrable site
    ("/about", "https://www.example.com/about", "first", "example.com"),
    ("about", "https://www.example.com/dir/about", "first", "example.com"),
    ("../up", "https://www.example.com/up", "first", "example.com"),
    ("?q=1", "https://www.example.com/dir/page.html?q=1", "first", "example.com"),
    ("#top", "https://www.example.com/dir/page.html#top", "first", "example.com"),
    ("", BASE, "first", "example.com"),
    ("https://EXAMPLE.com/", "https://example.com/", "first", "example.com"),
    ("https://cdn.example.com/x.js", "https://cdn.example.com/x.js", "first", "example.com"),
    ("https://www.example.com.:443/", "https://www.example.com./", "first", "example.com"),
    ("https://shop.example.co.jp/", "https://shop.example.co.jp/", "first", "example.co.jp"),
    ("https://shop.partner.com/", "https://shop.partner.com/", "first", "partner.com"),
    ("https://ｗｗｗ.example.com/", "https://www.example.com/", "first", "example.com"),
    ("https://www%2eexample.com/", "https://www.example.com/", "first", "example.com"),
    (
        "https://evil.com@www.example.com/",
        "https://evil.com@www.example.com/",
        "first",
        "example.com",
    ),
    ("\t/tabbed\n", "https://www.example.com/tabbed", "first", "example.com"),
    # hostile forms that must be third party
    ("https://example.com.evil.net/", "https://example.com.evil.net/", "third", "evil.net"),
    ("https://evilexample.com/", "https://evilexample.com/", "third", "evilexample.com"),
    ("https://www.example.com@evil.net/", "https://www.example.com@evil.net/", "third", "evil.net"),
    (
        "https://www.example.com:pw@evil.net/",
        "https://www.example.com:pw@evil.net/",
        "third",
        "evil.net",
    ),
    ("//evil.net/x", "https://evil.net/x", "third", "evil.net"),
    ("\\\\evil.net/x", "https://evil.net/x", "third", "evil.net"),
    ("/\\evil.net/x", "https://evil.net/x", "third", "evil.net"),
    ("https:\\\\evil.net", "https://evil.net/", "third", "evil.net"),
    ("https:evil.net/x", "https://www.example.com/dir/evil.net/x", "first", "example.com"),
    ("ht\ttps://evil.net/", "https://evil.net/", "third", "evil.net"),
    ("https://example.com%2eevil.net/", "https://example.com.evil.net/", "third", "evil.net"),
    ("https://example.com\uff0eevil.net/", "https://example.com.evil.net/", "third", "evil.net"),
    ("https://example.com\u3002evil.net/", "https://example.com.evil.net/", "third", "evil.net"),
    (
        "https://www.example.com#@evil.net/",
        "https://www.example.com/#@evil.net/",
        "first",
        "example.com",
    ),
    ("https://partner.com/", "https://partner.com/", "third", "partner.com"),
    ("https://other.partner.com/", "https://other.partner.com/", "third", "partner.com"),
    ("https://example.co.uk/", "https://example.co.uk/", "third", "example.co.uk"),
    ("https://bücher.de/", "https://xn--bcher-kva.de/", "third", "xn--bcher-kva.de"),
    ("http://0x7f.1/", "http://127.0.0.1/", "third", "127.0.0.1"),
    ("http://2130706433/", "http://127.0.0.1/", "third", "127.0.0.1"),
    ("http://[::1]/", "http://[::1]/", "third", "[::1]"),
    ("https://alice.github.io/", "https://alice.github.io/", "third", "alice.github.io"),
    ("https://github.io/", "https://github.io/", "third", "github.io"),
    ("wss://socket.evil.net/", "wss://socket.evil.net/", "third", "evil.net"),
]


@pytest.mark.parametrize(("href", "url", "party", "site"), CASES, ids=[c[0] for c in CASES])
def test_classification_matches_the_browser(href: str, url: str, party: str, site: str) -> None:
    result = SCOPE.classify_href(href, BASE)
    assert (result.url, str(result.party), result.site) == (url, party, site)


NOT_WEB = [
    ("mailto:dpo@example.com", "none"),
    ("tel:+15035550100", "none"),
    ("javascript:alert(1)", "none"),
    ("java\nscript:alert(1)", "none"),
    (" JavaScript:alert(1)", "none"),
    ("data:text/html,<p>x", "none"),
    ("blob:https://www.example.com/uuid", "none"),
    ("about:blank", "none"),
    ("file:///etc/passwd", "none"),
    ("http://exa mple.com/", "invalid"),
    ("https://[::1", "invalid"),
    ("http://a:99999/", "invalid"),
    ("https://", "invalid"),
]


@pytest.mark.parametrize(("href", "party"), NOT_WEB, ids=[n[0] for n in NOT_WEB])
def test_non_web_and_invalid(href: str, party: str) -> None:
    assert str(SCOPE.classify_href(href, BASE).party) == party


def test_private_suffixes_make_neighbours_different_parties() -> None:
    scope = Scope.build("https://alice.github.io/")
    assert scope.classify_href("/repo/").party is Party.FIRST
    assert scope.classify_href("https://bob.github.io/").party is Party.THIRD
    assert registrable_domain("bucket.s3.amazonaws.com") == "bucket.s3.amazonaws.com"
    assert registrable_domain("a.b.example.co.uk") == "example.co.uk"


def test_local_origins() -> None:
    scope = Scope.build("http://127.0.0.1:8000/")
    assert scope.classify_href("http://127.0.0.1:9000/x").party is Party.FIRST  # same host
    assert scope.classify_href("http://localhost:8000/").party is Party.THIRD


@pytest.mark.parametrize("entry", ["Example.CO.JP", "example.co.jp.", "例え.jp", "xn--r8jz45g.jp"])
def test_first_party_entries_are_normalised(entry: str) -> None:
    scope = Scope.build("https://www.example.com", [entry])
    expected = (
        "xn--r8jz45g.jp" if "jp" in entry and "example" not in entry.lower() else ("example.co.jp")
    )
    assert expected in scope.entries


def test_normalize_for_the_frontier() -> None:
    url = "https://www.example.com/a?b=2&utm_source=x&a=1#frag"
    assert urls.normalize(url) == "https://www.example.com/a?a=1&b=2"
    assert urls.normalize(urls.normalize(url)) == urls.normalize(url)
    assert urls.path_of("https://www.example.com/x/y?q=1") == "/x/y?q=1"


def test_no_network_is_ever_used(monkeypatch: pytest.MonkeyPatch) -> None:

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("classification tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    boundary.registrable_domain.cache_clear()
    scope = Scope.build("https://www.example.org", ["example.net"])
    assert scope.classify_href("https://cdn.other-site.example.com/").party is Party.THIRD


RAWS = [
    "/a/b?x=1#f",
    "/",
    "//evil.example/x",
    "/\\evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example",
    "/./a/../b",
    "a/b",
    "../c",
    "?q=1",
    "#top",
    "",
    " /a ",
    "https://cdn.example.net/a.js",
    "HTTPS://CDN.example.net/%7e",
    "http:relative",
    "https:/one-slash",
    "https:\\\\backslash.example/",
    "mailto:a@example.com",
    "javascript:alert(1)",
    "https://exa mple.com/",
    "//",
    "/%2e%2e/x",
]
BASES = [
    "https://www.example.com/dir/page.html?x=1",
    "https://www.example.com/other/",
    "http://user:pw@www.example.com:8080/d/p",
    "https://www.example.org/",
    "http://127.0.0.1:4000/a/b/c",
]


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_resolution_cache_never_changes_an_answer(order: str) -> None:
    """The cache keys on what of the base an href depends on: whatever page warmed it, the
    answer is ada's (the browser's) for this base."""
    import ada_url

    pairs = [(raw, base) for base in BASES for raw in RAWS]
    if order == "backward":
        pairs.reverse()
    for raw, base in pairs:
        try:
            expected: str | None = ada_url.join_url(base, raw)
        except ValueError:
            expected = None
        assert urls.resolve(raw, base) == expected, (raw, base)


@pytest.mark.parametrize("first_base", ["", "https://www.example.com/a/"])
def test_an_absolute_url_resolves_alike_whatever_base_warmed_the_cache(first_base: str) -> None:
    """An absolute URL's answer is cached without its base, so it must not depend on the
    base: a page with no usable base (an empty one) once got None where a warm cache gave
    the URL, and a worker process (cold) disagreed with the parent (warm)."""
    urls._RESOLVED.clear()
    first = urls.resolve("https://cdn.example.net/a.js", first_base)
    urls._RESOLVED.clear()
    other = "https://www.example.com/a/" if first_base == "" else ""
    assert first == urls.resolve("https://cdn.example.net/a.js", other)
    assert first == "https://cdn.example.net/a.js"


def test_a_scope_remembers_boundaries_but_travels_without_them() -> None:
    """Boundaries are made once per URL and process; the scope sent to a worker is only its
    origin and first-party entries, and equal to the one it came from."""
    import pickle

    scope = Scope.build("https://www.example.com", ["example.net"])
    first = scope.classify("https://cdn.example.org/a.js")
    assert scope.classify("https://cdn.example.org/a.js") is first
    assert first.party is Party.THIRD
    assert scope.classify("https://a.example.net/").party is Party.FIRST
    copy = pickle.loads(pickle.dumps(scope))
    assert copy == scope and hash(copy) == hash(scope)
    assert len(copy._known) == 0 and len(pickle.dumps(scope)) == len(pickle.dumps(copy))
    assert copy.classify("https://cdn.example.org/a.js") == first
