"""Benchmark linkguard against LinkChecker and linkinator on a generated site served locally.

    python bench/run.py --pages 1000 10000 [--tools linkguard,linkinator,...] [--rounds 1]
                        [--cpus 0]

For each size it generates (or reuses) a deterministic site, serves it from nginx on
127.0.0.1 (a threaded Python server when nginx cannot be had), runs the tools one after
another, round-robin, and measures each run's wall time, CPU time and peak memory. A run
that visits fewer than all of the site's HTML pages is reported as stopped early, never as a
win. The figures are printed and written to bench/RESULTS.md with the machine, the versions
and the exact command lines. Peers are installed into bench/.work on first use.

With ``--cpus LIST`` (``0``, ``0,1``, ``0-3``: taskset's syntax) every tool's command runs
under ``taskset -c LIST``, so the tool and every process it starts share those CPUs; the web
server is not pinned. Each run records the CPUs and how many cores it had.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import signal
import sys
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import gen_site, report, servers, tools
from bench.measure import run_measured

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
ALL_TOOLS = (
    "linkguard",
    "linkinator",
    "linkchecker",
    "linkchecker-unthrottled",
    "linkguard-folder",
)


def ensure_site(pages: int, seed: int) -> tuple[Path, dict[str, object]]:
    """The generated site for ``pages`` and ``seed``, regenerated when gen_site.py changed."""
    site = BENCH / f"site-{pages}-s{seed}"
    stamp_file = WORK / f"{site.name}.stamp"
    stamp = hashlib.sha256(Path(gen_site.__file__).read_bytes()).hexdigest()
    manifest_file = site / "manifest.json"
    if manifest_file.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return site, json.loads(manifest_file.read_text())
    print(f"bench: generating {pages:,} pages into {site} ...", file=sys.stderr)
    if site.exists():
        _remove_tree(site)
    started = time.perf_counter()
    manifest = gen_site.generate(site, pages, seed)
    print(f"bench: generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    WORK.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(stamp)
    return site, manifest


def _remove_tree(path: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames:
            os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            os.rmdir(os.path.join(dirpath, name))
    path.rmdir()


def warm_cache(site: Path) -> None:
    """Read every file once, so no tool pays for the first cold read from disk."""
    for dirpath, _dirs, files in os.walk(site):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as handle:
                while handle.read(1 << 20):
                    pass


def run_one(
    tool: tools.Tool,
    ctx: tools.Context,
    size: int,
    server: servers.Server | None,
    expected: set[str],
    run_round: int,
    timeout: float,
    stall: float,
    cpus: str = "",
    cores: int = 0,
) -> report.Run:
    stem = ctx.out.with_suffix("")
    stdout = ctx.out if tool.writes_stdout else stem.with_suffix(".stdout")
    stderr = stem.with_suffix(".stderr")
    argv = tools.pinned(tool.command(ctx), cpus)
    cwd = WORK / "cwd"  # empty: no tool finds a config file of its own here
    cwd.mkdir(parents=True, exist_ok=True)
    offset = server.log_size() if server and tool.http else 0
    server_cpu = server.cpu() if server and tool.http else 0.0
    watched = server.log_size if server and tool.http else None
    cost = run_measured(
        argv, cwd=cwd, stdout=stdout, stderr=stderr, timeout=timeout, progress=watched,
        stall=stall,
    )  # fmt: skip
    run = report.Run(
        tool.name, size, len(expected), run_round, report.OK, wall=cost.wall, cpu=cost.cpu,
        maxrss_mb=cost.maxrss_mb, tree_rss_mb=cost.tree_rss_mb, tree_pss_mb=cost.tree_pss_mb,
        peak_fds=cost.peak_fds,
        exit_code=cost.exit_code, command=argv, cpus=cpus, cores=cores,
    )  # fmt: skip
    text = ctx.out.read_text(errors="replace") if ctx.out.exists() else ""
    try:
        run.reported = tool.reported(text, ctx.url)
    except (ValueError, KeyError, TypeError):
        run.reported = None
    if server and tool.http:
        time.sleep(0.2)  # the server logs a request just after answering it
        run.server_cpu = server.cpu() - server_cpu
        paths, run.requests = tools.access_log_paths(server.log_since(offset))
        run.visited = len(paths & expected)
    else:
        try:
            run.visited = len(tools.linkguard_page_paths(text) & expected)
        except (ValueError, KeyError, TypeError):
            run.visited = 0
    return _judge(run, tool, cost.killed, stderr, timeout, stall)


def _judge(
    run: report.Run, tool: tools.Tool, killed: str | None, stderr: Path, timeout: float,
    stall: float,
) -> report.Run:  # fmt: skip
    if killed == "timed out":
        return replace(run, status="timed out", note=f"killed after {timeout:g} s")
    if killed == "stalled":
        return replace(run, status="stalled", note=f"idle, no request for {stall:g} s, killed")
    if run.exit_code not in tool.ok_exits:
        lines = stderr.read_text(errors="replace").strip().splitlines() if stderr.exists() else []
        last = lines[-1][:160] if lines else "no message"
        return replace(run, status="failed", note=f"exit {run.exit_code}: {last}")
    if run.visited < run.expected:
        return replace(run, status="stopped early")
    return run


def versions(available: dict[str, tools.Tool], linkguard: list[str]) -> dict[str, str]:
    """Each tool's version line (and Node's, and linkguard's git commit)."""
    found = {"linkguard": tools.version_of([*linkguard, "--version"])}
    commit = tools.version_of(["git", "-C", str(REPO), "describe", "--always", "--dirty"])
    found["linkguard"] += f" (git {commit})"
    for name, tool in available.items():
        if not name.startswith("linkguard"):
            found.setdefault(
                name.removesuffix("-unthrottled"), tools.version_of(list(tool.version_argv))
            )
    if "linkinator" in available:
        found["node"] = tools.version_of([available["linkinator"].version_argv[0], "--version"])
    return found


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--tools", default=",".join(ALL_TOOLS),
                        help=f"comma-separated, from {', '.join(ALL_TOOLS)}")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per run")
    parser.add_argument(
        "--stall", type=float, default=120, help="kill an HTTP tool after this many seconds "
        "in which the server saw no request and the tool sat idle (0: never)",
    )  # fmt: skip
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install nginx")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument(
        "--cpus", default="", metavar="LIST", help="run every tool under `taskset -c LIST` "
        "(e.g. 0, or 0,1); the web server is not pinned. Default: no pinning",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.cpus:
        try:
            cpus = tools.cpu_list(args.cpus)
        except ValueError as exc:
            parser.error(f"--cpus: {exc}")
        allowed = os.sched_getaffinity(0)
        outside = [cpu for cpu in cpus if cpu not in allowed]
        if outside:
            parser.error(f"--cpus: CPU {outside[0]} is not one this process may run on "
                         f"({', '.join(map(str, sorted(allowed)))})")  # fmt: skip
        if not shutil.which("taskset"):
            parser.error("--cpus needs taskset (apt-get install util-linux)")
        args.cpus = ",".join(map(str, cpus))
    args.cores = len(tools.cpu_list(args.cpus)) if args.cpus else len(os.sched_getaffinity(0))
    wanted = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(wanted) - set(ALL_TOOLS))
    if unknown:
        parser.error(f"unknown tools: {', '.join(unknown)}")
    args.tools = wanted
    return args


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so the running tool and the server are stopped on the way out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    WORK.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = WORK / "runs" / stamp
    run_dir.mkdir(parents=True)
    available, missing = tools.build_tools(REPO, WORK, set(args.tools))
    linkguard = tools.linkguard_argv(REPO)
    compiled = tools.compile_bytecode(linkguard)  # as an ordinary install has it
    print(f"bench: linkguard's bytecode compiled in {compiled}", file=sys.stderr)
    found_versions = versions(available, linkguard)
    load_before = os.getloadavg()
    runs: list[report.Run] = []
    sites: dict[int, dict[str, object]] = {}
    server_used = ""
    for size in args.pages:
        site, manifest = ensure_site(size, args.seed)
        sites[size] = manifest
        expected = gen_site.html_page_paths(site)
        warm_cache(site)
        server = None
        if any(available.get(t) and available[t].http for t in args.tools):
            server = servers.start_server(site, WORK / f"server-{size}", args.server,
                                          not args.no_install)  # fmt: skip
            server_used = f"{server.kind}: {server.description}"
        try:
            for run_round in range(args.rounds):
                shift = run_round % len(args.tools)
                for name in args.tools[shift:] + args.tools[:shift]:
                    if name not in available:
                        if run_round == 0:
                            runs.append(report.Run(name, size, len(expected), 0, "unavailable",
                                                   note=missing.get(name, ""), cpus=args.cpus,
                                                   cores=args.cores))  # fmt: skip
                        continue
                    tool = available[name]
                    suffix = "txt" if name.startswith("linkchecker") else "json"
                    out = run_dir / f"{name}-{size}-r{run_round}.{suffix}"
                    url = server.url if server and tool.http else ""
                    ctx = tools.Context(site, url, out, len(expected), WORK)
                    run = run_one(
                        tool, ctx, size, server, expected, run_round, args.timeout, args.stall,
                        args.cpus, args.cores,
                    )  # fmt: skip
                    runs.append(run)
                    _progress(run)
        finally:
            if server:
                server.stop()
    load_after = os.getloadavg()
    (run_dir / "runs.json").write_text(json.dumps([asdict(r) for r in runs], indent=1))
    text = report.render(
        runs=runs, sizes=args.pages, tools=args.tools, sites=sites, versions=found_versions,
        server=server_used, invocation=_invocation(argv), load=(load_before, load_after),
        rounds=args.rounds, timeout=args.timeout, raw=run_dir.relative_to(REPO),
        cpus=args.cpus, cores=args.cores,
        linkchecker_rc={"linkchecker": tools.LINKCHECKER_SHIPPED_RC,
                        "linkchecker-unthrottled": tools.LINKCHECKER_UNTHROTTLED_RC},
    )  # fmt: skip
    print(text)
    args.results.write_text(text)
    print(f"bench: wrote {args.results}; raw outputs in {run_dir}", file=sys.stderr)
    return 0


def _invocation(argv: list[str] | None) -> str:
    given = sys.argv[1:] if argv is None else argv
    return shlex.join(["python", "bench/run.py", *given])


def _progress(run: report.Run) -> None:
    where = f" (pinned to CPUs {run.cpus})" if run.cpus else ""
    print(
        f"bench: {run.size:,} pages, {run.tool}{where}: {run.status} {run.note}".rstrip()
        + f", {run.visited:,}/{run.expected:,} pages, {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, "
        f"{run.tree_pss_mb:.0f} MB PSS ({run.tree_rss_mb:.0f} MB summed RSS)",
        file=sys.stderr,
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
