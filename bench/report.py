"""The benchmark's figures as Markdown: per-tool table, linkguard's ratios, targets, machine."""

from __future__ import annotations

import os
import platform
import resource
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PEERS = ("linkinator", "linkchecker", "linkchecker-unthrottled")
OK = "ok"


@dataclass
class Run:
    """One timed run of one tool on one site."""

    tool: str
    size: int  # content pages the site was generated with (1,000 or 10,000)
    expected: int  # HTML documents a complete crawl visits
    round: int
    status: str  # ok | stopped early | timed out | failed | unavailable
    visited: int = 0  # HTML documents fetched (server log; folder scan: its results)
    reported: int | None = None  # what the tool's own output counts
    requests: int = 0  # HTTP requests the server saw
    wall: float = 0.0
    cpu: float = 0.0
    maxrss_mb: float = 0.0
    tree_rss_mb: float = 0.0
    tree_pss_mb: float = 0.0
    server_cpu: float = 0.0
    peak_fds: int = 0
    exit_code: int | None = None
    note: str = ""
    command: list[str] = field(default_factory=list)
    cpus: str = ""  # the taskset -c list the tool ran under; empty: not pinned
    cores: int = 0  # CPUs the tool could run on (pinned: the list's; else the machine's)

    @property
    def pages_per_second(self) -> float:
        return self.visited / self.wall if self.wall else 0.0


def median_run(runs: Iterable[Run]) -> Run | None:
    """The run with the median wall time among the complete ones (else the first run)."""
    runs = list(runs)
    good = sorted((r for r in runs if r.status == OK), key=lambda r: r.wall)
    if good:
        return good[(len(good) - 1) // 2]
    return runs[0] if runs else None


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def tool_table(runs: list[Run], sizes: list[int], tools: list[str]) -> str:
    head = (
        "| pages | tool | status | visited | reported | requests | wall s | CPU s | "
        "RSS MB (largest process) | RSS MB (process tree) | PSS MB (process tree) | pages/s "
        "| open fds (peak) | server CPU s |\n"
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = []
    for size in sizes:
        for tool in tools:
            run = median_run(r for r in runs if r.size == size and r.tool == tool)
            if run is None:
                continue
            if run.status == "unavailable":
                rows.append(f"| {size:,} | {tool} | unavailable: {run.note} |" + " |" * 11)
                continue
            status = run.status if run.status == OK else f"**{run.status}**"
            if run.note:
                status += f" ({run.note})"
            reported = "" if run.reported is None else f"{run.reported:,}"
            requests = f"{run.requests:,}" if run.requests else "-"
            server = _fmt(run.server_cpu) if run.requests else "-"
            rows.append(
                f"| {size:,} | {tool} | {status} | {run.visited:,}/{run.expected:,} | {reported} "
                f"| {requests} | {_fmt(run.wall)} | {_fmt(run.cpu)} | {_fmt(run.maxrss_mb, 0)} "
                f"| {_fmt(run.tree_rss_mb, 0)} | {_fmt(run.tree_pss_mb, 0)} "
                f"| {_fmt(run.pages_per_second, 0)} "
                f"| {run.peak_fds:,} | {server} |"
            )
    return head + "\n".join(rows) + "\n"


def _ratio(peer: Run, base: Run, attr: str) -> str:
    """``peer / linkguard`` for one measure: above 1, linkguard does better."""
    if base.status != OK:
        return f"n/a (linkguard {base.status})"
    if peer.status not in (OK, "timed out"):
        return f"n/a (peer {peer.status})"
    base_value = getattr(base, attr)
    if not base_value:
        return "n/a"
    value = getattr(peer, attr) / base_value
    return f"{value:.2f}" if peer.status == OK else f">= {value:.2f} (peer timed out)"


def ratio_table(runs: list[Run], sizes: list[int]) -> str:
    head = (
        "| pages | peer | wall: peer / linkguard | CPU: peer / linkguard "
        "| PSS (tree): peer / linkguard |\n|---:|---|---:|---:|---:|\n"
    )
    rows = []
    for size in sizes:
        base = median_run(r for r in runs if r.size == size and r.tool == "linkguard")
        if base is None:
            continue
        for peer_name in PEERS:
            peer = median_run(r for r in runs if r.size == size and r.tool == peer_name)
            if peer is None or peer.status == "unavailable":
                continue
            rows.append(
                f"| {size:,} | {peer_name} | {_ratio(peer, base, 'wall')} "
                f"| {_ratio(peer, base, 'cpu')} | {_ratio(peer, base, 'tree_pss_mb')} |"
            )
    return head + "\n".join(rows) + "\n" if rows else ""


HALF = 0.5  # issue 19: at most half of linkinator's wall and CPU time
CRAWL_PAGES_PER_SECOND = 500  # issue 19: 10,000 pages on 2 cores
FOLDER_PAGES_PER_SECOND = 1000  # issue 19: the folder scan on 2 cores
MEMORY_MB = 300  # issue 19: the crawl's PSS (process tree) at 10,000 pages


def _cores(count: int) -> str:
    return f"{count} core{'s' if count != 1 else ''}" if count else "an unknown number of cores"


def _share(base: Run | None, peer: Run | None, attr: str, unit: str, limit: float) -> tuple[
    str | None, bool | None
]:  # fmt: skip
    """linkguard's figure as a share of linkinator's, and whether it is at most ``limit``.

    A run that did not visit every page is no win either way: not measured, with its status
    as the value. linkinator killed at the timeout was still working: its figure is a lower
    bound, so a share at most ``limit`` is met and one above it tells nothing."""
    if base is None or peer is None:
        return None, None
    if base.status != OK:
        return f"linkguard {base.status}", None
    if peer.status not in (OK, "timed out"):
        return f"linkinator {peer.status}", None
    base_value, peer_value = getattr(base, attr), getattr(peer, attr)
    if not peer_value:
        return None, None
    share = base_value / peer_value
    if peer.status == OK:
        return f"{share:.2f}x ({base_value:.1f} {unit} vs {peer_value:.1f} {unit})", share <= limit
    return (
        f"at most {share:.2f}x ({base_value:.1f} {unit}; linkinator timed out after "
        f"{peer.wall:.0f} s)",
        True if share <= limit else None,
    )


def targets_table(runs: list[Run]) -> str:
    """Issue 19's targets, each with the measured value: information for tuning, not a gate.

    The 0.5x and memory targets are judged on runs that were not pinned (as users run it),
    the one-core target on runs pinned to one CPU, the 2-core targets on runs that had
    exactly two cores (pinned to two CPUs, or unpinned on a 2-core machine)."""
    rows = []

    def check(target: str, value: str | None, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("met" if met else "**not met**")
        rows.append(f"| {target} | {value or '-'} | {verdict} |")

    def unpinned(run: Run) -> bool:
        return not run.cpus

    def one_core(run: Run) -> bool:
        return bool(run.cpus) and run.cores == 1

    def get(tool: str, size: int, where: Callable[[Run], bool]) -> Run | None:
        """The median run of ``tool`` at ``size`` (any status but unavailable: callers judge
        it), among those ``where`` accepts."""
        return median_run(
            r for r in runs
            if r.tool == tool and r.size == size and r.status != "unavailable" and where(r)
        )  # fmt: skip

    def only_pinned(size: int) -> str | None:
        """Why an unpinned target has no value: the size was measured, but pinned."""
        pinned = next((r for r in runs if r.size == size and r.cpus), None)
        return f"runs pinned to CPUs {pinned.cpus}, not judged here" if pinned else None

    # HTTP crawl, all rules on, against linkinator: half its wall and CPU time
    for size in (1000, 2000):
        lg = get("linkguard", size, unpinned)
        lk = get("linkinator", size, unpinned)
        for attr, label, unit in (("wall", "wall", "s"), ("cpu", "CPU", "CPU s")):
            value, met = _share(lg, lk, attr, unit, HALF)
            check(f"{size:,} pages, HTTP crawl: {label} <= 0.5x linkinator's",
                  value or only_pinned(size), met)  # fmt: skip

    # Pinned to one core: below linkinator's wall time at each size measured so
    pinned_sizes = sorted({r.size for r in runs if one_core(r) and r.status != "unavailable"})
    for size in pinned_sizes:
        lg = get("linkguard", size, one_core)
        lk = get("linkinator", size, one_core)
        label = f"pinned to one core, {size:,} pages: wall below linkinator's"
        value, met = _share(lg, lk, "wall", "s", 1.0)
        if met is not None and lg is not None and lk is not None and lg.wall >= lk.wall:
            met = False if lk.status == OK else None  # below, not equal
        check(label, value, met)
    if not pinned_sizes:
        check("pinned to one core: wall below linkinator's", None, None)

    # 10,000 pages: the crawl's speed on 2 cores and its memory
    crawl = get("linkguard", 10000, lambda r: r.cores == 2)
    other = get("linkguard", 10000, lambda r: r.cores != 2)
    label = f"10,000 pages, HTTP crawl on 2 cores: >= {CRAWL_PAGES_PER_SECOND} pages/s"
    if crawl is not None and crawl.status == OK:
        check(label, f"{crawl.pages_per_second:.0f} pages/s",
              crawl.pages_per_second >= CRAWL_PAGES_PER_SECOND)  # fmt: skip
    elif crawl is not None:
        check(label, f"linkguard {crawl.status}", None)
    elif other is not None and other.status == OK:
        check(label, f"{other.pages_per_second:.0f} pages/s on {_cores(other.cores)}", None)
    else:
        check(label, None, None)
    memory = get("linkguard", 10000, unpinned)
    label = f"10,000 pages, HTTP crawl: peak memory < {MEMORY_MB} MB PSS (process tree)"
    if memory is not None and memory.status == OK:
        check(label,
              f"{memory.tree_pss_mb:.0f} MB PSS ({memory.tree_rss_mb:.0f} MB summed RSS)",
              memory.tree_pss_mb < MEMORY_MB)  # fmt: skip
    else:
        check(label, f"linkguard {memory.status}" if memory else only_pinned(10000), None)

    # The folder scan on 2 cores, at the largest size it was measured
    folder_sizes = [
        r.size for r in runs if r.tool == "linkguard-folder" and r.status != "unavailable"
    ]
    if folder_sizes:
        size = max(folder_sizes)
        label = f"folder scan ({size:,} pages) on 2 cores: >= {FOLDER_PAGES_PER_SECOND:,} pages/s"
        folder = get("linkguard-folder", size, lambda r: True)
        assert folder is not None
        if folder.status != OK:
            check(label, f"linkguard-folder {folder.status}", None)
        elif folder.cores != 2:
            check(label, f"{folder.pages_per_second:.0f} pages/s on {_cores(folder.cores)}", None)
        else:
            check(label, f"{folder.pages_per_second:.0f} pages/s",
                  folder.pages_per_second >= FOLDER_PAGES_PER_SECOND)  # fmt: skip
    else:
        check(f"folder scan on 2 cores: >= {FOLDER_PAGES_PER_SECOND:,} pages/s", None, None)
    return "| target | measured | verdict |\n|---|---|---|\n" + "\n".join(rows) + "\n"


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    system = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "CPU": cpu,
        "memory": memory,
        "system": system,
        "Python": platform.python_version(),
        "open files limit (soft / hard)": " / ".join(
            str(x) for x in resource.getrlimit(resource.RLIMIT_NOFILE)
        ),
    }


def site_table(sites: dict[int, dict[str, object]]) -> str:
    rows = []
    for size, m in sites.items():
        kb = m["page_bytes"]
        assert isinstance(kb, dict)
        low, mid, high = (round(kb[k] / 1024) for k in ("min", "median", "max"))
        rows.append(
            f"| {size:,} | {m['pages']:,} | {m['interstitial_urls']:,} | {m['assets']:,} "
            f"| {low} / {mid} / {high} "
            f"| {m['outbound_links']:,} ({m['outbound_with_notice']:,} with a notice) "
            f"| {m['third_party_scripts']:,} + {m['inline_loaders']:,} inline "
            f"| {m['forms']:,} / {m['iframes']:,} | {m['max_depth']} |"
        )
    return (
        "| pages | HTML documents | interstitial URLs | other files | KB per page (min / median / "
        "max) | outbound links | third-party scripts | forms / iframes | link depth |\n"
        "|---:|---:|---:|---:|---|---|---|---|---:|\n" + "\n".join(rows) + "\n"
    )


def _pinning(cpus: str, cores: int) -> str:
    """The results header's sentence on CPU pinning."""
    if cpus:
        return (
            f"**Pinned**: every tool's command ran under `taskset -c {cpus}` ({_cores(cores)}: "
            "the tool and every process it starts share them); the web server was not "
            "pinned.\n"
        )
    machine = f" ({_cores(cores)} available)" if cores else ""
    return f"No tool was pinned to CPUs{machine}; nor was the web server.\n"


def _commands(runs: list[Run], tools: list[str], linkchecker_rc: dict[str, str]) -> str:
    lines = []
    for tool in tools:
        run = next((r for r in reversed(runs) if r.tool == tool and r.command), None)
        if run is None:
            continue
        lines.append(f"- {tool}:\n\n  ```sh\n  {shlex.join(run.command)}\n  ```\n")
        if tool in linkchecker_rc:
            body = linkchecker_rc[tool].strip().replace("\n", "\n  ")
            lines.append(f"  with the config file:\n\n  ```ini\n  {body}\n  ```\n")
    return "\n".join(lines)


def render(
    *,
    runs: list[Run],
    sizes: list[int],
    tools: list[str],
    sites: dict[int, dict[str, object]],
    versions: dict[str, str],
    server: str,
    invocation: str,
    load: tuple[tuple[float, ...], tuple[float, ...]],
    rounds: int,
    timeout: float,
    raw: Path,
    linkchecker_rc: dict[str, str],
    cpus: str = "",
    cores: int = 0,
) -> str:
    """RESULTS.md: every figure of one harness run, and what it takes to reproduce them."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = machine_info()
    ratios = ratio_table(runs, sizes)
    parts = [
        "# linkguard benchmark results\n",
        f"Written by `{invocation}` on {when}: one session, the tools run one after another "
        f"and round-robin for each size ({rounds} round{'s' if rounds != 1 else ''}; with "
        f"more, the run with the median wall time is shown), each killed after {timeout:g} s. "
        "External links are checked by none of the tools. Raw outputs were kept in "
        f"`{raw}` (not committed).\n",
        "linkguard's HTTP crawl ran with the site's policy (`--config <site>/linkguard.toml`: "
        "all rules on, the exit-notice conventions and third parties declared), as its users "
        "run it; the policy's origin is the live site's, so the 127.0.0.1 server was crawled "
        "as a mirror of it and pages are reported under the origin. The folder scan reads the "
        "same policy. Before the runs, the harness compiled the bytecode of the linkguard it "
        "runs, as `pip install` does (an editable install in a shell with "
        "PYTHONDONTWRITEBYTECODE set would otherwise compile it from source in every run).\n",
        _pinning(cpus, cores),
        "## Per tool\n",
        tool_table(runs, sizes, tools),
        "- **visited**: the site's HTML documents the tool fetched with status 200, counted "
        "from the web server's access log (the same measure for every tool; for the folder "
        "scan, the pages in its results). A run that visits fewer than all is marked *stopped "
        "early* and is never counted as a win; a run that is killed is marked *timed out*, "
        "and its pages/s is what it managed until then.\n"
        "- **reported**: what the tool's own output counts, as a cross-check: "
        "linkguard, pages in its results JSON; linkinator, site URLs answered 200 in its JSON "
        "(query strings ignored, so all interstitial URLs count once); LinkChecker, the "
        '"URLs checked" of its summary line (assets, interstitial URLs and the external '
        "URLs it only syntax-checks included).\n"
        "- **requests**: HTTP requests the server answered during the run. The peers are "
        "link checkers: they also request every first-party image, stylesheet and script; "
        "linkguard requests only what can be a page (links, frames and refreshes, so the "
        "interstitial URLs too), plus robots.txt and sitemap.xml.\n"
        "- **CPU s**: user + system time of the tool's process and every descendant, also "
        "those it left behind (a multiprocessing forkserver and its workers): the harness "
        "is the tree's subreaper and reaps them, so their CPU reaches its rusage. "
        "**RSS (largest process)**: the largest resident set of a single "
        "process of the tree, sampled every 0.1 s (not the kernel's ru_maxrss, which a "
        "process forked from the harness inherits from it); **RSS (process tree)**: peak of "
        "the summed RSS of the whole process "
        "tree, sampled every 0.1 s, which counts a page shared by several processes (a forked "
        "worker's interpreter) once in each; **PSS (process tree)**: peak of the summed "
        "proportional set size, sampled likewise, where a page shared by N processes counts "
        "1/N in each: the memory the tree really holds, and the figure the memory target is "
        "judged on. **open fds**: the most file descriptors (sockets, mostly) "
        "the tree held at once, sampled likewise. **server CPU s**: what the web server spent "
        "answering.\n",
    ]
    if ratios:
        parts += [
            "## linkguard against each peer\n",
            "Ratios, because the machine is shared and noisy: each is the peer's figure "
            "divided by linkguard's (HTTP crawl) on the same site in the same session, so "
            "above 1 means linkguard needs less.\n",
            ratios,
        ]
    parts += [
        "## Targets (issue 19; for tuning, not asserted by any test)\n",
        "The 0.5x and memory targets are judged on unpinned runs (as users run it), the "
        "one-core target on runs pinned to one CPU with `--cpus`, the 2-core targets on runs "
        "that had exactly two cores. A run that did not visit every page is never a win.\n",
        targets_table(runs),
        "## The sites\n",
        "Generated by `bench/gen_site.py` (deterministic: same pages and seed, same bytes). "
        "Every page is reachable from `/`, and every first-party URL answers 200.\n",
        site_table(sites),
        "## Machine and versions\n",
        "\n".join(f"- {k}: {v}" for k, v in machine.items()),
        f"- web server: {server or 'none (no HTTP tool ran)'}",
        f"- load average before / after: {' '.join(f'{x:.2f}' for x in load[0])} / "
        f"{' '.join(f'{x:.2f}' for x in load[1])}",
        *(f"- {k}: {v}" for k, v in versions.items()),
        "",
        "## Command lines\n",
        "As run for the last size (PORT and paths as on this machine).\n",
        _commands(runs, tools, linkchecker_rc),
    ]
    return "\n".join(parts).rstrip() + "\n"
