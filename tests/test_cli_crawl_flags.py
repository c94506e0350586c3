"""The crawl's common knobs on the command line: --include, --exclude, --user-agent,
--timeout, --retries, --max-pages. Each overrides the policy file, which overrides the
default (option > file > default), proved on a real server on 127.0.0.1 that logs every
request it gets."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileServer, hostile_server, page, send, trickle
from typer.testing import CliRunner

from linkguard._version import __version__
from linkguard.cli import app

LINKS = "".join(f'<a href="/{p}">{p}</a>' for p in ("a.html", "b.html", "private/c.html"))


def _busy(handler: object) -> None:
    send(handler, 503, b"busy", content_type="text/plain", headers=(("Retry-After", "0"),))  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[HostileServer]:
    routes = {
        "/": page(f"<title>home</title>{LINKS}"),
        "/a.html": page('<a href="/busy.html">busy</a><a href="/slow.html">slow</a>'),
        "/b.html": page("<p>b</p>"),
        "/private/c.html": page("<p>c</p>"),
        "/busy.html": _busy,
        "/slow.html": trickle("text/html"),
    }
    with hostile_server(routes) as running:
        yield running


class Run:
    """One scan: the results' pages (last path segment -> error) and the requests made."""

    def __init__(self, data: dict[str, object], log: list[tuple[str, str, dict[str, str]]]):
        pages = data["pages"]
        assert isinstance(pages, list)
        self.pages = {p["url"].rpartition("/")[2] or "/": p.get("error") for p in pages}
        self.log = log

    def requests(self, path: str) -> list[dict[str, str]]:
        return [headers for _, requested, headers in self.log if requested == path]


def _scan(server: HostileServer, tmp_path: Path, policy: str | None, *options: str) -> Run:
    """Scan the server with ``policy`` as linkguard.toml (None: no file) and ``options``."""
    out = tmp_path / "results.json"
    config = tmp_path / "linkguard.toml"
    config.write_text(policy or "", encoding="utf-8")
    args = ["scan", server.url + "/", "-c", str(config), "-o", str(out), "-q", *options]
    with server.lock:
        server.log.clear()
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1, 3), result.output
    with server.lock:
        log = list(server.log)
    return Run(json.loads(out.read_text(encoding="utf-8")), log)


FILE = """\
[crawl]
exclude = ["/private/"]
user_agent = "file-agent/1"
timeout = 0.7
retries = 1
max_pages = 10
"""


@pytest.mark.slow
def test_each_option_overrides_the_file_and_the_file_the_default(
    server: HostileServer, tmp_path: Path
) -> None:
    # the default: every page, linkguard's own User-Agent, 3 retries (4 requests)
    default = _scan(server, tmp_path, None, "--timeout", "0.5")
    assert {"a.html", "b.html", "c.html"} <= default.pages.keys()
    assert default.requests("/")[0]["user-agent"].startswith(f"linkguard/{__version__} ")
    assert len(default.requests("/busy.html")) == 4

    # the file: /private/ excluded, its User-Agent, 1 retry, its timeout
    filed = _scan(server, tmp_path, FILE)
    assert "c.html" not in filed.pages and "b.html" in filed.pages
    assert filed.pages["slow.html"] == "timed out after 0.7 s"
    assert {h["user-agent"] for h in filed.requests("/")} == {"file-agent/1"}
    assert len(filed.requests("/busy.html")) == 2

    # the options win over the file; a list replaces the file's list
    flagged = _scan(
        server, tmp_path, FILE, "--exclude", "/b\\.html$", "--user-agent", "flag-agent/2",
        "--timeout", "0.5", "--retries", "2",
    )  # fmt: skip
    assert "c.html" in flagged.pages and "b.html" not in flagged.pages
    assert flagged.pages["slow.html"] == "timed out after 0.5 s"
    assert {h["user-agent"] for h in flagged.requests("/")} == {"flag-agent/2"}
    assert len(flagged.requests("/busy.html")) == 3


def test_include_and_max_pages_override_too(server: HostileServer, tmp_path: Path) -> None:
    policy = '[crawl]\ninclude = ["/$"]\nmax_pages = 1\n'
    assert set(_scan(server, tmp_path, policy).pages) == {"/"}
    wider = _scan(
        server, tmp_path, policy, "--include", "/$", "--include", "html$", "--max-pages", "3"
    )
    assert len(wider.pages) == 3


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--timeout", "0"], "--timeout must be a number of seconds above 0, not 0"),
        (["--retries", "11"], "--retries must be from 0 to 10, not 11"),
        (["--retries", "-1"], "--retries must be at least 0, not -1"),
        (["--exclude", "("], "--exclude '(' is not a valid regular expression"),
        (["--user-agent", " "], "--user-agent must be one line of printable text"),
    ],
)
def test_a_bad_option_is_a_usage_error(
    tmp_path: Path, linkguard_cmd: list[str], option: list[str], message: str
) -> None:
    run = subprocess.run(
        [*linkguard_cmd, "scan", "http://127.0.0.1:9/", *option, "-o", str(tmp_path / "r")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert f"linkguard: error: {message}" in run.stderr
