"""Progress on stderr: a Rich bar with rate and ETA on a terminal, plain periodic lines in a
log (no ANSI), nothing with -q, a line per page with -v; the browser phase labelled as such.

The CLI runs as a user runs it: a subprocess whose stderr is a pipe (a CI log) or a pseudo
terminal. What is asserted is what is shown, never how long anything took."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import threading
from pathlib import Path

import pytest
from rich.console import Console

from linkguard.cli._progress import ProgressDisplay
from linkguard.cli._voice import Voice
from linkguard.scan import CrawlStats

PAGES = 250
ANSI = "\x1b"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder of 250 pages with nothing to find."""
    root = tmp_path_factory.mktemp("site")
    for i in range(PAGES):
        (root / f"p{i:03}.html").write_text(f"<title>{i}</title><p>page {i}</p>", encoding="utf-8")
    return root


def _scan(linkguard_cmd: list[str], site: Path, out: Path, *options: str) -> list[str]:
    return [*linkguard_cmd, "scan", str(site), "--origin", "https://example.com", "-o", str(out),
            *options]  # fmt: skip


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "CI")}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "120"}


def test_a_log_gets_plain_lines_every_100_pages(
    linkguard_cmd: list[str], site: Path, tmp_path: Path
) -> None:
    run = subprocess.run(
        _scan(linkguard_cmd, site, tmp_path / "r.json"),
        capture_output=True, text=True, timeout=300, env=_env(),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert ANSI not in run.stderr and "\r" not in run.stderr
    progress = [line for line in run.stderr.splitlines() if line.startswith("crawl: ")]
    assert any(line.startswith("crawl: 100 pages, ") for line in progress), run.stderr
    assert any(line.startswith("crawl: 200 pages, ") for line in progress), run.stderr
    assert all("pages/s" in line and "queued" in line for line in progress)


@pytest.mark.slow
def test_quiet_prints_nothing_and_verbose_a_line_per_page(
    linkguard_cmd: list[str], site: Path, tmp_path: Path
) -> None:
    quiet = subprocess.run(
        _scan(linkguard_cmd, site, tmp_path / "q.json", "-q"),
        capture_output=True, text=True, timeout=300, env=_env(),
    )  # fmt: skip
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert (tmp_path / "q.json").is_file()
    verbose = subprocess.run(
        _scan(linkguard_cmd, site, tmp_path / "v.json", "-v"),
        capture_output=True, text=True, timeout=300, env=_env(),
    )  # fmt: skip
    assert verbose.returncode == 0, verbose.stderr
    pages = {line for line in verbose.stderr.splitlines() if line.startswith("crawl: https://")}
    assert pages == {f"crawl: https://example.com/p{i:03}.html" for i in range(PAGES)}


def _on_a_terminal(command: list[str]) -> tuple[int, str]:
    """Run ``command`` with its stderr on a pseudo terminal; its exit code and what the
    terminal received."""
    leader, follower = pty.openpty()
    received = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower side closed: the process is done
                return
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=follower, timeout=300, env=_env()
        )
    finally:
        os.close(follower)
        reader.join(timeout=30)
        os.close(leader)
    return done.returncode, received.decode("utf-8", "replace")


@pytest.mark.slow
def test_a_terminal_gets_a_bar_with_rate_and_eta_and_quiet_gets_nothing(
    linkguard_cmd: list[str], site: Path, tmp_path: Path
) -> None:
    code, shown = _on_a_terminal(_scan(linkguard_cmd, site, tmp_path / "t.json"))
    assert code == 0, shown
    assert "crawling" in shown and "pages/s" in shown and "ETA" in shown, shown
    assert f"{PAGES}/{PAGES}" in shown  # pages done of pages known, when the bar ends
    assert "crawl: 100 pages" not in shown  # no log lines on a terminal
    assert "verdict" in shown  # the summary follows the bar
    code, shown = _on_a_terminal(_scan(linkguard_cmd, site, tmp_path / "tq.json", "-q"))
    assert code == 0 and shown == ""


def _stats(done: int, *, phase: str = "crawl", elapsed: float = 2.0, **page: str) -> CrawlStats:
    return CrawlStats(done, 7, 1, elapsed, phase=phase, **page)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_come_every_few_seconds_when_pages_come_slowly() -> None:
    stream, clock = io.StringIO(), Clock()
    with ProgressDisplay(Voice(), stream, clock=clock) as display:
        for second in range(31):
            clock.now = float(second)
            display.update(_stats(second * 3, elapsed=float(second)))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and ANSI not in stream.getvalue()  # at 10, 20 and 30 s
    assert lines[-1] == "crawl: 90 pages, 7 queued, 1 error, 3.0 pages/s, 30s"


def test_the_browser_phase_reports_through_the_same_callback() -> None:
    """Another phase (browser mode's visits) gets its own label, bar and lines."""
    stream = io.StringIO()
    with ProgressDisplay(Voice(), stream, clock=Clock()) as display:
        for done in range(1, 101):
            display.update(_stats(done, phase="browser", url=f"https://example.com/{done}"))
    assert stream.getvalue().splitlines() == [
        "browser: 100 pages, 7 queued, 1 error, 50.0 pages/s, 2s"
    ]
    terminal = io.StringIO()
    console = Console(file=terminal, force_terminal=True, width=120)
    with ProgressDisplay(Voice(), console=console) as display:
        display.update(_stats(3))
        display.update(_stats(2, phase="browser"))
    shown = terminal.getvalue()
    assert "crawling" in shown and "browser visits" in shown and "ETA" in shown
    assert "1.0 pages/s" in shown and "2/9" in shown  # rate, and done of done + queued


def test_verbose_lines_name_the_page_and_very_verbose_the_skipped_ones() -> None:
    def shown(level: int) -> list[str]:
        stream = io.StringIO()
        with ProgressDisplay(Voice(level), stream, clock=Clock()) as display:
            display.update(_stats(1, url="https://example.com/"))
            display.update(_stats(2, url="https://example.com/x", note="failed: HTTP 404"))
            display.update(
                _stats(3, url="https://example.com/a.pdf", note="skipped: not HTML (a/pdf)")
            )
            display.update(_stats(4, url="https://example.com/\x1b[2Jevil"))
        return stream.getvalue().splitlines()

    assert shown(0) == []
    assert shown(1) == [
        "crawl: https://example.com/",
        "crawl: https://example.com/x: failed: HTTP 404",
        "crawl: https://example.com/\\x1b[2Jevil",  # a page's URL cannot drive the terminal
    ]
    assert "crawl: https://example.com/a.pdf: skipped: not HTML (a/pdf)" in shown(2)
    assert shown(-1) == []
