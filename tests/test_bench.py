"""The benchmark's own correctness: its site generator and its readers of each tool's output.

No timing is asserted here (the figures live in bench/RESULTS.md); the fixtures under
tests/fixtures/bench/ are real outputs captured from a 30-page site (seed 1).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import gen_site, instructions, measure, report, startup, tools  # noqa: E402

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


def test_the_crawl_runs_with_the_sites_policy(tmp_path):
    """As users run it: every rule on, the site's origin, exit notices and third parties."""
    available, _ = tools.build_tools(REPO, tmp_path, {"linkguard", "linkguard-folder"})
    site = tmp_path / "site-1000-s1"
    ctx = tools.Context(site, "http://127.0.0.1:8123/", tmp_path / "out.json", 1003, tmp_path)
    for name in ("linkguard", "linkguard-folder"):
        if name not in available:
            pytest.skip(f"{name} is not runnable here")
        argv = available[name].command(ctx)
        assert argv[argv.index("--config") + 1] == str(site / "linkguard.toml"), name
    crawl = available["linkguard"].command(ctx)
    assert crawl[crawl.index("scan") + 1] == ctx.url


def test_cpu_lists_are_tasksets():
    assert tools.cpu_list("0") == [0]
    assert tools.cpu_list("0,1") == [0, 1]
    assert tools.cpu_list("0-2, 6") == [0, 1, 2, 6]
    for bad in ("", "a", "1-", "3-1", "0;1"):
        with pytest.raises(ValueError):
            tools.cpu_list(bad)
    assert tools.pinned(["linkguard", "scan"], "0") == ["taskset", "-c", "0", "linkguard", "scan"]
    assert tools.pinned(["linkguard", "scan"], "") == ["linkguard", "scan"]


def test_cpus_option_is_parsed_and_recorded():
    from bench import run

    if not shutil.which("taskset"):
        pytest.skip("taskset is not installed")
    cpu = str(min(os.sched_getaffinity(0)))
    args = run.parse_args(["--pages", "1000", "--cpus", cpu])
    assert args.cpus == cpu and args.cores == 1
    unpinned = run.parse_args(["--pages", "1000"])
    assert unpinned.cpus == "" and unpinned.cores >= 1
    with pytest.raises(SystemExit):
        run.parse_args(["--cpus", "not-a-cpu"])


# -- judging and reporting -------------------------------------------------------------------
def _run(
    tool: str, size: int, status: str = "ok", wall: float = 10.0, cpu: float | None = None,
    cpus: str = "", cores: int = 2, pss: float = 100.0,
) -> report.Run:  # fmt: skip
    pages = size + 3
    return report.Run(tool, size, pages, 0, status, visited=pages if status == "ok" else 500,
                      wall=wall, cpu=wall if cpu is None else cpu, tree_rss_mb=pss + 20,
                      tree_pss_mb=pss, cpus=cpus, cores=cores)  # fmt: skip


def _row(table: str, target: str) -> str:
    """The targets table's row for ``target``."""
    rows = [line for line in table.splitlines() if line.startswith(f"| {target} |")]
    assert len(rows) == 1, (target, table)
    return rows[0]


def test_a_peer_that_stopped_early_is_no_win():
    runs = [_run("linkguard", 1000, wall=20), _run("linkinator", 1000, "stopped early", wall=5)]
    table = report.ratio_table(runs, [1000])
    assert "n/a (peer stopped early)" in table
    targets = report.targets_table(runs)
    for what in ("wall", "CPU"):
        row = _row(targets, f"1,000 pages, HTTP crawl: {what} <= 0.5x linkinator's")
        assert row.endswith("| linkinator stopped early | not measured |"), row


def test_half_of_linkinators_wall_and_cpu_at_1000_and_2000_pages():
    runs = [
        _run("linkguard", 1000, wall=2.0, cpu=3.0), _run("linkinator", 1000, wall=5.0, cpu=5.0),
        _run("linkguard", 2000, wall=3.0, cpu=2.0), _run("linkinator", 2000, wall=6.0, cpu=8.0),
    ]  # fmt: skip
    table = report.targets_table(runs)
    assert _row(table, "1,000 pages, HTTP crawl: wall <= 0.5x linkinator's").endswith(
        "| 0.40x (2.0 s vs 5.0 s) | met |"
    )
    assert _row(table, "1,000 pages, HTTP crawl: CPU <= 0.5x linkinator's").endswith(
        "| 0.60x (3.0 CPU s vs 5.0 CPU s) | **not met** |"
    )
    assert _row(table, "2,000 pages, HTTP crawl: wall <= 0.5x linkinator's").endswith(
        "| 0.50x (3.0 s vs 6.0 s) | met |"  # at most half: exactly half is met
    )
    assert _row(table, "2,000 pages, HTTP crawl: CPU <= 0.5x linkinator's").endswith(
        "| 0.25x (2.0 CPU s vs 8.0 CPU s) | met |"
    )


def test_the_half_targets_are_not_judged_on_pinned_runs():
    runs = [_run("linkguard", 1000, wall=2, cpus="0", cores=1),
            _run("linkinator", 1000, wall=5, cpus="0", cores=1)]  # fmt: skip
    row = _row(report.targets_table(runs), "1,000 pages, HTTP crawl: wall <= 0.5x linkinator's")
    assert row.endswith("| runs pinned to CPUs 0, not judged here | not measured |"), row


def test_a_peer_still_working_at_the_timeout_bounds_the_half_target():
    target = "2,000 pages, HTTP crawl: wall <= 0.5x linkinator's"
    runs = [_run("linkguard", 2000, wall=50), _run("linkinator", 2000, "timed out", wall=1200)]
    assert _row(report.targets_table(runs), target).endswith(
        "| at most 0.04x (50.0 s; linkinator timed out after 1200 s) | met |"
    )
    runs[1] = _run("linkinator", 2000, "timed out", wall=80)  # killed too soon to tell
    assert _row(report.targets_table(runs), target).endswith(
        "| at most 0.62x (50.0 s; linkinator timed out after 80 s) | not measured |"
    )
    runs[1] = _run("linkinator", 2000, "stalled", wall=150)
    assert _row(report.targets_table(runs), target).endswith(
        "| linkinator stalled | not measured |"
    )
    runs = [_run("linkguard", 2000, "stopped early", wall=1), _run("linkinator", 2000, wall=9)]
    assert _row(report.targets_table(runs), target).endswith(
        "| linkguard stopped early | not measured |"
    )


def test_pinned_to_one_core_linkguard_must_be_below_linkinators_wall_at_each_size():
    runs = [
        _run("linkguard", 1000, wall=4, cpus="0", cores=1),
        _run("linkinator", 1000, wall=5, cpus="0", cores=1),
        _run("linkguard", 2000, wall=9, cpus="0", cores=1),
        _run("linkinator", 2000, wall=8, cpus="0", cores=1),
    ]
    table = report.targets_table(runs)
    assert _row(table, "pinned to one core, 1,000 pages: wall below linkinator's").endswith(
        "| 0.80x (4.0 s vs 5.0 s) | met |"
    )
    assert _row(table, "pinned to one core, 2,000 pages: wall below linkinator's").endswith(
        "| 1.12x (9.0 s vs 8.0 s) | **not met** |"
    )
    # the same wall time is not below it
    runs[3] = _run("linkinator", 2000, wall=9, cpus="0", cores=1)
    assert _row(
        report.targets_table(runs), "pinned to one core, 2,000 pages: wall below linkinator's"
    ).endswith("| 1.00x (9.0 s vs 9.0 s) | **not met** |")
    # a peer that stopped early is no win, pinned or not
    runs[3] = _run("linkinator", 2000, "stopped early", wall=1, cpus="0", cores=1)
    assert _row(
        report.targets_table(runs), "pinned to one core, 2,000 pages: wall below linkinator's"
    ).endswith("| linkinator stopped early | not measured |")


def test_pinned_to_two_cpus_or_not_pinned_is_not_the_one_core_target():
    for cpus, cores in (("0,1", 2), ("", 1)):
        runs = [_run("linkguard", 1000, wall=4, cpus=cpus, cores=cores),
                _run("linkinator", 1000, wall=5, cpus=cpus, cores=cores)]  # fmt: skip
        table = report.targets_table(runs)
        assert "| pinned to one core: wall below linkinator's | - | not measured |" in table


def test_10000_pages_targets_speed_on_2_cores_and_memory():
    runs = [_run("linkguard", 10000, wall=16, pss=280)]  # 10,003 pages in 16 s
    table = report.targets_table(runs)
    assert _row(table, "10,000 pages, HTTP crawl on 2 cores: >= 500 pages/s").endswith(
        "| 625 pages/s | met |"
    )
    memory = "10,000 pages, HTTP crawl: peak memory < 300 MB PSS (process tree)"
    assert _row(table, memory).endswith("| 280 MB PSS (300 MB summed RSS) | met |")
    runs = [_run("linkguard", 10000, wall=25, pss=310)]
    table = report.targets_table(runs)
    assert _row(table, "10,000 pages, HTTP crawl on 2 cores: >= 500 pages/s").endswith(
        "| 400 pages/s | **not met** |"
    )
    assert _row(table, memory).endswith("| 310 MB PSS (330 MB summed RSS) | **not met** |")
    runs = [_run("linkguard", 10000, wall=10, cores=8)]  # not 2 cores: not judged
    assert _row(
        report.targets_table(runs), "10,000 pages, HTTP crawl on 2 cores: >= 500 pages/s"
    ).endswith("| 1000 pages/s on 8 cores | not measured |")
    runs = [_run("linkguard", 10000, "timed out", wall=1200)]
    table = report.targets_table(runs)
    assert _row(table, "10,000 pages, HTTP crawl on 2 cores: >= 500 pages/s").endswith(
        "| linkguard timed out | not measured |"
    )
    assert _row(table, memory).endswith("| linkguard timed out | not measured |")


def test_the_folder_scan_is_judged_at_the_largest_size_on_2_cores():
    runs = [_run("linkguard-folder", 1000, wall=0.5), _run("linkguard-folder", 2000, wall=4)]
    table = report.targets_table(runs)
    assert _row(table, "folder scan (2,000 pages) on 2 cores: >= 1,000 pages/s").endswith(
        "| 501 pages/s | **not met** |"
    )
    runs[1] = _run("linkguard-folder", 2000, "failed", wall=1)  # the 1,000 pages are no stand-in
    assert _row(
        report.targets_table(runs), "folder scan (2,000 pages) on 2 cores: >= 1,000 pages/s"
    ).endswith("| linkguard-folder failed | not measured |")
    runs = [_run("linkguard-folder", 1000, wall=0.5, cpus="0", cores=1)]
    assert _row(
        report.targets_table(runs), "folder scan (1,000 pages) on 2 cores: >= 1,000 pages/s"
    ).endswith("| 2006 pages/s on 1 core | not measured |")


def test_nothing_measured_is_not_measured():
    table = report.targets_table([_run("linkinator", 1000, "unavailable")])
    rows = [line for line in table.splitlines()[2:]]
    assert len(rows) == 8
    assert all(row.endswith("| - | not measured |") for row in rows), table


def test_the_results_header_says_the_policy_and_the_pinning():
    common = dict(
        runs=[_run("linkguard", 1000, cpus="0", cores=1)], sizes=[1000], tools=["linkguard"],
        sites={}, versions={}, server="nginx", invocation="python bench/run.py --cpus 0",
        load=((0.0,), (0.0,)), rounds=1, timeout=60.0, raw=Path("bench/.work/runs/x"),
        linkchecker_rc={},
    )  # fmt: skip
    text = report.render(**common, cpus="0", cores=1)  # type: ignore[arg-type]
    assert "`--config <site>/linkguard.toml`: all rules on" in text
    assert "every tool's command ran under `taskset -c 0` (1 core" in text
    assert "the web server was not pinned" in text
    assert "## Targets (issue 19;" in text
    common["runs"] = [_run("linkguard", 1000)]
    text = report.render(**common, cpus="", cores=2)  # type: ignore[arg-type]
    assert "No tool was pinned to CPUs (2 cores available); nor was the web server." in text


def test_ratios_are_peer_over_linkguard():
    runs = [_run("linkguard", 1000, wall=10), _run("linkinator", 1000, wall=25),
            _run("linkchecker", 1000, "timed out", wall=600)]  # fmt: skip
    table = report.ratio_table(runs, [1000])
    assert "| 1,000 | linkinator | 2.50 |" in table
    assert ">= 60.00 (peer timed out)" in table


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


def test_the_harness_compiles_the_bytecode_of_the_linkguard_it_runs(tmp_path, monkeypatch):
    """As an ordinary install has it: a run must not pay for compiling linkguard."""
    package = tmp_path / "pkg" / "linkguard"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "rules.py").write_text("X = 1\n")
    script = tmp_path / "bin" / "linkguard"
    script.parent.mkdir()
    script.write_text("")
    (script.parent / "python").symlink_to(sys.executable)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "pkg"))  # this copy, not the checkout's
    where = tools.compile_bytecode([str(script)])
    assert Path(where) == package
    cached = sorted(p.name.split(".")[0] for p in (package / "__pycache__").glob("*.pyc"))
    assert cached == ["__init__", "rules"]


def test_the_instruction_counts_child_analyses_warm_up_and_measured_pages(site):
    """The child bench/instructions.py counts: the warm-up pages alone, or those and as many
    others (the difference is what is counted); run here without valgrind."""
    root, _ = site
    for measured, analysed in ((False, "5"), (True, "10")):
        command = instructions.child_command(sys.executable, root, 5, measured)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [analysed]
    stub = "import linkguard.scan.analysis as a\na.analyze_page = lambda *args: print('stub')"
    command = instructions.child_command(sys.executable, root, 5, True, preamble=stub)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["stub"] * 10 + ["10"]  # the preamble ran first
    too_many = instructions.child_command(sys.executable, root, PAGES, measured=True)
    done = subprocess.run(too_many, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "are needed" in done.stderr


def test_the_instruction_count_is_read_from_callgrinds_report():
    report_text = "==41== Events    : Ir\n==41== Collected : 123456789\n==41==\n==41== I   refs:"
    assert instructions.collected(report_text) == 123_456_789
    with pytest.raises(RuntimeError, match="no count"):
        instructions.collected("valgrind: command not found")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_valgrind_counts_a_pages_analysis(site):
    """The real count, on the small site: a page's analysis is millions of instructions."""
    root, _ = site
    figure = instructions.per_page(sys.executable, root, 3)
    assert 1e6 < figure < 1e9


def test_the_start_up_counts_commands_run_without_valgrind():
    """bench/startup.py's commands: the scan's imports, the forkserver's (the pool's own
    preload list) and ``linkguard -V`` each run, here without valgrind."""
    runs = startup.commands(sys.executable)
    assert list(runs) == ["python", "scan", "forkserver", "linkguard -V"]
    for name, command in runs.items():
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (name, done.stderr)
    version = subprocess.run(runs["linkguard -V"], capture_output=True, text=True, timeout=120)
    assert version.stdout.startswith("linkguard ")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_valgrind_counts_the_start_up():
    """The real count: each start-up is tens to thousands of millions of instructions, and
    the interpreter's own start-up is not in it."""
    figures = startup.counted(sys.executable)
    assert set(figures) == {"scan", "forkserver", "linkguard -V"}
    assert all(1e7 < figure < 1e10 for figure in figures.values())
    assert figures["forkserver"] < figures["scan"]


STAGES = sorted((REPO / "bench" / "stages").glob("*.py"))


@pytest.mark.parametrize("stage", STAGES, ids=[path.stem for path in STAGES])
def test_each_stage_stub_still_runs_in_the_counted_child(site, stage):
    """bench/stages/ stubs out private parts of linkguard to split a page's cost: a stub that
    no longer fits the code it replaces fails here, not in a two-minute count."""
    root, _ = site
    command = instructions.child_command(sys.executable, root, 2, True, stage.read_text())
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4"]
