"""The benchmark's figures as Markdown: per-tool table, linkguard's ratios, targets, machine."""

from __future__ import annotations

import os
import platform
import resource
import shlex
from collections.abc import Iterable
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


def targets_table(runs: list[Run]) -> str:
    """The issue's targets, each with the measured value: information for tuning, not a gate."""

    def get(tool: str, size: int) -> Run | None:
        run = median_run(r for r in runs if r.size == size and r.tool == tool)
        return run if run is not None and run.status == OK else None

    rows = []

    def check(target: str, value: str | None, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("met" if met else "**not met**")
        rows.append(f"| {target} | {value or '-'} | {verdict} |")

    lg1, lg10 = get("linkguard", 1000), get("linkguard", 10000)
    lk1, lk10 = get("linkinator", 1000), get("linkinator", 10000)
    lcu10 = get("linkchecker-unthrottled", 10000)
    folder10 = get("linkguard-folder", 10000) or get("linkguard-folder", 1000)
    if lg1 and lk1:
        check("1,000 pages: no slower than linkinator", f"{lg1.wall:.1f} s vs {lk1.wall:.1f} s",
              lg1.wall <= lk1.wall)  # fmt: skip
    else:
        check("1,000 pages: no slower than linkinator", None, None)
    lk10_cut = median_run(r for r in runs if r.size == 10000 and r.tool == "linkinator")
    if lg10 and lk10:
        share = lg10.wall / lk10.wall
        check("10,000 pages: at most 1/4 of linkinator's wall time", f"{share:.2f} of it",
              share <= 0.25)  # fmt: skip
    elif lg10 and lk10_cut is not None and lk10_cut.status == "timed out":
        # linkinator was still working when killed: its wall time is at least this long, so
        # a share at most 1/4 is met; a bound above 1/4 tells nothing either way
        share = lg10.wall / lk10_cut.wall
        check("10,000 pages: at most 1/4 of linkinator's wall time",
              f"at most {share:.2f} of it (linkinator timed out after {lk10_cut.wall:.0f} s)",
              True if share <= 0.25 else None)  # fmt: skip
    else:
        check("10,000 pages: at most 1/4 of linkinator's wall time", None, None)
    if lg10 and lcu10:
        speedup = lcu10.wall / lg10.wall
        check("10,000 pages: >= 5x faster than LinkChecker unthrottled", f"{speedup:.1f}x",
              speedup >= 5)  # fmt: skip
    else:
        check("10,000 pages: >= 5x faster than LinkChecker unthrottled", None, None)
    if lg1 and lg10:
        growth = (lg10.wall / lg10.expected) / (lg1.wall / lg1.expected)
        check("time per page at 10,000 within 1.25x of that at 1,000", f"{growth:.2f}x",
              growth <= 1.25)  # fmt: skip
    else:
        check("time per page at 10,000 within 1.25x of that at 1,000", None, None)
    if folder10:
        per_core = folder10.visited / folder10.cpu if folder10.cpu else 0.0
        check(f"folder scan ({folder10.size:,} pages) >= 200 pages/s per core",
              f"{per_core:.0f} pages per CPU-second", per_core >= 200)  # fmt: skip
    else:
        check("folder scan >= 200 pages/s per core", None, None)
    for tool in ("linkguard", "linkguard-folder"):
        run = get(tool, 10000)
        label = f"{tool}: peak memory < 300 MB at 10,000 pages"
        if run:
            measured = f"{run.tree_pss_mb:.0f} MB PSS ({run.tree_rss_mb:.0f} MB summed RSS)"
            check(label, measured, run.tree_pss_mb < 300)
        else:
            check(label, None, None)
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
        "## Targets (issue 6; for tuning, not asserted by any test)\n",
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
