"""The benchmark's own correctness: its site generator and its readers of each tool's output.

No timing is asserted here (the figures live in bench/RESULTS.md); the fixtures under
tests/fixtures/bench/ are real outputs captured from a 30-page site (seed 1).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import gen_site, measure, report, tools  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "bench"
PAGES = 30


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("site")
    return out, gen_site.generate(out, PAGES, seed=1)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_seed_gives_the_same_bytes(site, tmp_path):
    root, _ = site
    again = tmp_path / "again"
    gen_site.generate(again, PAGES, seed=1)
    assert _tree(again) == _tree(root)


def test_another_seed_gives_another_site(site, tmp_path):
    root, _ = site
    other = tmp_path / "other"
    gen_site.generate(other, PAGES, seed=2)
    assert (other / "index.html").read_bytes() != (root / "index.html").read_bytes()


def test_manifest_counts_match_the_files(site):
    root, manifest = site
    html = sorted(p for p in root.rglob("*.html"))
    assert manifest["pages"] == len(html) == PAGES + 3
    assert manifest["content_pages"] == PAGES
    others = [p for p in root.rglob("*") if p.is_file() and p.suffix != ".html"]
    own = {"manifest.json", "linkguard.toml"}
    assert manifest["assets"] == len([p for p in others if p.name not in own])
    text = "".join(p.read_text(encoding="utf-8") for p in html)
    interstitials = set(re.findall(r'href="(/leaving/\?url=[^"]+)"', text))
    assert manifest["interstitial_urls"] == len(interstitials)
    outbound = re.findall(r'<a (?:class="ext" )?href="https://www\.[a-z]+-\d+\.', text)
    assert manifest["outbound_links"] == len(outbound) + len(interstitials)
    assert manifest["forms"] == text.count('<form action="http')
    assert manifest["iframes"] == text.count('<iframe src="https://www.yo') + text.count(
        '<iframe src="https://www.google.com/maps'
    )


def test_content_pages_are_15_to_40_kb_and_realistic(site):
    root, manifest = site
    sizes = manifest["page_bytes"]
    assert 15_000 <= sizes["min"] <= sizes["median"] <= sizes["max"] <= 40_000
    page = (root / "index.html").read_text(encoding="utf-8")
    for needle in ("googletagmanager.com/gtm.js", "<noscript><iframe", "srcset=", "<form",
                   "<iframe", 'class="ext"', "(link is external)", "<nav"):  # fmt: skip
        assert needle in page, needle


def test_every_first_party_url_exists(site):
    """A link checker must find nothing broken: every local href and src is a file."""
    root, _ = site
    text = "".join(p.read_text(encoding="utf-8") for p in root.rglob("*.html"))
    local = set(re.findall(r'(?:href|src|action)="(/[^"#?]*)', text))
    for path in local:
        target = root / path.lstrip("/")
        assert target.is_file() or (target / "index.html").is_file(), path


def test_every_page_is_reachable_from_the_home_page(site):
    _, manifest = site
    assert 0 < manifest["max_depth"] < 25  # linkguard's default max_depth


def test_policy_maps_the_folder_to_the_origin(site):
    root, _ = site
    policy = (root / "linkguard.toml").read_text()
    assert 'origin = "https://www.example-watch.com"' in policy
    assert 'interstitials = ["/leaving/?url={url}"]' in policy


def test_html_page_paths_are_the_urls_a_crawl_visits(site):
    root, _ = site
    paths = gen_site.html_page_paths(root)
    assert len(paths) == PAGES + 3
    assert {"/", "/p/0/1.html", "/privacy.html", "/leaving/", "/search/"} <= paths


# -- reading the tools' outputs -------------------------------------------------------------
def test_access_log_counts_requests_and_pages(site):
    root, _ = site
    lines = (FIXTURES / "access-linkinator-30.log").read_text().splitlines()
    paths, requests = tools.access_log_paths([*lines, "", "/missing.html 404 153"])
    assert requests == len(lines) + 1
    assert "/missing.html" not in paths  # only answers with 200 count as visited
    assert gen_site.html_page_paths(root) <= paths  # linkinator fetched every page


def test_linkinator_json_lists_every_page(site):
    root, _ = site
    text = (FIXTURES / "linkinator-30.json").read_text()
    served = re.search(r"http://127\.0\.0\.1:\d+/", text)
    assert served
    paths = tools.linkinator_page_paths(text, served.group(0))
    assert gen_site.html_page_paths(root) <= paths
    assert not any(p.startswith("http") for p in paths)


def test_linkchecker_summary_line():
    text = (FIXTURES / "linkchecker-30.txt").read_text()
    assert tools.linkchecker_summary(text) == (440, 440)
    with pytest.raises(ValueError):
        tools.linkchecker_summary("LinkChecker crashed")


def test_linkguard_results_list_every_page(site):
    root, _ = site
    text = (FIXTURES / "linkguard-30.json").read_text()
    paths = tools.linkguard_page_paths(text)
    assert gen_site.html_page_paths(root) <= paths
    assert paths <= gen_site.html_page_paths(root)  # interstitial URLs fold into /leaving/


def test_path_of_drops_query_and_fragment():
    assert tools.path_of("http://127.0.0.1:8/leaving/?url=https%3A%2F%2Fx") == "/leaving/"
    assert tools.path_of("http://127.0.0.1:8") == "/"
    assert tools.path_of("https://www.example-watch.com/p/0/1.html#details") == "/p/0/1.html"


# -- judging and reporting -------------------------------------------------------------------
def _run(tool: str, size: int, status: str = "ok", wall: float = 10.0) -> report.Run:
    return report.Run(tool, size, 1003, 0, status, visited=1003 if status == "ok" else 500,
                      wall=wall, cpu=wall, tree_rss_mb=120.0, tree_pss_mb=100.0)  # fmt: skip


def test_a_peer_that_stopped_early_is_no_win():
    runs = [_run("linkguard", 1000, wall=20), _run("linkinator", 1000, "stopped early", wall=5)]
    table = report.ratio_table(runs, [1000])
    assert "n/a (peer stopped early)" in table
    assert "| 1,000 pages: no slower than linkinator | - | not measured |" in report.targets_table(
        runs
    )


def test_ratios_are_peer_over_linkguard():
    runs = [_run("linkguard", 1000, wall=10), _run("linkinator", 1000, wall=25),
            _run("linkchecker", 1000, "timed out", wall=600)]  # fmt: skip
    table = report.ratio_table(runs, [1000])
    assert "| 1,000 | linkinator | 2.50 |" in table
    assert ">= 60.00 (peer timed out)" in table


def test_a_peer_still_working_at_the_timeout_bounds_the_quarter_target():
    target = "10,000 pages: at most 1/4 of linkinator's wall time"
    runs = [_run("linkguard", 10000, wall=50), _run("linkinator", 10000, "timed out", wall=1200)]
    assert (f"| {target} | at most 0.04 of it (linkinator timed out after 1200 s) | met |"
            in report.targets_table(runs))  # fmt: skip
    runs[1] = _run("linkinator", 10000, "timed out", wall=150)  # killed too soon to tell
    assert "| at most 0.33 of it (linkinator timed out after 150 s) | not measured |" in (
        report.targets_table(runs)
    )
    runs[1] = _run("linkinator", 10000, "stalled", wall=150)
    assert f"| {target} | - | not measured |" in report.targets_table(runs)


def test_median_run_ignores_incomplete_runs():
    runs = [_run("linkguard", 1000, wall=w) for w in (30, 10, 20)]
    runs.append(_run("linkguard", 1000, "stopped early", wall=1))
    chosen = report.median_run(runs)
    assert chosen is not None and chosen.wall == 20


# -- measuring -------------------------------------------------------------------------------
FORKED_COPY = """
import os, time
block = b"x" * (64 * 1024 * 1024)  # 64 MB, written so resident, then shared by a fork
pid = os.fork()
time.sleep(1.5)
if pid:
    os.waitpid(pid, 0)
"""


def test_the_tree_pss_counts_a_forked_copy_once_where_summed_rss_counts_it_twice(tmp_path):
    cost = measure.run_measured(
        [sys.executable, "-c", FORKED_COPY], cwd=tmp_path, stdout=tmp_path / "out",
        stderr=tmp_path / "err", timeout=30,
    )  # fmt: skip
    assert cost.exit_code == 0 and cost.killed is None
    assert cost.tree_rss_mb > 128  # parent and child each hold the 64 MB block resident
    assert 64 <= cost.tree_pss_mb < 110  # shared pages count once between the two
    assert cost.maxrss_mb >= 64


ORPHAN_BURNS = """
import os, time
ready, go = os.pipe()
if os.fork() == 0:  # a worker its parent never waits for, like a forkserver's
    while time.process_time() < 0.4:  # CPU, not wall time: the same on a loaded machine
        pass
    os.write(go, b"x")
    end = time.monotonic() + 5
    while time.monotonic() < end:
        pass
    os._exit(0)
os.read(ready, 1)  # the main process exits once its worker has burned 0.4 s of CPU
"""


def test_the_cpu_of_a_worker_the_tool_never_waited_for_is_counted(tmp_path):
    cost = measure.run_measured(
        [sys.executable, "-c", ORPHAN_BURNS], cwd=tmp_path, stdout=tmp_path / "out",
        stderr=tmp_path / "err", timeout=30,
    )  # fmt: skip
    assert cost.exit_code == 0
    # The worker burned 0.4 s of CPU before its parent exited; waiting on the parent alone
    # would see about 0.05 s.
    assert cost.cpu >= 0.4, cost


def test_a_run_with_no_progress_to_watch_is_never_killed_as_stalled(tmp_path):
    """A folder scan makes no requests: only the timeout applies to it."""
    cost = measure.run_measured(
        [sys.executable, "-c", "import time; time.sleep(1.5)"], cwd=tmp_path,
        stdout=tmp_path / "out", stderr=tmp_path / "err", timeout=30, progress=None, stall=0.5,
    )  # fmt: skip
    assert cost.killed is None and cost.exit_code == 0


def test_an_idle_tool_that_makes_no_progress_is_killed_as_stalled(tmp_path):
    cost = measure.run_measured(
        [sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path,
        stdout=tmp_path / "out", stderr=tmp_path / "err", timeout=30, progress=lambda: 0,
        stall=1.5,
    )  # fmt: skip
    assert cost.killed == "stalled" and cost.wall < 10, cost


def test_a_tool_using_a_quarter_of_a_core_without_requests_is_busy_not_stalled():
    """linkinator at 10,000 pages: minutes of CPU with no request. Working, not stalled.
    The judgement is a function of CPU used per interval, tested without a clock: a loaded
    machine cannot make it flake."""
    assert measure.is_busy(cpu_used=0.25, seconds=1.0)
    assert measure.is_busy(cpu_used=0.9, seconds=1.0)
    assert not measure.is_busy(cpu_used=0.05, seconds=1.0)
    assert not measure.is_busy(cpu_used=0.0, seconds=1.0)


def test_a_big_harness_does_not_inflate_a_small_tools_memory(tmp_path):
    """A forked child's kernel peak (ru_maxrss) starts at its parent's resident size; the
    harness reads big result files, so memory is sampled instead."""
    ballast = b"x" * (400 * 1024 * 1024)  # the harness after reading a large results file
    cost = measure.run_measured(
        [sys.executable, "-c", "import time; time.sleep(0.5)"], cwd=tmp_path,
        stdout=tmp_path / "out", stderr=tmp_path / "err", timeout=30,
    )  # fmt: skip
    del ballast
    assert 0 < cost.maxrss_mb < 100 and cost.tree_rss_mb < 100, cost
