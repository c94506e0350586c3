"""The gate never passes on nothing: a run that scanned no page, or whose start page failed,
exits 4 and says why in every report; a run where too many pages failed is incomplete
(exit 3, ``[crawl] max_failed_share``); ``links`` and ``init`` fail the same way; ``-q`` is
quiet; a folder read with no site origin is said out loud. Real folders, real servers on
127.0.0.1, the real CLI."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.config import load_policy
from linkguard.reporters import Format
from linkguard.results.verdict import Coverage, FailOn, Verdict

runner = CliRunner()
PAGE = "<!DOCTYPE html><title>t</title>"
TRACKER = '<script src="https://tracker.example.net/t.js"></script>'


def _folder(root: Path, pages: dict[str, str]) -> Path:
    """A folder of built HTML: path -> body."""
    root.mkdir(parents=True, exist_ok=True)
    for path, body in pages.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(PAGE + body, encoding="utf-8")
    return root


def _policy(root: Path, toml: str = "") -> Path:
    """A policy file in ``root`` (a scanned folder finds it there)."""
    path = root / "linkguard.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def _scan(*args: str) -> tuple[int, str, str]:
    done = runner.invoke(app, ["scan", *args])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    return done.exit_code, done.stdout, done.stderr


def _results(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# -- a server whose answers each test chooses ----------------------------------------------
Routes = dict[str, tuple[int, str]]  # path -> (status, body or Location)


def _handler(routes: Routes) -> type[BaseHTTPRequestHandler]:
    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, text = routes.get(self.path, (404, "not found"))
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", text)
                text = ""
            body = text.encode("utf-8")
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Site


@pytest.fixture
def site() -> Iterator[Callable[[Routes], str]]:
    """Serve chosen answers on 127.0.0.1; returns the base URL (``http://127.0.0.1:N``)."""
    servers: list[ThreadingHTTPServer] = []

    def start(routes: Routes) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(routes))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _mostly_500() -> Routes:
    """A start page linking to four pages, three of which answer 500: 3 of 5 fail."""
    links = "".join(f'<a href="/p{n}">p{n}</a>' for n in range(1, 5))
    return {
        "/": (200, PAGE + links),
        "/p1": (200, PAGE + "<p>fine</p>"),
        "/p2": (500, "boom"),
        "/p3": (500, "boom"),
        "/p4": (500, "boom"),
    }


# -- nothing checked: exit 4 ---------------------------------------------------------------
def test_an_empty_folder_exits_4_and_says_why(tmp_path: Path) -> None:
    empty = tmp_path / "build"
    empty.mkdir()
    out = tmp_path / "r.json"
    code, _, err = _scan(str(empty), "--origin", "https://www.example.com", "-o", str(out))
    assert code == 4
    assert f"linkguard: error: nothing was checked: no page was found at {empty}" in err
    assert "tip: check that" in err
    verdict = _results(out)["verdict"]
    assert verdict == {
        "status": "FAIL",
        "exit_code": 4,
        "reason": f"nothing was checked: no page was found at {empty}",
    }


def test_a_refused_start_url_exits_4(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{port}/"
        code, _, err = _scan(url, "-o", str(tmp_path / "r.json"), "-q")
    assert code == 4
    assert f"nothing was checked: the start page {url} could not be scanned (connection" in err
    summary = _results(tmp_path / "r.json")["summary"]
    assert isinstance(summary, dict)
    assert summary["start_page_error"].startswith("connection failed")
    assert summary["failed_pages"] == 1


def test_a_start_page_answering_404_exits_4_even_when_other_pages_were_scanned(
    tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    """The sitemap brings in a page that works; the start page itself is a 404: the site
    as visitors reach it was not checked."""
    root = _folder(tmp_path / "site", {"ok.html": "<p>fine</p>"})
    base = serve(root)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}ok.html</loc></url></urlset>",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    code, _, err = _scan(base + "missing.html", "-o", str(out))
    assert code == 4, err
    assert f"the start page {base}missing.html could not be scanned (HTTP 404)" in err
    data = _results(out)
    assert data["summary"]["pages"] == 1  # type: ignore[index]
    assert data["verdict"]["exit_code"] == 4  # type: ignore[index]


def test_the_start_page_is_judged_after_its_redirects(
    tmp_path: Path, site: Callable[[Routes], str]
) -> None:
    base = site({"/old": (301, "/gone"), "/": (200, PAGE)})
    code, _, err = _scan(base + "/old", "-o", str(tmp_path / "r.json"), "-q")
    assert code == 4
    assert f"the start page {base}/old could not be scanned (HTTP 404)" in err


def test_every_report_says_why_nothing_was_checked(tmp_path: Path) -> None:
    empty = tmp_path / "build"
    empty.mkdir()
    out = tmp_path / "out"
    args = [str(empty), "--origin", "https://www.example.com"]
    for fmt in Format:
        args += ["--format", fmt.value, "--output", str(out / f"report.{fmt.value}")]
    code, _, err = _scan(*args)
    assert code == 4
    why = f"nothing was checked: no page was found at {empty}"
    assert f"verdict         FAIL ({why})" in err  # the console summary
    reports = {fmt: (out / f"report.{fmt.value}").read_text(encoding="utf-8") for fmt in Format}
    assert _results(out / "report.json")["verdict"]["reason"] == why  # type: ignore[index]
    assert why in reports[Format.HTML] and "NOTHING CHECKED." in reports[Format.HTML]
    assert reports[Format.MARKDOWN].startswith(f"## linkguard: FAIL\n\n**FAIL**: {why} on ")
    assert reports[Format.TEXT].splitlines()[-1] == f"linkguard: FAIL: 0 findings; {why}"
    error = ET.fromstring(reports[Format.JUNIT]).find("./testsuite/testcase/error")
    assert error is not None
    assert (error.get("type"), error.get("message")) == ("nothing-checked", why)
    invocation = json.loads(reports[Format.SARIF])["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == why


def test_nothing_checked_does_not_call_every_declaration_unused(tmp_path: Path) -> None:
    empty = tmp_path / "build"
    empty.mkdir()
    toml = '[site]\norigin = "https://www.example.com"\n'
    toml += '[[third_party]]\nname = "Tracker"\nhosts = ["tracker.example.net"]\n'
    _policy(empty, toml)
    out = tmp_path / "r.json"
    code, _, _ = _scan(str(empty), "-o", str(out), "-q")
    assert code == 4
    assert _results(out)["findings"] == []


# -- incomplete: too many pages failed -----------------------------------------------------
def test_a_site_where_most_pages_answer_500_is_incomplete(
    tmp_path: Path, site: Callable[[Routes], str]
) -> None:
    base = site(_mostly_500())
    out = tmp_path / "r.json"
    code, _, err = _scan(base + "/", "-o", str(out), "--config", str(_policy(tmp_path)))
    assert code == 3
    why = "3 of 5 pages could not be scanned, more than crawl.max_failed_share = 0.5 allows"
    assert f"verdict         INCOMPLETE ({why}; no new finding at or above error)" in err
    assert f"linkguard: error: incomplete: {why}" in err
    data = _results(out)
    assert data["verdict"]["status"] == "INCOMPLETE"  # type: ignore[index]
    assert data["summary"]["failed_pages"] == 3  # type: ignore[index]
    assert data["run"]["max_failed_share"] == 0.5  # type: ignore[index]


def test_max_failed_share_in_the_policy_moves_the_threshold(
    tmp_path: Path, site: Callable[[Routes], str]
) -> None:
    base = site(_mostly_500())
    policy = _policy(tmp_path, "[crawl]\nmax_failed_share = 0.75\n")
    out = tmp_path / "r.json"
    code, _, err = _scan(base + "/", "-o", str(out), "--config", str(policy))
    assert code == 0, err  # three crawl-error warnings, under --fail-on error
    assert _results(out)["verdict"]["status"] == "PASS"  # type: ignore[index]
    strict = _policy(tmp_path, "[crawl]\nmax_failed_share = 0\n")
    assert _scan(base + "/", "-o", str(out), "--config", str(strict), "-q")[0] == 3


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("1.5", "[crawl.max_failed_share] is out of range: 1.5"),
        ('"half"', '[crawl.max_failed_share] must be a finite number, not a string ("half")'),
    ],
)
def test_max_failed_share_is_validated(tmp_path: Path, value: str, says: str) -> None:
    policy = _policy(tmp_path, f"[crawl]\nmax_failed_share = {value}\n")
    code, _, err = _scan(str(tmp_path), "--config", str(policy))
    assert code == 2
    assert f"linkguard: error: {policy}: {says}" in err
    assert "tip: write a number from 0 to 1, unquoted, e.g. `max_failed_share = 0.5`" in err


# -- a healthy scan is unchanged, and -q is quiet -----------------------------------------
@pytest.mark.parametrize(("body", "code"), [("<p>hi</p>", 0), (TRACKER, 1)])
def test_a_healthy_crawl_still_exits_0_or_1(
    tmp_path: Path, serve: Callable[[Path], str], body: str, code: int
) -> None:
    root = _folder(tmp_path / "site", {"index.html": body + '<a href="/a.html">a</a>'})
    _folder(root, {"a.html": "<p>a</p>"})
    out = tmp_path / "r.json"
    assert _scan(serve(root), "-o", str(out), "-q")[0] == code
    data = _results(out)
    assert data["summary"]["pages"] == 2  # type: ignore[index]
    assert data["verdict"]["exit_code"] == code  # type: ignore[index]


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    root = _folder(tmp_path / "site", {"index.html": "<p>hi</p>"})
    code, out, err = _scan(str(root), "--origin", "https://www.example.com", "-q",
                           "-o", str(tmp_path / "r.json"))  # fmt: skip
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "r.json").is_file()


# -- a folder without a site origin --------------------------------------------------------
def test_a_folder_read_without_an_origin_is_warned_about(tmp_path: Path) -> None:
    root = _folder(tmp_path / "site", {"index.html": "<p>hi</p>"})
    out = str(tmp_path / "r.json")
    _, _, err = _scan(str(root), "-o", out)
    assert (
        f"linkguard: warning: no site origin is set, so {root} is read as http://localhost" in err
    )
    assert "pass --origin https://www.example.com" in err
    assert _scan(str(root), "-o", out, "-q")[2] == ""
    assert (
        "no site origin"
        not in _scan(str(root), "-o", out, "--origin", "https://www.example.com")[2]
    )
    _policy(root, '[site]\norigin = "https://www.example.com"\n')
    assert "no site origin" not in _scan(str(root), "-o", out)[2]


# -- links and init ------------------------------------------------------------------------
def test_links_refuses_a_target_that_is_not_there(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    done = runner.invoke(app, ["links", str(missing)])
    assert done.exit_code == 2
    assert f"linkguard: error: {missing}: neither an http(s) URL nor a folder" in done.stderr


def test_links_on_a_target_that_yields_nothing_exits_4(
    tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    empty = tmp_path / "build"
    empty.mkdir()
    done = runner.invoke(app, ["links", str(empty), "--origin", "https://www.example.com"])
    assert done.exit_code == 4
    assert done.stdout == ""
    assert f"nothing was checked: no page was found at {empty}" in done.stderr
    base = serve(_folder(tmp_path / "site", {"index.html": '<a href="/x">x</a>'}))
    done = runner.invoke(app, ["links", base + "missing.html"])
    assert done.exit_code == 4
    assert f"the start page {base}missing.html could not be scanned (HTTP 404)" in done.stderr
    done = runner.invoke(app, ["links", base])
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["href"] == "/x"


def test_init_on_a_refused_url_writes_nothing_and_exits_4(tmp_path: Path) -> None:
    output = tmp_path / "linkguard.toml"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/"
        done = runner.invoke(app, ["init", url, "--output", str(output)])
    assert done.exit_code == 4
    assert f"nothing was checked: the start page {url} could not be scanned" in done.stderr
    assert not output.exists()


def test_init_on_a_folder_marks_the_origin_todo_and_the_file_loads(tmp_path: Path) -> None:
    root = _folder(tmp_path / "site", {"index.html": TRACKER})
    output = tmp_path / "linkguard.toml"
    done = runner.invoke(app, ["init", str(root), "--output", str(output)])
    assert done.exit_code == 0, done.stderr
    assert "linkguard: warning: no site origin is set" in done.stderr
    lines = output.read_text(encoding="utf-8").splitlines()
    at = lines.index('origin = "http://localhost"')
    assert lines[at - 2].startswith("# TODO: the site's real origin")
    policy = load_policy(output)
    assert policy.site.origin == "http://localhost"
    assert [d.hosts for d in policy.third_parties] == [("example.net",)]
    given = tmp_path / "given.toml"
    done = runner.invoke(
        app, ["init", str(root), "--origin", "https://www.example.com", "--output", str(given)]
    )
    assert done.exit_code == 0 and "TODO: the site's real origin" not in given.read_text("utf-8")


# -- template mode -------------------------------------------------------------------------
def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(cwd),
            "PATH": "/usr/bin:/bin",
        },
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_no_template_changed_passes_and_says_so(tmp_path: Path) -> None:
    repo = _folder(tmp_path / "repo", {"partials/footer.html": TRACKER})
    _policy(repo, '[site]\norigin = "https://www.example.com"\n')
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "initial")
    out = tmp_path / "r.json"
    args = ["--templates", str(repo), "--config", str(repo / "linkguard.toml"), "-o", str(out)]
    code, _, err = _scan(*args, "--changed-since", "HEAD")
    assert code == 0, err
    why = "no template changed since HEAD: nothing to check"
    assert f"verdict         PASS ({why})" in err
    assert _results(out)["verdict"] == {"status": "PASS", "exit_code": 0, "reason": why}
    assert _results(out)["run"]["changed_since"] == "HEAD"  # type: ignore[index]


def test_templates_with_no_template_file_exit_4(tmp_path: Path) -> None:
    empty = tmp_path / "templates"
    empty.mkdir()
    code, _, err = _scan("--templates", str(empty), "--origin", "https://www.example.com", "-q")
    assert code == 4
    assert f"nothing was checked: no page was found at {empty}" in err
    assert f"tip: check --templates {empty}" in err


# -- the verdict itself --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("coverage", "unchecked", "shortfall"),
    [
        (Coverage(target="t", scanned=0, found=0, failed=0), "no page was found at t", ""),
        (Coverage(target="t", scanned=0, found=1, failed=1),
         "the only page found could not be scanned", ""),
        (Coverage(target="t", scanned=0, found=3, failed=3),
         "none of the 3 pages found could be scanned", ""),
        (Coverage(target="t", scanned=0, found=2, failed=0),
         "no HTML page could be scanned among the 2 pages found", ""),
        (Coverage(target="t", scanned=4, found=5, failed=1, start_error="HTTP 404"),
         "the start page t could not be scanned (HTTP 404)", ""),
        (Coverage(target="t", scanned=4, found=9, failed=5, max_failed_share=0.5),
         "", "5 of 9 pages could not be scanned"),
        (Coverage(target="t", scanned=0, found=0, failed=0, changed_since="HEAD"), "", ""),
        (Coverage(target="t", scanned=0, found=0, failed=0, cut_short=True),
         "", "the scan was cut short"),  # Ctrl-C before the first page: 3, as ever
    ],
)  # fmt: skip
def test_what_a_run_covered(coverage: Coverage, unchecked: str, shortfall: str) -> None:
    assert coverage.unchecked == unchecked
    assert coverage.shortfall.startswith(shortfall) and bool(coverage.shortfall) == bool(shortfall)


def test_nothing_checked_outranks_incomplete_and_findings() -> None:
    verdict = Verdict(3, FailOn.ERROR, False, unchecked="no page was found at t")
    assert (verdict.status, verdict.exit_code) == ("FAIL", 4)
    assert verdict.reason == "nothing was checked: no page was found at t"
