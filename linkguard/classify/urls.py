"""Browser-exact URL resolution and normalisation: the one place URLs are parsed.

Resolution follows the WHATWG URL Standard through ada (the parser in Node.js), so hostile
input (backslashes, tabs and newlines, userinfo, full-width or percent-encoded hosts,
IDN, IPv4 in hex) lands exactly where a browser would send the visitor. ``urllib.parse``
differs from browsers on such input and is not used for resolution.
"""

from __future__ import annotations

import re
from functools import lru_cache

import ada_url

from linkguard._memo import Memo

WEB_SCHEMES = frozenset({"http", "https"})
# Query parameters that identify a visit, not a page: dropped when deduplicating the frontier.
DEFAULT_IGNORED_PARAMS = frozenset(
    {
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "gclid",
        "fbclid",
        "phpsessid",
        "jsessionid",
        "sid",
        "sessionid",
    }
)


def resolve(raw: str, base: str) -> str | None:
    """The absolute URL a browser makes of ``raw`` on a page at ``base``, or None if invalid."""
    part = _base_part(raw, base)
    key = (raw, part)
    href = _RESOLVED.get(key, _UNKNOWN)
    if href is _UNKNOWN:
        href = _joined(raw, base) if part else _plain_absolute(raw)
        if href is None:
            try:
                # join_url is 2.6x faster than URL(raw, base).href; with no part of the base
                # in the key (an absolute URL), the base must play no part, even an empty one.
                href = ada_url.join_url(base, raw) if part else ada_url.URL(raw).href
            except ValueError:
                href = None
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[key] = href
    return href


# Resolved URLs by (raw, the part of the base the answer depends on): a site's navigation,
# scripts and outbound links repeat on every page, each page with its own base URL.
_RESOLVED: dict[tuple[str, str], str | None] = {}
_RESOLVED_MAX = 16384
_UNKNOWN = ""  # never an answer: join_url gives an absolute URL or raises
_WITH_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_NOT_PATH_ABSOLUTE = frozenset({"/", "\\", "\t", "\n", "\r"})  # "/" alone is a path too
# A path-relative reference begins with one of these (no ``?``, ``#``, ``/``, ``\\``, space or
# control character, which a URL parser strips or reads otherwise).
_PATH_RELATIVE_FIRST = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-%!$&'()*+,;=@"
)


def _base_part(raw: str, base: str) -> str:
    """What of ``base`` the resolution of ``raw`` depends on.

    Nothing when ``raw`` starts with a scheme and ``//`` (``https://cdn.example.net/a.js``);
    only scheme and authority for a path-absolute ``/a/b`` or ``/`` (not ``//host``,
    ``/\\host`` or ``/<tab>/host``, which browsers read as a host), and the base up to its
    last ``/`` for a path-relative ``a/b`` or ``../b``, when the base shares them
    (``_parts_of``); the whole base otherwise.
    """
    first = raw[:1]
    if first == "/" and raw[1:2] not in _NOT_PATH_ABSOLUTE:  # no scheme: tested first
        return _BASE_PARTS[base][0] or base
    if _WITH_AUTHORITY.match(raw):
        return ""
    if first in _PATH_RELATIVE_FIRST:
        return _BASE_PARTS[base][1] or base
    return base


def _joined(raw: str, base: str) -> str | None:
    """``raw`` resolved by joining strings, when that is what the URL parser would give
    (None: ask it). Most references a page adds to the memo are plain (``/p/12.html``,
    ``12.html``, ``#top``): ASCII that no parser step encodes, strips or rewrites, with
    no dot segment and no scheme. Such a reference is what it keeps of a base written as
    the parser writes it (``_parts_of``), then itself: a regular expression instead of a
    parse through ada's Python wrapper."""
    match = _PLAIN.fullmatch(raw) if raw else None
    if match is None:
        return None
    authority, folder = _BASE_PARTS[base]
    if not authority or _dot_segment(match[1]):
        return None  # a base the parser rewrites, or a dot segment it removes
    first = raw[0]
    if first == "#":  # the base without its fragment, then this fragment
        return base.partition("#")[0] + raw
    if first == "/":
        return authority + raw
    if first == "." or first == "?" or ":" in match[1].partition("/")[0]:
        return None  # a name that starts with a dot, a query alone, a scheme: the parser's
    return folder + raw


def _plain_absolute(url: str) -> str | None:
    """An absolute http(s) URL as the URL parser writes it, when that is the URL itself
    (with a "/" for an empty path): a plain host (``_plain_host``) and port and a plain
    path, query and fragment (``_PLAIN``'s characters, no dot segment). None: ask the
    parser."""
    match = _plain_url(url)
    if match is None:
        return None
    if match["path"]:
        return url
    end = match.end("authority")
    return f"{url[:end]}/{url[end:]}"


def plain_parts(url: str) -> tuple[str, str, str, str] | None:
    """A plain http(s) URL's scheme, host, port (":8080", or "") and its path with the
    query ("/" for an empty path; the fragment is not sent): the URL as a request names
    it. None for any other URL (``_plain_url``)."""
    match = _plain_url(url)
    if match is None:
        return None
    target = (match["path"] or "/") + (match["query"] or "")
    return match["scheme"], match["host"], match["port"] or "", target


def _plain_url(url: str) -> re.Match[str] | None:
    """``url`` split into scheme, authority (host and port), path, query and fragment,
    when it is plain: an absolute http(s) URL the parser would write as it is, bar a "/"
    for an empty path."""
    match = _PLAIN_URL.fullmatch(url)
    if match is None or not _plain_authority(match["scheme"], match["host"], match["port"]):
        return None
    return None if _dot_segment(match["path"] or "") else match


@lru_cache(maxsize=4096)  # a crawl's URLs share a handful of hosts
def _plain_authority(scheme: str, host: str, port: str | None) -> bool:
    """Whether the parser writes ``host`` and ``port`` (":8080", or None) as they are: a
    plain host or a dotted-quad IPv4 address as the parser writes one, and a port without
    leading zeros, at most 65535, not the scheme's default (which the parser drops). Port
    0, which the parser keeps, is left to it too: not plain is only slower."""
    if not (_plain_host(host) or _ipv4_as_written(host)):
        return False
    if port is None:
        return True
    number = port[1:]
    default = "80" if scheme == "http" else "443"
    return number[0] != "0" and int(number) <= 65535 and number != default


def _ipv4_as_written(host: str) -> bool:
    """Whether ``host`` is an IPv4 address the parser writes as it is: four decimal numbers
    up to 255, without leading zeros or a trailing dot (``127.0.0.1``)."""
    return _IPV4.fullmatch(host) is not None


_BYTE = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_BYTE}(?:\.{_BYTE}){{3}}")


def _dot_segment(path: str) -> bool:
    """Whether a plain path may hold a dot segment (``/./``, ``/../``, ``/%2e/``), which the
    parser removes (or a name that merely starts with a dot: the parser decides)."""
    return "/." in path or ("%" in path and "%2e" in path.lower())


def _plain_host(host: str) -> bool:
    """Whether the parser keeps ``host`` (lower-case letters, digits, "-" and ".") as it
    is: not when a label is empty or punycode (``xn--``, which it checks), nor when the
    last label is a number (``1``, ``0x7f``: an IPv4 address, which it rewrites)."""
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()  # one trailing dot is kept as written
    last = labels[-1]
    return (
        "" not in labels
        and "xn--" not in host
        and not last.isdigit()
        and not (last.startswith("0x") and all(c in _HEX for c in last[2:]))
    )


def _own_serialization(url: str) -> bool:
    """Whether the URL parser writes ``url`` exactly as it is written: a plain URL with a
    path without asking it (each page's URL is a new base)."""
    if _plain_absolute(url) == url:
        return True
    parsed = parse(url)
    return parsed is not None and parsed.href == url


_HTTP = ("https://", "http://")
# A reference that no step of the parser rewrites when it is joined to an http(s) base: a
# path of unreserved and sub-delimiter characters, then a query and a fragment of those and
# "?" (and "#" in the fragment). No space, control, quote, "<", ">", "`", "^", "{", "}", "\\"
# or non-ASCII character, which the parser encodes, strips or reads otherwise.
_SAFE = r"A-Za-z0-9\-._~!$&()*+,;=:@/%"
_PLAIN = re.compile(rf"(?!//)([{_SAFE}]*)(\?[{_SAFE}?]*)?(#[{_SAFE}?#]*)?")
_AUTHORITY = r"(?P<scheme>https?)://(?P<authority>(?P<host>[a-z0-9\-.]+)(?P<port>:[0-9]{1,5})?)"
_PLAIN_URL = re.compile(
    rf"{_AUTHORITY}(?P<path>/[{_SAFE}]*)?(?P<query>\?[{_SAFE}?]*)?(?P<fragment>#[{_SAFE}?#]*)?"
)
_PLAIN_AUTHORITY = re.compile(rf"{_AUTHORITY}(?:[/?#]|\Z)")  # a URL's start, whatever follows
_HEX = frozenset("0123456789abcdef")
# An origin's part of a URL whose authority the parser reads as it is written: no space,
# control character, backslash or "/" (which it strips, or skips to find the host).
_PLAIN_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\x00-\x1f\x7f\\/]+")


def _parts_of(base: str) -> tuple[str, str]:
    """An http(s) base's scheme and authority, and the base up to its last ``/``: what
    path-absolute and path-relative references keep of it, the same for every page of a
    site or of one folder. Only a base written as the parser writes it has them ("" for
    any other: a file:, about: or blob: base, or one with a dot segment, a backslash or a
    space in its path, is joined whole, so its answers are its own)."""
    if not base.startswith(_HTTP) or not _own_serialization(base):
        return "", ""
    authority = base[: base.find("/", base.find("//") + 2)]  # a written http(s) URL has a path
    # ``about.html``, ``../a``: the base's last path segment, query and fragment play no
    # part. A serialised http(s) URL has no raw ``?`` or ``#`` before its query and fragment.
    cut = len(base)
    for mark in ("?", "#"):
        found = base.find(mark)
        if 0 <= found < cut:
            cut = found
    return authority, base[: base.rfind("/", 0, cut) + 1]


# The two parts of each base URL a page resolves against, worked out once per base.
_BASE_PARTS: Memo[str, tuple[str, str]] = Memo(_parts_of, 100_000)


def parse(url: str) -> ada_url.URL | None:
    """The parsed URL, or None if a browser would reject it."""
    try:
        return ada_url.URL(url)
    except ValueError:
        return None


def scheme_of(url: str) -> str:
    """``https`` for ``https://x/``: the scheme without its colon, lower case."""
    head, sep, _ = url.partition(":")
    return head.lower() if sep else ""


@lru_cache(maxsize=4096)
def host_of(url: str) -> str:
    """The URL's host (punycode, lower case, no trailing dot), or '' when it has none."""
    plain = _PLAIN_AUTHORITY.match(url)  # a new URL of a page: nearly always this
    if plain is not None and _plain_authority(plain["scheme"], plain["host"], plain["port"]):
        return plain["host"].rstrip(".")
    parsed = parse(url)
    if parsed is None:
        return ""
    hostname: str = parsed.hostname
    return hostname.rstrip(".")


def path_of(url: str) -> str:
    """Path and query of a URL without its origin: ``/a/b?x=1``; the URL itself if not parseable.

    Fingerprints use this, so a page has one identity whether it was crawled from the live
    site or read from a build folder mapped under the same origin.
    """
    plain = _plain_url(url)  # a page's or link's URL: nearly always plain
    if plain is not None:
        query = plain["query"] or ""
        return (plain["path"] or "/") + (query if len(query) > 1 else "")  # "?" alone: none
    parsed = parse(url)
    if parsed is None or not parsed.host:
        return url
    return f"{parsed.pathname}{parsed.search}"


def origin_of(url: str) -> str:
    """The URL's origin (``https://a.example:8443``; ``null`` for an opaque one), or ""
    when it is not a URL. A crawl asks it of every URL it meets, and a site's URLs share a
    few origins: the answer is remembered for the URL up to the first "/" after its "//",
    when that part is plain (a scheme, "//" and an authority with no space, control
    character or backslash, which the parser strips, or skips to find the host). It holds
    all the origin depends on: a path, query or fragment never changes the origin, nor
    makes a URL invalid."""
    start = url.find("//")
    end = url.find("/", start + 2) if start > 0 else -1
    if end > 0 and _PLAIN_PREFIX.fullmatch(url, 0, end):
        return _ORIGINS[url[:end]]
    return _origin(url)


def _origin(url: str) -> str:
    parsed = parse(url)
    if parsed is None:
        return ""
    origin: str = parsed.origin
    return origin


_ORIGINS: Memo[str, str] = Memo(_origin, 100_000)


@lru_cache(maxsize=16384)
def normalize(url: str, ignored_params: frozenset[str] = DEFAULT_IGNORED_PARAMS) -> str:
    """The crawl frontier's key: fragment dropped, query sorted, visit-only parameters dropped.

    Scheme and host case, default ports, dot segments and percent-encoding are already
    normalised by the WHATWG parser. Cached: every page offers the crawler the same
    navigation links again (21 links a page, about 2,000 distinct, on the 1,000-page bench
    site), and the cached answer is a dict lookup where parsing costs ~25 microseconds. A
    plain URL (``_plain_url``: the parser would write it as it is) is cut and sorted as a
    string, as the parser's setters would: a crawl meets most of its URLs only once.
    """
    plain = _plain_url(url)
    if plain is None:
        return _normalized(url, ignored_params)
    query = plain["query"] or ""
    if len(query) > 1:  # "?" alone is an empty query, which the parser keeps
        query = _search(_kept(query, ignored_params))
    return f"{url[: plain.end('authority')]}{plain['path'] or '/'}{query}"


def _normalized(url: str, ignored_params: frozenset[str]) -> str:
    """``normalize`` by the parser: its hash and search setters."""
    parsed = parse(url)
    if parsed is None:
        return url
    parsed.hash = ""
    query = parsed.search
    if query:
        parsed.search = _kept(query, ignored_params)
    href: str = parsed.href
    return href


def _kept(query: str, ignored_params: frozenset[str]) -> str:
    """A query ("?" and what follows) without its empty and ignored parameters, sorted."""
    pairs = [p for p in query[1:].split("&") if p]
    return "&".join(sorted(p for p in pairs if p.partition("=")[0].lower() not in ignored_params))


def _search(value: str) -> str:
    """The query the parser's search setter makes of ``value`` (plain characters): none for
    "", else "?" and ``value`` without one leading "?"."""
    if not value:
        return ""
    return "?" + (value[1:] if value[0] == "?" else value)


def with_origin(path: str, origin: str) -> str:
    """``path`` (a file's place in a build folder) as a URL under ``origin``."""
    return resolve(path, origin.rstrip("/") + "/") or origin


def to_ascii_host(host: str) -> str:
    """A configured host or domain in the form the parser produces (punycode, lower case)."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return host
    try:
        encoded = ada_url.idna_to_ascii(host)
    except (ValueError, UnicodeError):
        return host
    ascii_host = encoded.decode("ascii") if isinstance(encoded, bytes) else str(encoded)
    return ascii_host or host
