"""--check-external with a history store: an answer a recent run got is reused, so a weekly
run does not request every outbound link again; a 429, a server error or a network failure
is never kept, and an answer older than ``[history] external_ttl_days`` is asked again.
Requests are counted by a real server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections import Counter
from pathlib import Path

import pytest
from hostile import HostileServer, hostile_server, page, send
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.history import ExternalCache
from linkguard.sources.external import cacheable

runner = CliRunner()
ROUTES = {
    "/ok": page("fine"),
    "/gone": lambda h: send(h, 404, b"not here"),
    "/busy": lambda h: send(h, 429, b"slow down", headers=(("Retry-After", "1"),)),
    "/broken": lambda h: send(h, 500, b"oops"),
    "/head-refused": lambda h: send(h, 405 if h.command == "HEAD" else 200, b"x"),
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _site(root: Path, server: HostileServer, policy: str = "") -> int:
    closed = _closed_port()
    links = [f"{server.url}{path}" for path in ROUTES] + [f"http://127.0.0.1:{closed}/refused"]
    root.mkdir(exist_ok=True)
    body = "".join(f'<a class="ext" href="{url}">x</a>\n' for url in links)
    (root / "index.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    (root / "linkguard.toml").write_text(
        f'[site]\norigin = "https://www.example.com"\n{policy}', encoding="utf-8"
    )
    return closed


def _scan(root: Path, out: Path, *options: str) -> dict[str, str]:
    args = ["scan", str(root), "--check-external", "--allow-private-addresses", "-q"]
    result = runner.invoke(app, [*args, "-o", str(out), "--fail-on", "never", *options])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    return {
        f["target"].rsplit("/", 1)[-1]: f["message"]
        for f in data["findings"]
        if f["rule"] == "broken-outbound-link"
    }


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def test_a_second_run_requests_only_what_was_not_kept(tmp_path: Path) -> None:
    root, store = tmp_path / "site", tmp_path / "h.sqlite"
    with hostile_server(ROUTES) as server:
        closed = _site(root, server)
        first = _scan(root, tmp_path / "1.json", "--history", str(store))
        once = Counter(server.paths())
        second = _scan(root, tmp_path / "2.json", "--history", str(store))
        twice = Counter(server.paths())
    assert once == {"/ok": 1, "/gone": 1, "/busy": 1, "/broken": 1, "/head-refused": 2}
    # the second run asked again only about the 429 and the 500 (and the refused port)
    assert twice - once == {"/busy": 1, "/broken": 1}
    assert (
        first
        == second
        == {
            "gone": "Outbound link is broken: HTTP 404",
            "busy": "Outbound link is broken: HTTP 429",
            "broken": "Outbound link is broken: HTTP 500",
            "refused": second["refused"],
        }
    )
    assert second["refused"].startswith("Outbound link is broken: connection failed")
    kept = ExternalCache(store).known([f"{server.url}{p}" for p in ROUTES])
    assert sorted(url.rsplit("/", 1)[-1] for url in kept) == ["gone", "head-refused", "ok"]
    assert ExternalCache(store).known([f"http://127.0.0.1:{closed}/refused"]) == {}


def test_without_history_every_run_asks_again(tmp_path: Path) -> None:
    root = tmp_path / "site"
    with hostile_server(ROUTES) as server:
        _site(root, server)
        _scan(root, tmp_path / "1.json")
        _scan(root, tmp_path / "2.json")
        assert Counter(server.paths())["/ok"] == 2


def test_a_time_to_live_of_zero_keeps_nothing(tmp_path: Path) -> None:
    root = tmp_path / "site"
    with hostile_server(ROUTES) as server:
        _site(root, server, "[history]\nenabled = true\nexternal_ttl_days = 0\n")
        _scan(root, tmp_path / "1.json")
        _scan(root, tmp_path / "2.json")
        assert Counter(server.paths())["/ok"] == 2
    assert (root / ".linkguard" / "history.sqlite").is_file()  # the runs are recorded


def test_an_answer_older_than_the_time_to_live_is_asked_again(tmp_path: Path) -> None:
    now = [1_000_000.0]
    cache = ExternalCache(tmp_path / "h.sqlite", ttl_days=7, clock=lambda: now[0])
    cache.remember({"https://a.example/": None, "https://b.example/": "HTTP 404"})
    now[0] += 7 * 86400 - 1
    assert cache.known(["https://a.example/", "https://b.example/", "https://c.example/"]) == {
        "https://a.example/": None,
        "https://b.example/": "HTTP 404",
    }
    now[0] += 2
    assert cache.known(["https://a.example/", "https://b.example/"]) == {}


@pytest.mark.parametrize(
    ("problem", "kept"),
    [
        (None, True),
        ("HTTP 404", True),
        ("HTTP 410", True),
        ("HTTP 429", False),
        ("HTTP 500", False),
        ("HTTP 503", False),
        ("timed out after 10 s", False),
        ("connection failed: refused", False),
        ("too many redirects", False),
    ],
)
def test_only_lasting_answers_are_cacheable(problem: str | None, kept: bool) -> None:
    assert cacheable(problem) is kept
