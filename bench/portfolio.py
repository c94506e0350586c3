"""Benchmark ``linkguard portfolio run``: the local process pool against Celery with one and
with two workers, on the same machine and the same sites.

    python bench/portfolio.py [--sites 20] [--pages 500] [--jobs 2]

The sites are ``gen_site.py``'s (seed = site number, each its own origin), scanned as build
folders, so the figures are linkguard's own work and not a web server's. Celery runs on a
private Debian redis-server on a free 127.0.0.1 port, with ``linkguard worker
--concurrency 1`` processes started here. For each mode: wall time, throughput (pages per
second), the CPU the workers used (with the processes they reaped), that CPU per site task,
and the peak memory of each worker (the worker's process tree, PSS sampled ten times a
second; for the local pool, its largest process). Every mode's results must be the same
files apart from timestamps, or the run says so. The table goes to
bench/RESULTS-PORTFOLIO.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import browser_site, gen_site
from bench.measure import _sample, _tree, run_measured
from bench.report import machine_info
from bench.servers import free_port

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "portfolio"
LINKGUARD = Path(sys.executable).parent / "linkguard"


def make_sites(sites: int, pages: int) -> tuple[Path, int]:
    """The sites and their portfolio.toml (generated once); the HTML pages they hold."""
    root = WORK / f"sites-{sites}x{pages}"
    entries, total = [], 0
    for n in range(1, sites + 1):
        folder = root / f"site-{n:02d}"
        manifest = folder / "manifest.json"
        if not manifest.is_file():
            gen_site.generate(
                folder, pages, seed=n, origin=f"https://www.example-watch-{n:02d}.com"
            )
        total += int(json.loads(manifest.read_text())["pages"])
        entries.append(
            f'[[site]]\nname = "site-{n:02d}"\ntarget = "site-{n:02d}"\n'
            f'config = "site-{n:02d}/linkguard.toml"\ntags = ["bench"]\n'
        )
    (root / "portfolio.toml").write_text("\n".join(entries), encoding="utf-8")
    return root / "portfolio.toml", total


def make_browser_sites(sites: int, pages: int, served: browser_site.Served) -> Path:
    """``sites`` portfolio entries in browser mode, all the served site (so every mode
    visits the same pages): each one browser (``concurrency = 1``), a dwell of 1 s."""
    root = WORK / f"browser-{sites}x{pages}"
    root.mkdir(parents=True, exist_ok=True)
    switches = ", ".join(json.dumps(s) for s in served.switches)
    (root / "linkguard.toml").write_text(
        f"[browser]\npages = {pages}\nconcurrency = 1\ndwell = 1.0\nargs = [{switches}]\n",
        encoding="utf-8",
    )
    entries = [
        f'[[site]]\nname = "site-{n:02d}"\ntarget = "{served.url}"\n'
        f'config = "linkguard.toml"\nbrowser = true\n'
        for n in range(1, sites + 1)
    ]
    (root / "portfolio.toml").write_text("\n".join(entries), encoding="utf-8")
    return root / "portfolio.toml"


class Sampler:
    """Peak PSS and RSS of each worker's process tree, ten times a second."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak_pss = dict.fromkeys(pids, 0)
        self.peak_largest = dict.fromkeys(pids, 0)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(0.1):
            for pid in self.pids:
                _, pss, _, largest = _sample(_tree(pid))
                self.peak_pss[pid] = max(self.peak_pss[pid], pss)
                self.peak_largest[pid] = max(self.peak_largest[pid], largest)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _cpu_with_reaped(pid: int) -> float:
    """CPU seconds of ``pid`` and its live descendants, each with the children it has reaped
    (a worker replaces its processes; a task's browser ends with the task)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # its own CPU and that of the children it has waited for (Playwright's driver and
        # its Chromium end with each task: their CPU sits in the task process's cutime)
        total += sum(int(f) for f in fields[11:15])
    return total / ticks


def start_redis() -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    time.sleep(1.0)
    return server, f"redis://127.0.0.1:{port}/0"


def start_workers(broker: str, count: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    procs = []
    for i in range(count):
        log = logs / f"worker-{count}-{i}.log"
        proc = subprocess.Popen(
            [str(LINKGUARD), "worker", "--broker", broker, "--concurrency", "1",
             "--name", f"bench{i}@%h", "--max-tasks-per-child", "1000"],
            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while b"ready." not in log.read_bytes():
            if time.monotonic() > deadline:
                raise SystemExit(f"worker {i} did not start: see {log}")
            time.sleep(0.2)
        procs.append(proc)
    return procs


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_mode(
    mode: str, portfolio: Path, jobs: int, broker: str | None, extra: list[str]
) -> dict[str, object]:
    out = WORK / "out" / mode
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    argv = [str(LINKGUARD), "portfolio", "run", str(portfolio), "-o", str(out), "-q", *extra]
    workers: list[subprocess.Popen[bytes]] = []
    sampler = None
    if broker is None:
        argv += ["--jobs", str(jobs)]
    else:
        argv += ["--broker", broker]
        workers = start_workers(broker, {"celery-1": 1, "celery-2": 2}[mode], WORK)
        sampler = Sampler([w.pid for w in workers])
    idle = [_cpu_with_reaped(w.pid) for w in workers]  # starting up is not the run's work
    try:
        measured = run_measured(
            argv, cwd=WORK, stdout=WORK / f"{mode}.out", stderr=WORK / f"{mode}.err", timeout=3600
        )
        worker_cpu = [_cpu_with_reaped(w.pid) - i for w, i in zip(workers, idle, strict=True)]
    finally:
        if sampler is not None:
            sampler.stop()
        stop(workers)
    row: dict[str, object] = {
        "mode": mode,
        "exit": measured.exit_code,
        "wall": measured.wall,
        "coordinator_cpu": measured.cpu if broker else 0.0,
        "cpu": sum(worker_cpu) if broker else measured.cpu,
        "coordinator_pss": measured.tree_pss_mb if broker else 0.0,
    }
    if sampler is not None:
        row["worker_pss"] = [sampler.peak_pss[p] / 1024 for p in sampler.pids]
        row["worker_largest"] = [sampler.peak_largest[p] / 1024 for p in sampler.pids]
    else:
        row["worker_pss"] = [measured.tree_pss_mb]
        row["worker_largest"] = [measured.maxrss_mb]
    return row


def _untimed(path: Path) -> str:
    return re.sub(r'"(started|finished)": "[^"]*"', "", path.read_text(encoding="utf-8"))


def differing(modes: list[str], sites: int) -> list[str]:
    """The results files (``mode/site``) that differ from the first mode's, timestamps aside."""
    first = WORK / "out" / modes[0]
    found = []
    for mode in modes[1:]:
        for n in range(1, sites + 1):
            rel = Path("sites") / f"site-{n:02d}" / "results.json"
            if _untimed(first / rel) != _untimed(WORK / "out" / mode / rel):
                found.append(f"{mode}/site-{n:02d}")
    return found


def render(
    rows: list[dict[str, object]],
    sites: int,
    total: int,
    differ: list[str],
    command: str,
    what: str,
) -> str:
    lines = [
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d}: {what}. All on one machine, which is "
        "shared with other engineers' builds and tests and was loaded while this ran: read "
        "the ratios, not the seconds.",
        "",
        "| | " + " | ".join(f"{k}: {v}" for k, v in machine_info().items()) + " |",
        "",
        "| mode | exit | wall s | pages/s | worker CPU s | CPU s per site "
        "| peak PSS per worker MB | largest process MB |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        wall, cpu = float(row["wall"]), float(row["cpu"])  # type: ignore[arg-type]
        pss = ", ".join(f"{v:.0f}" for v in row["worker_pss"])  # type: ignore[attr-defined]
        big = ", ".join(f"{v:.0f}" for v in row["worker_largest"])  # type: ignore[attr-defined]
        lines.append(
            f"| {row['mode']} | {row['exit']} | {wall:.1f} | {total / wall:.1f} | {cpu:.1f} | "
            f"{cpu / sites:.2f} | {pss} | {big} |"
        )
    lines += [
        "",
        "Results identical across modes (apart from timestamps): "
        + ("yes." if not differ else f"NO: {', '.join(differ)} (kept in bench/.work)."),
        "`local-N`: `portfolio run --jobs N` (its PSS is the whole run: coordinator and pool); "
        "`celery-N`: N `linkguard worker --concurrency 1` processes on the same machine, the "
        "CPU is theirs (the coordinator waits on Redis and used the CPU shown below).",
        "",
    ]
    for row in rows:
        if str(row["mode"]).startswith("celery"):
            lines.append(
                f"- {row['mode']}: coordinator CPU {float(row['coordinator_cpu']):.1f} s, "  # type: ignore[arg-type]
                f"peak PSS {float(row['coordinator_pss']):.0f} MB"  # type: ignore[arg-type]
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--modes", default="local-1,local-2,celery-1,celery-2")
    parser.add_argument(
        "--browser", action="store_true", help="browser mode (the section it writes is its own)"
    )
    parser.add_argument("--batch-pages", type=int, default=10)
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS-PORTFOLIO.md")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    modes = args.modes.split(",")
    command = "python bench/portfolio.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    with contextlib.ExitStack() as stack:
        if args.browser:
            served = stack.enter_context(browser_site.serve(args.pages, WORK))
            portfolio = make_browser_sites(args.sites, args.pages, served)
            total = args.sites * args.pages
            extra = ["--batch-pages", str(args.batch_pages)]
            what = (
                f"{args.sites} browser-mode sites of {args.pages} pages ({total:,} visits, "
                f"one Chromium per task, 1 s dwell, `--batch-pages {args.batch_pages}`; "
                "`bench/browser_site.py`'s site and third parties on 127.0.0.1)"
            )
        else:
            portfolio, total = make_sites(args.sites, args.pages)
            extra = []
            what = (
                f"{args.sites} sites of {args.pages} generated pages each ({total:,} HTML "
                f"pages; `bench/gen_site.py`, seeds 1-{args.sites}), scanned as build folders"
            )
        rows = []
        redis, broker = start_redis() if any(m.startswith("celery") for m in modes) else (None, "")
        try:
            for mode in modes:
                jobs = int(mode.split("-")[1]) if mode.startswith("local") else args.jobs
                celery = mode.startswith("celery")
                row = run_mode(mode, portfolio, jobs, broker if celery else None, extra)
                print(json.dumps(row), flush=True)
                rows.append(row)
        finally:
            if redis is not None:
                redis.terminate()
                redis.wait()
        differ = differing(modes, args.sites)
    title = "## Browser mode" if args.browser else "## Static (build folders)"
    section = f"{title}\n\n" + render(rows, args.sites, total, differ, command.strip(), what)
    write_section(args.results, title, section)
    print(f"wrote {args.results}")
    return 0 if not differ else 1


def write_section(path: Path, title: str, section: str) -> None:
    """Put ``section`` in ``path`` in place of the one with the same ``title``, or else
    before the hand-written ``## Scaling`` section (or at the end)."""
    text = (
        path.read_text(encoding="utf-8")
        if path.exists()
        else ("# linkguard portfolio: local pool vs Celery workers\n\n")
    )
    parts = re.split(r"(?m)^(?=## )", text)
    block = section.rstrip("\n") + "\n\n"
    titles = [part.split("\n", 1)[0] for part in parts]
    if title in titles:
        parts[titles.index(title)] = block
    elif "## Scaling" in titles:
        parts.insert(titles.index("## Scaling"), block)
    else:
        parts.append(block)
    path.write_text("".join(parts).rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
