"""Browser mode end to end: the real CLI crawls a site on 127.0.0.1, visits its pages in the
system Chromium, and reports what the visits loaded, set and sent (tests/browser_site.py).

The end-to-end tests need Chromium and Playwright, and skip with the reason when either is
missing (CI installs both); the tests of what happens without them need neither.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_site import (
    BrowserSite,
    browser_site,
    make_certificate,
    requests_so_far,
    wait_for_request,
)
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.errors import ConfigError


def _chromium() -> str | None:
    from linkguard.browser import find_chromium

    try:
        return find_chromium(None)
    except ConfigError:
        return None


def _playwright() -> bool:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return False
    return True


needs_browser = pytest.mark.skipif(
    _chromium() is None or not _playwright() or shutil.which("openssl") is None,
    reason="browser mode needs Chromium (apt-get install chromium), Playwright "
    "(pip install '.[browser]') and openssl for the test certificate",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserSite]:
    with browser_site(make_certificate(tmp_path_factory.mktemp("tls"))) as served:
        yield served


def _policy(folder: Path, site: BrowserSite, extra: str = "") -> Path:
    args = ", ".join(json.dumps(arg) for arg in site.args)
    policy = folder / "linkguard.toml"
    policy.write_text(
        f"""
[[third_party]]
name = "Tags"
hosts = ["tags.test"]
kinds = ["script"]

[[third_party]]
name = "Player"
hosts = ["frame.test"]
kinds = ["image"]          # not "frame": the markup's iframe stays undeclared
cookies = ["fid"]

[[cookie]]
name = "session_id"
purpose = "Login session"
max_age = 3600

[browser]
dwell = 1.0
concurrency = 1
args = [{args}]
{extra}
""",
        encoding="utf-8",
    )
    return policy


def _scan(
    cmd: list[str], folder: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = folder / "results.json"
    done = subprocess.run(
        [*cmd, "scan", *args, "--output", str(out)], capture_output=True, text=True, check=False
    )
    return done, json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}


@pytest.fixture(scope="module")
def visited(
    site: BrowserSite, tmp_path_factory: pytest.TempPathFactory, linkguard_cmd: list[str]
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """One browser-mode scan of the fixture site through the installed CLI."""
    folder = tmp_path_factory.mktemp("visited")
    policy = _policy(folder, site)
    return _scan(linkguard_cmd, folder, site.url, "--browser", "--config", str(policy))


def _findings(results: dict[str, Any], rule: str) -> dict[str, dict[str, Any]]:
    return {f["target"]: f for f in results["findings"] if f["rule"] == rule}


@pytest.mark.slow
@needs_browser
def test_an_injected_vendor_script_is_judged_with_its_initiator_chain(
    site: BrowserSite, visited: tuple[subprocess.CompletedProcess[str], dict[str, Any]]
) -> None:
    done, results = visited
    assert done.returncode == 1, done.stderr  # undeclared script and cookie: errors
    scripts = _findings(results, "undeclared-script")
    pixel = scripts["https://vendor.test/pixel.js"]
    assert pixel["evidence"] == "browser"
    assert pixel["chain"] == ["https://tags.test/gtm.js", site.url]
    assert "https://tags.test/gtm.js" not in scripts  # declared for kind script
    beacon = _findings(results, "undeclared-resource")["https://vendor.test/collect"]
    assert beacon["evidence"] == "browser" and beacon["kind"] == "request"
    assert beacon["element"].startswith("ping POST")  # navigator.sendBeacon
    assert beacon["chain"][:2] == ["https://vendor.test/pixel.js", "https://tags.test/gtm.js"]
    assert results["summary"]["browser_pages"] == 2


@pytest.mark.slow
@needs_browser
def test_a_workers_fetch_is_recorded(
    visited: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, results = visited
    fetch = _findings(results, "undeclared-resource")["https://api.test/data"]
    assert fetch["evidence"] == "browser" and fetch["element"].startswith("fetch GET")


@pytest.mark.slow
@needs_browser
def test_requests_in_a_cross_site_frame_and_a_worker_carry_their_initiator_chains(
    site: BrowserSite, visited: tuple[subprocess.CompletedProcess[str], dict[str, Any]]
) -> None:
    """The frame runs in its own process and the worker is a target of its own: the page's
    DevTools session alone sees neither's requests, and their chains would stop at the
    frame, or be empty."""
    _, results = visited
    resources = _findings(results, "undeclared-resource")
    embed = "https://frame.test/embed"
    assert resources["https://api.test/frame"]["chain"] == [
        "https://frame.test/player.js",
        embed,
        site.url,
    ]
    assert _findings(results, "undeclared-script")["https://frame.test/player.js"]["chain"] == [
        embed,
        site.url,
    ]
    assert resources["https://api.test/data"]["chain"] == [site.url + "worker.js", site.url]


@pytest.mark.slow
@needs_browser
def test_cookies_are_recorded_with_who_set_them_third_party_ones_included(
    site: BrowserSite, visited: tuple[subprocess.CompletedProcess[str], dict[str, Any]]
) -> None:
    """If third-party cookies silently stopped being recorded (Debian's Chromium blocks them
    unless the profile allows them), the frame's ``fid`` would be missing here."""
    _, results = visited
    cookies = {(c["domain"], c["name"]): c for c in results["cookies"]}
    fid = cookies[("frame.test", "fid")]
    assert fid["party"] == "third" and fid["secure"] and fid["same_site"] == "None"
    assert (fid["set_by"], fid["set_how"]) == ("https://frame.test/embed", "header")
    assert fid["declared_by"] == "Player" and fid["lifetime"] == 3600
    va = cookies[("127.0.0.1", "_va")]
    assert va["party"] == "first" and va["declared_by"] is None
    assert (va["set_by"], va["set_how"]) == ("https://vendor.test/pixel.js", "script")
    session = cookies[("127.0.0.1", "session_id")]
    assert session["http_only"] and session["set_how"] == "header"
    # only the home page sets them: a browser reused for the next page keeps none of them
    assert (va["pages"], session["pages"], fid["pages"]) == (1, 1, 1)
    assert session["declared_by"] == "session_id"

    undeclared = _findings(results, "undeclared-cookie")
    assert set(undeclared) == {"_va@127.0.0.1/"}
    assert undeclared["_va@127.0.0.1/"]["chain"][:2] == [
        "https://vendor.test/pixel.js",
        "https://tags.test/gtm.js",
    ]
    too_long = _findings(results, "cookie-lifetime")
    assert set(too_long) == {"session_id@127.0.0.1/"}
    assert too_long["session_id@127.0.0.1/"]["severity"] == "warning"


@pytest.mark.slow
@needs_browser
def test_storage_keys_are_recorded_per_frame_origin_without_values(
    site: BrowserSite, visited: tuple[subprocess.CompletedProcess[str], dict[str, Any]]
) -> None:
    _, results = visited
    common = {"origin": "https://frame.test", "area": "local", "party": "third",
              "page": site.url, "pages": 1, "phase": "before"}  # fmt: skip
    assert results["storage"] == [
        {**common, "key": "player_volume", "size": len("player_volume") + len("0.8")},
        {**common, "key": "seen", "size": len("seen") + len("x")},
    ]


@pytest.mark.slow
@needs_browser
def test_what_the_markup_already_shows_is_not_reported_twice(
    visited: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, results = visited
    frames = [f for f in results["findings"] if f["rule"] == "undeclared-frame"]
    assert [(f["target"], f["evidence"]) for f in frames] == [("https://frame.test/embed", "html")]
    seen = {t["host"]: t["seen"] for t in results["third_parties"]}
    assert seen == {
        "api.test": ["browser"],
        "frame.test": ["browser", "html"],
        "tags.test": ["browser", "html"],
        "vendor.test": ["browser"],
    }


@pytest.mark.slow
@needs_browser
def test_browser_enabled_in_the_policy_and_pages_limit_the_visits(
    site: BrowserSite, tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    policy = _policy(tmp_path, site, "enabled = true\npages = 1")
    done, results = _scan(linkguard_cmd, tmp_path, site.url, "--config", str(policy), "-q")
    assert done.returncode == 1, done.stderr
    assert results["summary"]["browser_pages"] == 1  # the home page: the shallowest
    assert {f["page"] for f in results["findings"] if f["evidence"] == "browser"} == {site.url}


def test_no_chromium_is_a_usage_error_naming_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKGUARD_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium, chromium-browser, google-chrome
    result = CliRunner().invoke(app, ["scan", "http://127.0.0.1:9/", "--browser"])
    assert result.exit_code == 2
    assert "apt-get install chromium" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("how", ["--chromium", "LINKGUARD_CHROMIUM"])
def test_a_chromium_that_is_not_there_is_a_usage_error(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / "no-such-chromium")
    args = ["scan", "http://127.0.0.1:9/", "--browser"]
    if how == "--chromium":
        args += ["--chromium", missing]
    else:
        monkeypatch.setenv("LINKGUARD_CHROMIUM", missing)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"{how}: {missing} is not an executable Chromium" in result.output
    assert "apt-get install chromium" in result.output


def test_no_playwright_is_a_usage_error_naming_the_install_command() -> None:
    """Playwright made unimportable in a real process, as on an install without the extra."""
    code = (
        "import sys; sys.modules['playwright'] = None; sys.argv = ['linkguard', 'scan', "
        "'http://127.0.0.1:9/', '--browser']; from linkguard.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "pip install '.[browser]'" in done.stderr
    assert "pip install linkguard" not in done.stderr
    assert "Traceback" not in done.stderr


def test_browser_mode_needs_a_url(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--browser", "-o", "-"])
    assert result.exit_code == 2
    assert "the target must be a URL" in result.output


def test_browser_enabled_in_the_policy_is_skipped_for_a_folder(tmp_path: Path) -> None:
    """The CI gate reads a build folder with the same policy as the weekly crawl."""
    (tmp_path / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    (tmp_path / "linkguard.toml").write_text("[browser]\nenabled = true\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "[browser] skipped: the target is not a URL" in result.output
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["browser_pages"] == 0


@pytest.mark.slow
@needs_browser
def test_browser_results_match_the_published_schema(
    visited: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    from test_results_schema import check_results

    _, results = visited
    assert results["cookies"] and results["storage"]
    check_results(results)


@pytest.mark.slow
@needs_browser
def test_ctrl_c_while_visiting_keeps_what_was_seen(
    site: BrowserSite, tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    """Ctrl-C reaches the whole process group (linkguard, Playwright's driver, Chromium), as
    in a terminal: the visit under way stops dwelling, and what it saw is written, marked
    incomplete, with exit code 3."""
    policy = _policy(tmp_path, site, "dwell = 120.0")
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("dwell = 1.0\n", ""), encoding="utf-8"
    )
    out = tmp_path / "results.json"
    # where the browser profiles go, to see none is left: a short path, as Chromium's own
    # socket under TMPDIR must fit a Unix socket name (tmp_path is too deep for that)
    profiles = Path(tempfile.mkdtemp(prefix="lg-"))
    mark = requests_so_far()
    proc = subprocess.Popen(
        [*linkguard_cmd, "scan", site.url, "--browser", "-c", str(policy), "-o", str(out), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "TMPDIR": str(profiles)},
    )  # fmt: skip
    try:
        # the beacon fired: this scan's visit of the home page is dwelling
        assert wait_for_request("vendor.test", "/collect", timeout=60, since=mark)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 3, stderr
    assert "Traceback" not in stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["run"]["complete"] is False
    assert "https://vendor.test/pixel.js" in _findings(data, "undeclared-script")
    left = [p.name for p in profiles.iterdir() if p.name.startswith("linkguard-profile")]
    shutil.rmtree(profiles, ignore_errors=True)
    assert left == []


@pytest.mark.slow
@needs_browser
def test_the_html_report_of_a_browser_scan_shows_cookies_and_storage(
    visited: tuple[subprocess.CompletedProcess[str], dict[str, Any]], tmp_path: Path
) -> None:
    _, results = visited
    saved, report = tmp_path / "results.json", tmp_path / "report.html"
    saved.write_text(json.dumps(results), encoding="utf-8")
    done = CliRunner().invoke(app, ["report", str(saved), "-f", "html", "-o", str(report)])
    assert done.exit_code == 0, done.output
    text = report.read_text(encoding="utf-8")
    assert "What a visitor&#39;s browser kept" in text or "What a visitor's browser kept" in text
    assert "Set-Cookie from https://frame.test/embed" in text
    assert "player_volume" in text


@pytest.mark.slow
@needs_browser
def test_the_demo_shows_a_tag_manager_bringing_an_undeclared_pixel(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    done = subprocess.run(
        [*linkguard_cmd, "demo", "--browser", "--out", "demo"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "serving tagged-shop" in done.stderr
    results = json.loads((tmp_path / "demo" / "results.json").read_text(encoding="utf-8"))
    pixel = _findings(results, "undeclared-script")["http://vendor.demo.test/pixel.js"]
    assert pixel["evidence"] == "browser"
    assert pixel["chain"][0] == "http://tags.demo.test/gtm.js?id=DEMO-1"
    assert "_demo_uid@127.0.0.1/" in _findings(results, "undeclared-cookie")
    assert "chat_conversation@127.0.0.1/" in _findings(results, "cookie-lifetime")
    assert results["summary"]["browser_pages"] == 3
    assert (tmp_path / "demo" / "report.html").stat().st_size > 0


def test_the_demo_server_plays_third_parties_only_from_their_folders(tmp_path: Path) -> None:
    """A played host answers from its folder and cannot read outside it."""
    import http.client

    from linkguard.bundled.serve import serve_folder

    (tmp_path / "index.html").write_text("<p>site</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("site only", encoding="utf-8")
    (tmp_path / "_hosts" / "cdn.demo.test").mkdir(parents=True)
    (tmp_path / "_hosts" / "cdn.demo.test" / "lib.js").write_text("1;", encoding="utf-8")

    def get(base: str, path: str, host: str, method: str = "GET") -> tuple[int, bytes]:
        port = int(base.rstrip("/").rpartition(":")[2])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host)
        conn.putheader("Content-Length", "0")
        conn.endheaders()
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        return answer.status, body

    with serve_folder(tmp_path, hosts=tmp_path / "_hosts") as base:
        assert get(base, "/lib.js?v=2", "cdn.demo.test") == (200, b"1;")
        assert get(base, "/../../secret.txt", "cdn.demo.test")[0] == 404
        assert get(base, "/lib.js", "other.demo.test")[0] == 404  # not played: the site
        assert get(base, "/index.html", "127.0.0.1")[1] == b"<p>site</p>"
        assert get(base, "/collect", "cdn.demo.test", "POST")[0] == 204  # a beacon


@pytest.mark.slow
@needs_browser
def test_consent_phases_catch_tracking_before_consent_and_tag_what_accept_brings(
    site: BrowserSite, tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    """The banner page is visited three times: without a click, after reject, after accept.
    The ad pixel fires on load, before any click: tracking-before-consent; the reject and
    accept visits tell only what followed their click, and the statistics cookie comes only
    after accept: no finding."""
    args = ", ".join(json.dumps(arg) for arg in site.args)
    policy = tmp_path / "linkguard.toml"
    policy.write_text(
        f"""
[[third_party]]
name = "Ads"
hosts = ["ads.test"]
consent = "required"

[[third_party]]
name = "Stats"
hosts = ["stats.test"]
cookies = ["_st"]
consent = "required"

[browser]
dwell = 1.0
concurrency = 1
args = [{args}]

[browser.consent]
accept = "#accept"
reject = "#reject"
""",
        encoding="utf-8",
    )
    done, results = _scan(
        linkguard_cmd, tmp_path, site.url + "banner.html", "--browser", "-c", str(policy)
    )
    assert done.returncode == 1, done.stderr
    early = _findings(results, "tracking-before-consent")
    assert set(early) == {"ads.test"}
    assert early["ads.test"]["evidence"] == "browser"
    assert "before consent" in early["ads.test"]["message"]
    assert early["ads.test"]["element"] == "1 request, first https://ads.test/early.gif"
    cookies = {(c["name"], c["phase"]) for c in results["cookies"]}
    assert cookies == {("_st", "accept")}
    assert not [f for f in results["findings"] if f["rule"].startswith("undeclared")]
    assert results["summary"]["browser_pages"] == 1  # one page, three visits


@pytest.mark.slow
@needs_browser
def test_init_with_a_browser_drafts_the_cookies_each_vendor_sets(
    site: BrowserSite, tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    """The draft, with its Chromium switches in a wrapper (as on a machine that needs them),
    declares what the visits saw: scanned with it, no cookie is undeclared."""
    wrapper = tmp_path / "chromium"
    real = _chromium()
    assert real is not None
    wrapper.write_text(
        f'#!/bin/sh\nexec {real} {" ".join(repr(a) for a in site.args)} "$@"\n', encoding="utf-8"
    )
    wrapper.chmod(0o755)
    draft = tmp_path / "linkguard.toml"
    done = subprocess.run(
        [*linkguard_cmd, "init", site.url, "--browser", "--chromium", str(wrapper),
         "--output", str(draft)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = draft.read_text(encoding="utf-8")
    from linkguard.config import load_policy

    policy = load_policy(draft)
    cookies = {d.hosts[0]: d.cookies for d in policy.third_parties}
    assert cookies["frame.test"] == ("fid",)  # a third-party cookie, in its frame
    assert cookies["vendor.test"] == ("_va",)  # set on the site's domain by the vendor's script
    assert [(c.name, c.max_age) for c in policy.cookies] == [("session_id", 86400)]
    assert 'consent = "required"  # TODO' in text

    out = tmp_path / "results.json"
    scanned = subprocess.run(
        [*linkguard_cmd, "scan", site.url, "--browser", "--chromium", str(wrapper),
         "-c", str(draft), "-o", str(out), "-q"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    results = json.loads(out.read_text(encoding="utf-8"))
    assert not _findings(results, "undeclared-cookie"), scanned.stderr
    assert {c["declared_by"] is not None for c in results["cookies"]} == {True}


@pytest.mark.slow
@needs_browser
def test_each_pages_visits_are_handed_over_as_soon_as_they_end(site: BrowserSite) -> None:
    """Memory holds what the visits under way saw, never the whole site's: with one browser
    at a time, a page's visits are folded before the next page is even requested."""
    import asyncio

    from linkguard.browser.run import visit_pages
    from linkguard.classify.scope import Scope
    from linkguard.policy import BrowserConfig

    about = site.url + "about.html"
    handed: list[tuple[list[str], bool]] = []

    def on_page(visits: list[Any]) -> None:
        handed.append(
            ([v.url for v in visits], wait_for_request("127.0.0.1", "/about.html", 0, since=mark))
        )

    config = BrowserConfig(dwell=0.5, concurrency=1, args=tuple(site.args))
    mark = requests_so_far()
    asyncio.run(
        visit_pages([site.url, about], on_page, chromium=_chromium() or "", config=config,
                    scope=Scope.build(site.url))
    )  # fmt: skip
    assert handed == [([site.url], False), ([about], True)]


@pytest.mark.slow
@needs_browser
def test_a_browser_reused_for_the_next_visit_keeps_nothing_of_the_last(site: BrowserSite) -> None:
    """Two visits of the home page in one browser: the second is a first-time visitor too.
    The server makes a session only for a visitor without one, and the frame's ``seen`` key
    grows by a character a visit, so anything kept from the first visit would show."""
    import asyncio

    from linkguard.browser.run import visit_pages
    from linkguard.classify.scope import Scope
    from linkguard.policy import BrowserConfig

    seen: list[Any] = []
    config = BrowserConfig(dwell=0.5, concurrency=1, args=tuple(site.args))
    asyncio.run(
        visit_pages([site.url, site.url + "?again"], seen.extend, chromium=_chromium() or "",
                    config=config, scope=Scope.build(site.url))
    )  # fmt: skip
    assert len(seen) == 2
    for visit in seen:
        cookies = {c.name: c for c in visit.cookies}
        assert cookies["session_id"].set_how == "header", visit.url
        assert cookies["fid"].set_how == "header", visit.url
        assert {s.key: s.size for s in visit.storage}["seen"] == len("seen") + 1, visit.url


def test_init_leaves_a_cookie_name_it_cannot_write_as_a_comment() -> None:
    """A browser keeps cookie names a policy pattern cannot hold (a space): the draft still
    loads, and says which it left out and why."""
    import tomllib
    from dataclasses import replace

    from report_samples import passing_site

    from linkguard.config import policy_from_mapping
    from linkguard.draft import render_starter
    from linkguard.draft.survey import NoticeSurvey
    from linkguard.model import Cookie

    result = passing_site()
    own = {"path": "/", "party": "first", "session": True, "lifetime": None, "secure": False,
           "http_only": False, "same_site": "Lax", "domain": "www.shop.example"}  # fmt: skip
    cookies = (Cookie(name="odd name", **own), Cookie(name="sid", **own))  # type: ignore[arg-type]
    text = render_starter(replace(result, cookies=cookies), NoticeSurvey())
    policy = policy_from_mapping(tomllib.loads(text), source="draft")
    assert [c.name for c in policy.cookies] == ["sid"]
    assert "# cookie 'odd name' was seen, not written:" in text


@pytest.mark.slow
@needs_browser
def test_a_deep_temporary_directory_does_not_stop_chromium(
    site: BrowserSite, tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    """Chromium keeps a socket under TMPDIR, whose name must fit 107 bytes: a CI job's deep
    TMPDIR once kept it from starting at all, and every visit failed."""
    deep = tmp_path / ("d" * 40) / ("e" * 40)
    deep.mkdir(parents=True)
    policy = _policy(tmp_path, site)
    out = tmp_path / "results.json"
    done = subprocess.run(
        [*linkguard_cmd, "scan", site.url, "--browser", "-c", str(policy), "-o", str(out), "-q"],
        capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "TMPDIR": str(deep)},
    )  # fmt: skip
    results = json.loads(out.read_text(encoding="utf-8"))
    assert not _findings(results, "crawl-error"), done.stderr
    assert "https://vendor.test/pixel.js" in _findings(results, "undeclared-script")
