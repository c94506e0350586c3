"""--history: three weekly runs of a real site (edited between them) know what is new, what
is fixed and since when each finding has been open; the results, console, Markdown and
HTML say it; ``linkguard history`` lists the runs and ``history show`` renders one again."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from history_helpers import backdate, copy_site, runner, scan
from test_results_schema import check_results

from linkguard.cli import app

TRACKER = '<script src="https://cdn.newtracker.example/t.js"></script>'
WEEK1, WEEK2 = "2026-11-17T06:00:00Z", "2026-11-24T06:00:00Z"


def _fingerprints(data: dict[str, object], rule: str, target_part: str) -> set[str]:
    findings = data["findings"]
    assert isinstance(findings, list)
    return {f["fingerprint"] for f in findings if f["rule"] == rule and target_part in f["target"]}


def test_three_runs_give_new_fixed_and_open_since(tmp_path: Path) -> None:
    site, store = copy_site(tmp_path), tmp_path / "history.sqlite"
    index = site / "index.html"

    first = scan(site, store, tmp_path / "r1.json")
    backdate(store, 1, WEEK1)
    history = first["history"]
    assert history["run"] == 1 and history["previous_run"] is None
    check_results(first)
    assert history["new_findings"] == [] and history["fixed_findings"] == []
    twitter = _fingerprints(first, "exit-notice-missing", "twitter.com")
    hotjar = _fingerprints(first, "undeclared-script", "hotjar")
    assert len(twitter) == 1 and len(hotjar) == 1

    # week 2: the Twitter link gets its notice, a new tracker appears
    html = index.read_text(encoding="utf-8")
    html = html.replace(
        '<a href="https://twitter.com', '<a class="external-link" href="https://twitter.com'
    )
    index.write_text(html.replace("</head>", TRACKER + "\n</head>"), encoding="utf-8")
    second = scan(site, store, tmp_path / "r2.json")
    backdate(store, 2, WEEK2)
    history = second["history"]
    tracker = _fingerprints(second, "undeclared-script", "newtracker")
    assert len(tracker) == 1
    assert history["previous_run"] == 1 and history["previous_started"] == WEEK1
    assert set(history["new_findings"]) == tracker | _fingerprints(
        second, "missing-sri", "newtracker"
    )
    assert [f["fingerprint"] for f in history["fixed_findings"]] == sorted(twitter)
    assert history["fixed_findings"][0]["rule"] == "exit-notice-missing"
    assert history["new_third_parties"] == ["cdn.newtracker.example"]
    assert history["first_seen"][next(iter(hotjar))] == WEEK1
    assert history["first_seen"][next(iter(tracker))] == second["run"]["started"]
    check_results(second)

    # week 3: Hotjar is gone; the tracker stays, open since week 2
    html = index.read_text(encoding="utf-8")
    lines = [line for line in html.splitlines() if "hotjar" not in line]
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    third = scan(site, store, tmp_path / "r3.json", "-f", "markdown", "-o", str(tmp_path / "r3.md"))
    history = third["history"]
    assert history["previous_run"] == 2 and history["previous_started"] == WEEK2
    assert history["new_findings"] == []
    assert {f["fingerprint"] for f in history["fixed_findings"]} >= hotjar
    assert history["gone_third_parties"] == ["static.hotjar.com"]
    assert history["first_seen"][next(iter(tracker))] == WEEK2
    still_open = _fingerprints(third, "exit-notice-missing", "instagram")
    assert {history["first_seen"][fp] for fp in still_open} == {WEEK1}
    assert [p["run"] for p in history["trend"]] == [1, 2, 3]
    assert [p["started"] for p in history["trend"]][:2] == [WEEK1, WEEK2]
    summary = third["summary"]["findings"]
    assert history["trend"][-1]["findings"] == summary
    markdown = (tmp_path / "r3.md").read_text(encoding="utf-8")
    fixed = len(history["fixed_findings"])
    assert (
        f"- History: 0 new findings, {fixed} fixed; 0 new third-party hosts; 1 gone "
        "since the last run on 2026-11-24 (run 2)." in markdown
    )
    assert "- Oldest open finding: open since 2026-11-17." in markdown
    check_results(third)


def test_the_console_summary_says_what_is_new(tmp_path: Path) -> None:
    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    scan(site, store, tmp_path / "r1.json")
    backdate(store, 1, WEEK1)
    index = site / "index.html"
    index.write_text(
        index.read_text(encoding="utf-8").replace("</head>", TRACKER + "\n</head>"),
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["scan", str(site), "--history", str(store), "-o", str(tmp_path / "r2.json")]
    )
    assert result.exit_code == 1, result.output
    assert "recorded run 2 in" in result.stderr
    assert (
        "history         1 new finding, 0 fixed; 1 new third-party host since the last run "
        "on 2026-11-17 (run 1)"
    ) in result.stderr


def test_an_interrupted_or_partial_run_is_never_the_previous_one(tmp_path: Path) -> None:
    """A run that cannot vouch for the site (here: nothing checked, the folder emptied) is
    recorded and listed, but the next run compares with the last complete one: what the
    broken run missed is not "fixed", and what it missed is not "new" after it."""
    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    first = scan(site, store, tmp_path / "r1.json")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "linkguard.toml").write_text((site / "linkguard.toml").read_text("utf-8"), "utf-8")
    moved = tmp_path / "moved"
    site.rename(moved)
    empty.rename(site)
    result = runner.invoke(
        app, ["scan", str(site), "--history", str(store), "-o", str(tmp_path / "r2.json")]
    )
    assert result.exit_code == 4, result.output
    site.rename(tmp_path / "empty-again")
    moved.rename(site)
    third = scan(site, store, tmp_path / "r3.json")
    assert third["history"]["previous_run"] == 1
    assert third["history"]["new_findings"] == [] and third["history"]["fixed_findings"] == []
    assert [p["complete"] for p in third["history"]["trend"]] == [True, False, True]
    assert set(third["history"]["first_seen"].values()) == {first["run"]["started"]}


def test_history_lists_runs_and_show_renders_one_again(
    tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    """Through the installed script: the HTML and JSON `history show` writes are the very
    files the scan wrote (the run's results are stored whole)."""
    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    for week in (1, 2):
        done = subprocess.run(
            [*linkguard_cmd, "scan", str(site), "--history", str(store),
             "-f", "html", "-o", str(tmp_path / f"w{week}.html"),
             "-f", "json", "-o", str(tmp_path / f"w{week}.json")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
    listed = subprocess.run(
        [*linkguard_cmd, "history", str(store)], capture_output=True, text=True, check=True
    )
    rows = listed.stdout.splitlines()
    assert rows[0].split()[:3] == ["run", "started", "pages"]
    assert [row.split()[0] for row in rows[1:]] == ["1", "2"]
    assert str(site.resolve()) in rows[2]
    for fmt in ("html", "json"):
        out = tmp_path / f"show.{fmt}"
        subprocess.run(
            [*linkguard_cmd, "history", "show", "1", "--history", str(store), "-f", fmt,
             "-o", str(out)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert out.read_bytes() == (tmp_path / f"w1.{fmt}").read_bytes()
    shown = json.loads((tmp_path / "show.json").read_text("utf-8"))
    assert shown["history"]["run"] == 1


def test_history_show_of_an_unknown_run_is_a_usage_error(tmp_path: Path) -> None:
    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    scan(site, store, tmp_path / "r1.json")
    result = runner.invoke(app, ["history", "show", "7", "--history", str(store)])
    assert result.exit_code == 2
    assert "no run 7 in the history store" in result.stderr
    missing = runner.invoke(app, ["history", str(tmp_path / "nope.sqlite")])
    assert missing.exit_code == 2
    assert "no history store here" in missing.stderr
    assert not (tmp_path / "nope.sqlite").exists()


def test_the_policy_enables_history_beside_the_policy_file(
    tmp_path: Path, monkeypatch: object
) -> None:
    site = copy_site(tmp_path)
    policy = site / "linkguard.toml"
    policy.write_text(policy.read_text("utf-8") + "\n[history]\nenabled = true\n", "utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    import os

    old = Path.cwd()
    os.chdir(elsewhere)
    try:
        result = runner.invoke(app, ["scan", str(site), "-o", str(tmp_path / "r.json")])
        listed = runner.invoke(app, ["history", "--config", str(policy)])
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    assert (site / ".linkguard" / "history.sqlite").is_file()
    assert not (elsewhere / ".linkguard").exists()
    assert listed.exit_code == 0, listed.output
    assert len(listed.stdout.splitlines()) == 2


def test_history_config_mistakes_name_file_key_and_fix(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    policy = site / "linkguard.toml"
    base = policy.read_text("utf-8")
    policy.write_text(base + '\n[history]\npath = "runs.sqlite"\n', "utf-8")
    result = runner.invoke(app, ["scan", str(site)])
    assert result.exit_code == 2
    assert f"{policy}: [history.path] is set, but history is not enabled" in result.stderr
    assert "add `enabled = true` to [history]" in result.stderr
    policy.write_text(base + '\n[history]\nenabled = "yes"\n', "utf-8")
    result = runner.invoke(app, ["scan", str(site)])
    assert result.exit_code == 2
    assert "[history.enabled] must be true or false" in result.stderr


def test_a_store_that_cannot_be_one_stops_the_scan_before_the_crawl(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = runner.invoke(app, ["scan", str(site), "--history", str(folder)])
    assert result.exit_code == 2
    assert "the history store is a folder, not a file" in result.stderr
    text = tmp_path / "notes.txt"
    text.write_text("not a database, just notes\n" * 100, "utf-8")
    result = runner.invoke(
        app, ["scan", str(site), "--history", str(text), "-o", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 2
    assert "not a usable history store" in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_a_store_that_fails_at_the_end_costs_the_history_not_the_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store was fine before the crawl and is not now (here: overwritten meanwhile):
    the error is said, and the result goes on to the reports without a history section."""
    from linkguard.cli._history import recorded
    from linkguard.results import from_json

    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    data = scan(site, store, tmp_path / "r.json")
    del data["history"]
    result = from_json(json.dumps(data))
    store.unlink()
    store.write_text("overwritten by something else\n" * 50, encoding="utf-8")
    kept = recorded(store, result, quiet=False)
    assert kept == result and kept.history is None
    err = capsys.readouterr().err
    assert f"linkguard: error: {store}: not a usable history store" in err
    assert "the reports are written without history" in err


def test_two_crawls_of_a_served_site_are_runs_of_one_target(
    tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    """Over HTTP: the target is the URL, and a page that stopped linking to a third party
    shows as fixed findings and a gone host."""
    site, store = copy_site(tmp_path), tmp_path / "h.sqlite"
    url = serve(site)
    config = ("--config", str(site / "linkguard.toml"))

    def scan_url(out: str) -> dict[str, Any]:
        return scan(url, store, tmp_path / out, *config)

    first = scan_url("1.json")
    blog = site / "blog" / "index.html"
    lines = blog.read_text("utf-8").splitlines()
    blog.write_text("\n".join(x for x in lines if "pastebin.example" not in x), "utf-8")
    second = scan_url("2.json")
    history = second["history"]
    assert first["history"]["run"] == 1 and history["previous_run"] == 1
    gone = {f["fingerprint"] for f in first["findings"] if "pastebin.example" in f["target"]}
    assert gone and {f["fingerprint"] for f in history["fixed_findings"]} == gone
    assert history["gone_third_parties"] == ["pastebin.example"]
    listed = runner.invoke(app, ["history", str(store)])
    assert [row.split()[-1] for row in listed.stdout.splitlines()[1:]] == [url, url]
