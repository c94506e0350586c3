"""--check-external: each outbound link is requested once; broken ones are findings where linked."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest
import respx
from hostile import HostileServer, hostile_server, page, send
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.config import Policy, SiteConfig
from linkguard.scan import ScanRequest, make_scope, run_scan

PAGE = """<html><body>
<a class="ext" href="https://ok.example/">fine</a>
<a class="ext" href="https://gone.example/page">gone</a>
<a class="ext" href="https://down.example/">down</a>
<a class="ext" href="https://nohead.example/">refuses HEAD</a>
</body></html>
"""
runner = CliRunner()


def _scan(root: Path, router: respx.MockRouter, check: bool) -> object:
    policy = Policy(site=SiteConfig(origin="https://www.example.com"))
    request = ScanRequest(
        str(root),
        policy,
        make_scope(str(root), policy),
        policy.crawl,
        transport=httpx.MockTransport(router.async_handler),
        check_external=check,
    )
    return run_scan(request)


def test_broken_outbound_links_are_found_where_they_are_linked(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "about.html").write_text(PAGE, encoding="utf-8")
    router = respx.MockRouter(assert_all_mocked=True)
    router.head("https://ok.example/").mock(return_value=httpx.Response(200))
    router.head("https://gone.example/page").mock(return_value=httpx.Response(404))
    router.head("https://down.example/").mock(side_effect=httpx.ConnectError("refused"))
    router.head("https://nohead.example/").mock(return_value=httpx.Response(405))
    router.get("https://nohead.example/").mock(return_value=httpx.Response(200))
    result = _scan(tmp_path, router, check=True)
    broken = sorted(
        (f.page.rsplit("/", 1)[-1], f.line, f.target, f.message)
        for f in result.findings
        if f.rule == "broken-outbound-link"
    )
    assert broken == [
        ("", 3, "https://gone.example/page", "Outbound link is broken: HTTP 404"),
        ("", 4, "https://down.example/", "Outbound link is broken: connection failed: refused"),
        ("about.html", 3, "https://gone.example/page", "Outbound link is broken: HTTP 404"),
        (
            "about.html",
            4,
            "https://down.example/",
            "Outbound link is broken: connection failed: refused",
        ),
    ]
    heads = [str(c.request.url) for c in router.calls if c.request.method == "HEAD"]
    assert sorted(heads) == sorted(set(heads))  # each URL once, however often it is linked


def test_external_links_are_not_requested_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    router = respx.MockRouter(assert_all_mocked=True, assert_all_called=False)
    result = _scan(tmp_path, router, check=False)
    assert not router.calls
    assert not any(f.rule == "broken-outbound-link" for f in result.findings)


# -- addresses that are not on the public internet: a page cannot aim the checker inward ------
def _private_links(server: HostileServer) -> str:
    port = server.server_address[1]
    return (
        f'<a class="ext" href="http://127.0.0.1:{port}/by-address">by address</a>'
        f'<a class="ext" href="http://localhost:{port}/by-name">by a name for it</a>'
    )


def _check(root: Path, tmp_path: Path, *options: str) -> dict[str, object]:
    (root / "linkguard.toml").write_text('[site]\norigin = "https://www.example.com"\n')
    out = tmp_path / "results.json"
    args = ["scan", str(root), "--check-external", "-o", str(out), "-q", *options]
    result = runner.invoke(app, [*args, "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _broken(data: dict[str, object]) -> dict[str, str]:
    findings = data["findings"]
    return {
        f["target"].rsplit("/", 1)[-1]: f["message"]  # type: ignore[index]
        for f in findings  # type: ignore[attr-defined]
        if f["rule"] == "broken-outbound-link"
    }


def test_links_to_loopback_addresses_are_not_requested_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    root = tmp_path / "build"
    root.mkdir()
    with hostile_server({"/by-address": page("ok"), "/by-name": page("ok")}) as server:
        (root / "index.html").write_text(_private_links(server), encoding="utf-8")
        refused = _check(root, tmp_path)
        assert server.paths() == []  # neither 127.0.0.1 nor a name for it was requested
        allowed = _check(root, tmp_path, "--allow-private-addresses")
        assert sorted(server.paths()) == ["/by-address", "/by-name"]
    assert _broken(refused) == {
        "by-address": "Outbound link is broken: it leads to 127.0.0.1, a loopback address, "
        "which no visitor's browser reaches on this site's behalf; not requested "
        "(--allow-private-addresses requests it)",
        "by-name": "Outbound link is broken: it leads to 127.0.0.1, a loopback address, "
        "which no visitor's browser reaches on this site's behalf; not requested "
        "(--allow-private-addresses requests it)",
    }
    assert _broken(allowed) == {}


def test_a_redirect_to_a_loopback_address_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbound link is to a public name, reached through a proxy on 127.0.0.1 (no name
    is looked up here), which answers with a redirect to this machine: not followed."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)

    def unknown(host: object, *args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, f"{host}: not looked up in tests")

    root = tmp_path / "build"
    root.mkdir()
    (root / "index.html").write_text('<a class="ext" href="http://outbound.example/">x</a>')
    with hostile_server({"/inside": page("a service on this machine")}) as inside:
        inward = (("Location", f"{inside.url}/inside"),)
        routes = {"http://outbound.example/": lambda h: send(h, 302, b"", headers=inward)}
        with hostile_server(routes) as proxy:  # type: ignore[arg-type]
            with monkeypatch.context() as patched:
                patched.setattr(socket, "getaddrinfo", unknown)
                data = _check(root, tmp_path, "--proxy", proxy.url)
            assert proxy.paths() == ["http://outbound.example/"]
        assert inside.paths() == []
    assert "it leads to 127.0.0.1, a loopback address" in _broken(data)[""]
