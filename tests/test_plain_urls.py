"""URLs joined or split as strings (``urls._joined``, ``_plain_absolute``, the plain hosts,
paths and origins of ``host_of``, ``path_of`` and ``origin_of``) give exactly what the URL
parser gives, for every reference and base, cold or warm.

The string joins skip ada for plain references (``/p/12.html``, ``12.html``, ``#top``,
``https://cdn.example.net/a.js``); what is not plain goes to ada. These tests build
references from pieces that each trip one rule of the URL Standard (dot segments, encoded
dots, schemes, backslashes, tabs, quotes, non-ASCII, IPv4 hosts, punycode) and compare
every answer with ada's.
"""

from __future__ import annotations

import itertools

import ada_url
import pytest

from linkguard.classify import urls

PIECES = ["a", "b.html", "/", ".", "..", "%2e", "%2E", "%zz", ":", "@", "?", "#", "'", "^",
          " ", "\t", "é", "\\", "//", "x:y", "?q=1&r", "#top", "~", "%41", "{", "`", '"', "<",
          "&", "=", "+"]  # fmt: skip
BASES = [
    "https://www.example.com/a/b/one.html",
    "https://www.example.com/a/b/two.html?x=/y#f",
    "https://www.example.com/",
    "http://user:pw@www.example.com:8080/a/b/three",
    "HTTPS://WWW.Example.com/a/",  # not as the parser writes it: never joined as a string
    "http://www.example.com:80/a/b",
    "https://xn--a.com/x",
    "https://0x7f.1/a/b",
    "https://www.example.com/a%2e/b/c",
    "file:///C:/a/b",
    "about:srcdoc",
    "blob:https://a.com/uuid",
    "https://www.example.com/a b/c",
    "https://www.example.com/é/x",
    "https://www.example.com/a/b/#frag/z",
    "https://www.example.com/a?q#/x/y",
    "https://example.com./a/",
    # written otherwise than the parser writes them: nothing of them is shared or joined
    "http://a.b/x/..",
    "http://a.b/x/%2e%2E",
    "https://a.b/x/.. ",
    "http://a.b/x/y\\z",
    "https:///a.example/x",
    "http://\t/a",
    "file:///a/b",
]
HOSTS = ["a.com", "www.example.com", "a.com.", "a.com..", ".a.com", "a..com", "1.2.3.4",
         "0x7f.1", "127.0.0.1", "a.0x", "a.0xg", "a.09", "a.1a", "xn--a.com",
         "xn--bcher-kva.de", "-a-.com", "a--b.com", "A.com", "a_b.com", "localhost", "0",
         "0x", "é.com", "a.com:80", "a.com:8080", "u@a.com", "[::1]", "a%2ecom", "1.a", "",
         "a ", "a\x01", " a", "\\a", "\ta", "a.com:443", "a.com:0", "a.com:00", "a.com:080",
         "a.com:65535", "a.com:65536", "a.com:99999", "a.com:", "a.com:8080x", "127.0.0.1:8000",
         "127.0.0.01", "127.0.0.1.", "256.0.0.1", "1.2.3", "0.0.0.0", "127.0.0.1:80",
         "255.255.255.255:1", "1.2.3.4.5", "00.1.2.3", "1.2.3.0x4", "[::1]:8080",
         "249.250.199.100", "1.2.3.04", "300.1.1.1", "1.2.3.256:81"]  # fmt: skip
TAILS = ["", "/", "/a", "/a/b.html", "/./a", "/a/..", "/%2e", "?q", "#f", "/a?b#c", "/a b", "?",
         "/a?#f", "/a^b", "/é", "\\x", "/a'b", "?'", "#`", "/a/./", "?/.", "#/../"]  # fmt: skip


def _cold() -> None:
    """Every memo the answers pass through, emptied."""
    for memo in (urls._RESOLVED, urls._BASE_PARTS, urls._ORIGINS):
        memo.clear()
    urls.host_of.cache_clear()
    urls._plain_authority.cache_clear()


def _ada_join(base: str, raw: str) -> str | None:
    try:
        return ada_url.join_url(base, raw)
    except ValueError:
        return None


def _ada(url: str) -> ada_url.URL | None:
    try:
        return ada_url.URL(url)
    except ValueError:
        return None


@pytest.mark.parametrize("warm", [False, True])
def test_every_reference_of_two_pieces_resolves_as_the_url_parser_resolves_it(
    warm: bool,
) -> None:
    pairs = [("".join(combo), base) for base in BASES for k in (1, 2)
             for combo in itertools.product(PIECES, repeat=k)]  # fmt: skip
    _cold()
    wrong = []
    for raw, base in pairs:
        if not warm:
            _cold()
        if urls.resolve(raw, base) != _ada_join(base, raw):
            wrong.append((raw, base, urls.resolve(raw, base), _ada_join(base, raw)))
    assert len(pairs) > 15_000
    assert wrong == []


@pytest.mark.parametrize(
    ("first", "second"),
    [("file:///a/b", "file:///C:/a/b"), ("https:///a.example/x", "https:///b.example/y"),
     ("http://\t/a", "http://\t/b"), ("http://a.b/x/z", "http://a.b/x/.."),
     ("http://a.b/x/z", "http://a.b/x/y\\z")],
)  # fmt: skip
def test_a_base_that_shares_its_folder_or_host_with_another_only_when_it_is_plain(
    first: str, second: str
) -> None:
    """Two bases that look alike up to a "/" (a drive letter, slashes the parser skips, a
    dot segment or backslash it rewrites) resolve each reference as the parser does for
    each, whichever came first."""
    _cold()
    for raw in ("/", "/x", "y", "y/z", "#f"):
        for base in (first, second):
            assert urls.resolve(raw, base) == _ada_join(base, raw), (raw, base)


def test_plain_references_are_joined_without_the_parser() -> None:
    """The string joins do answer the plain references (or they would save nothing)."""
    base = "https://www.example.com/a/b/one.html"
    for raw, expected in [
        ("/p/12.html", "https://www.example.com/p/12.html"),
        ("/", "https://www.example.com/"),
        ("12.html#details", "https://www.example.com/a/b/12.html#details"),
        ("#top", "https://www.example.com/a/b/one.html#top"),
    ]:
        assert urls._joined(raw, base) == expected == _ada_join(base, raw)
    assert urls._plain_absolute("https://cdn.example.net") == "https://cdn.example.net/"
    for not_plain in ("../x.html", "./x", "a/%2e%2e/b", "?q", "mailto:a@b.c", "a b"):
        assert urls._joined(not_plain, base) is None
    assert urls._plain_absolute("https://0x7f.1/") is None
    assert urls._plain_absolute("https://xn--a.com/") is None


def test_absolute_urls_their_hosts_and_paths_are_what_the_url_parser_makes_of_them() -> None:
    """And whether the parser writes the URL as it is written (``_own_serialization``)."""
    wrong = []
    for host, tail, scheme in itertools.product(HOSTS, TAILS, ("https", "http", "HTTP", "ftp")):
        url = f"{scheme}://{host}{tail}"
        _cold()
        parsed = _ada(url)
        expected = (
            parsed.href if parsed else None,
            parsed.hostname.rstrip(".") if parsed else "",
            f"{parsed.pathname}{parsed.search}" if parsed and parsed.host else url,
            parsed is not None and parsed.href == url,
        )
        got = (
            urls.resolve(url, "https://base.example/x/"),
            urls.host_of(url),
            urls.path_of(url),
            urls._own_serialization(url),
        )
        if got != expected:
            wrong.append((url, got, expected))
    assert wrong == []


SCHEMES = ["http:", "https:", "HTTP:", "foo:", "blob:https:", "blob:http:", "file:",
           "data:text/html,", "javascript:", " http:", ""]  # fmt: skip
SLASHES = ["//", "///", "/", "", "//\\", "\\\\", "//\t", " //", "/\t/", "////", "//\n"]


def test_an_origin_is_what_the_url_parser_makes_of_the_whole_url() -> None:
    """``origin_of`` remembers answers by the URL up to the first "/" after its "//"; for
    every scheme, run of slashes, host and tail, that gives ada's origin of the whole URL."""
    wrong = []
    urls._ORIGINS.clear()  # each URL's prefix is new or shared with URLs before it
    for scheme, slashes, host, tail in itertools.product(SCHEMES, SLASHES, HOSTS, TAILS):
        url = f"{scheme}{slashes}{host}{tail}"
        parsed = _ada(url)
        expected = parsed.origin if parsed is not None else ""
        if urls.origin_of(url) != expected:
            wrong.append((url, urls.origin_of(url), expected))
    assert len(urls._ORIGINS) > 100
    assert wrong == []


QUERIES = ["", "?", "??", "???a", "?a=1", "?b=2&a=1", "?&", "?&&a", "?utm_source=x&a",
           "?UTM_SOURCE=1&z=2", "??a=1&b", "?a=1&?b", "?=&=", "?&?", "?a=?", "?'", "?é=1",
           "?a b", "?utm_source"]  # fmt: skip
FRAGMENTS = ["", "#", "#f", "#a?b", "#?", "#a#b"]


def test_a_frontier_key_is_what_the_url_parsers_setters_make_of_the_url() -> None:
    """``normalize`` cuts and sorts a plain URL as a string; for every host, path, query
    and fragment it gives what the parser's hash and search setters give (``_normalized``),
    with the default ignored parameters and with others."""
    wrong = []
    urls_of = (f"{scheme}://{host}{tail}" for scheme, host, tail in itertools.product(
        ("https", "HTTP", "ftp"), HOSTS, TAILS[::2]))  # fmt: skip
    for url in (f"{url}{query}{fragment}" for url in urls_of for query in QUERIES
                for fragment in FRAGMENTS[::2]):  # fmt: skip
        for ignored in (urls.DEFAULT_IGNORED_PARAMS, frozenset({"a"})):
            urls.normalize.cache_clear()
            if urls.normalize(url, ignored) != urls._normalized(url, ignored):
                wrong.append((url, ignored, urls.normalize(url, ignored)))
    assert wrong == []


def test_a_plain_urls_frontier_key_is_made_without_the_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    urls.normalize.cache_clear()
    monkeypatch.setattr(urls, "parse", lambda url: pytest.fail(f"parsed {url}"))
    for url, key in [
        ("https://www.example.com/p/1.html#top", "https://www.example.com/p/1.html"),
        ("https://www.example.com?b=2&utm_source=x&a=1", "https://www.example.com/?a=1&b=2"),
        ("https://www.example.com/s?utm_medium=y", "https://www.example.com/s"),
    ]:
        assert urls.normalize(url) == key
