"""How a crawl reaches the web: straight to the site, or through the HTTP proxy the machine
is set up for; trusting certifi's certificates, or the operating system's store.

httpx reads ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` only for a client
that builds its own transport. The crawler brings its own (``netio.crawl_transport``), so
the routes are built here, with httpx's public API: the client's transport is the direct
path (the crawl's own pool and sockets, unchanged), and every URL pattern that goes through
a proxy is *mounted* on an ``httpx.AsyncHTTPTransport(proxy=...)``, httpx's own proxy
transport (plain HTTP as absolute-form requests, HTTPS through a ``CONNECT`` tunnel).

Which requests go through a proxy, as curl and httpx read the same variables:

- ``--proxy URL``: every request, except those ``NO_PROXY`` exempts;
- otherwise ``HTTP_PROXY`` for http URLs, ``HTTPS_PROXY`` for https, ``ALL_PROXY`` for
  either when its own is unset (lower-case names too; on macOS and Windows, the system's
  proxy settings, through the standard library's ``urllib.request.getproxies``);
- ``NO_PROXY``: comma-separated hosts (``example.com`` covers its subdomains,
  ``.example.com`` only its subdomains), IP addresses, or ``*`` for no proxy at all;
- loopback (``localhost``, ``127.0.0.1``, ``[::1]``) never: a proxy cannot reach this
  machine's own loopback, and a copy of the site served there must still be crawlable
  (Go's net/http makes the same exception).
"""

from __future__ import annotations

import ipaddress
import ssl
import urllib.request
from collections.abc import Mapping

import httpx

from linkguard.errors import ConfigError

PROXY_SCHEMES = ("http", "https")
_LOOPBACK = ("all://localhost", "all://127.0.0.1", "all://[::1]")
_VARIABLES = {"http": "HTTP_PROXY", "https": "HTTPS_PROXY", "all": "ALL_PROXY"}


def check_proxy(url: str, *, named: str = "--proxy") -> str:
    """``url`` when it names an HTTP proxy (``http://host:port``, userinfo allowed; a bare
    ``host:port`` is read as http), else a ConfigError that says what ``named`` should be."""
    given = url.strip()
    if given and "://" not in given:
        given = f"http://{given}"
    try:
        parsed = httpx.URL(given)
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in PROXY_SCHEMES or not parsed.host:
        raise ConfigError(
            f"{named} {url!r} is not an HTTP proxy URL",
            tip="write http://proxy.example.com:3128 (https:// for a proxy spoken to over TLS)",
        )
    return given


def proxy_routes(
    proxy: str | None, system: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """httpx mount patterns (``http://``, ``all://*example.com``) -> the proxy URL requests
    matching them go through, or None for straight to the site; empty: no proxy at all.

    ``proxy`` is ``--proxy``; ``system`` the machine's settings as ``getproxies()`` gives
    them (``{"https": url, "no": "a.com,b.com"}``; read from the environment when None).
    """
    found = urllib.request.getproxies() if system is None else dict(system)
    routes: dict[str, str | None] = {}
    if proxy is not None:
        routes["all://"] = check_proxy(proxy)
    else:
        for scheme, variable in _VARIABLES.items():
            if found.get(scheme):
                routes[f"{scheme}://"] = check_proxy(found[scheme], named=variable)
    if not routes:
        return {}
    exempt = [host.strip() for host in found.get("no", "").split(",") if host.strip()]
    if "*" in exempt:
        return {}
    for host in (*_LOOPBACK, *(_no_proxy_pattern(h) for h in exempt)):
        try:
            httpx.URL(host)  # an entry httpx cannot read (CIDR, say) cannot match: skipped
        except httpx.InvalidURL:
            continue
        routes[host] = None
    return routes


def _no_proxy_pattern(host: str) -> str:
    """A ``NO_PROXY`` entry as an httpx mount pattern, the way curl reads the entry."""
    if "://" in host:
        return host
    try:
        address = ipaddress.ip_address(host.split("/")[0])
    except ValueError:
        if host.lower() == "localhost":
            return "all://localhost"
        return f"all://*{host}"  # example.com and its subdomains; .example.com: subdomains
    return f"all://[{address}]" if address.version == 6 else f"all://{address}"


def tls_context(system_certs: bool) -> ssl.SSLContext | bool:
    """What TLS trusts: with ``system_certs``, the operating system's certificate store
    (through truststore: a corporate root certificate installed there is trusted, as the
    browser trusts it); else httpx's default (``SSL_CERT_FILE``/``SSL_CERT_DIR``, or
    certifi's bundle)."""
    if not system_certs:
        return True
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def proxy_mounts(
    proxy: str | None, *, limits: httpx.Limits, verify: ssl.SSLContext | bool
) -> dict[str, httpx.AsyncBaseTransport | None]:
    """A client's ``mounts``: each proxied pattern on httpx's own proxy transport (one per
    proxy), each exempt pattern on the client's own transport (None)."""
    transports: dict[str, httpx.AsyncBaseTransport] = {}
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    for pattern, url in proxy_routes(proxy).items():
        if url is None:
            mounts[pattern] = None
            continue
        if url not in transports:
            transports[url] = httpx.AsyncHTTPTransport(
                proxy=httpx.Proxy(url), verify=verify, limits=limits
            )
        mounts[pattern] = transports[url]
    return mounts
