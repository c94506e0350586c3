"""Benchmark linkguard's browser mode against The Markup's Blacklight collector.

    python bench/browser.py --pages 30 [--concurrency 4 8]

Both drive Debian's Chromium over the same generated site and its third parties, served on
127.0.0.1 (``browser_site.py``), one after the other: ``linkguard scan URL --browser``
(crawl, then visits, defaults: ``concurrency = 4``, ``dwell = 3.0``) and the collector
(``@themarkup/blacklight-collector``, installed from npm into bench/.work/blacklight with
Puppeteer's own browser download skipped, asked for the home page and the other pages). Each
run's wall time, CPU time and peak memory come from ``measure.py``; the pages each browser
loaded and the requests it made are counted from the server's log (Chromium's User-Agent),
the same way for both; what each tool reports (third-party hosts, cookies) from its output.
The table is written to bench/RESULTS-BROWSER.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import browser_site
from bench.measure import run_measured
from bench.report import machine_info

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "browser"
BLACKLIGHT = BENCH / ".work" / "blacklight"
COLLECTOR = "@themarkup/blacklight-collector@3.11.0"
RUNNER = """const { collect } = require('@themarkup/blacklight-collector');
const fs = require('fs');
(async () => {
  const [url, pages, outDir, result, chromium, ...switches] = process.argv.slice(2);
  const report = await collect(url, {
    numPages: Number(pages), puppeteerExecutablePath: chromium, headless: true, outDir,
    captureHar: true, saveScreenshots: false, quiet: true,
    extraChromiumArgs: ['--disable-features=TrackingProtection3pcd', ...switches],
  });
  fs.writeFileSync(result, JSON.stringify(report));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def install_blacklight() -> Path:
    """The collector's runner script, installing the collector from npm on first use."""
    runner = BLACKLIGHT / "run.js"
    if not (BLACKLIGHT / "node_modules" / "@themarkup" / "blacklight-collector").is_dir():
        BLACKLIGHT.mkdir(parents=True, exist_ok=True)
        (BLACKLIGHT / "package.json").write_text('{"name": "bl-bench", "private": true}\n')
        env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", COLLECTOR],
                       cwd=BLACKLIGHT, env=env, check=True)  # fmt: skip
    runner.write_text(RUNNER)
    return runner


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("bench: the browser benchmark needs Chromium (apt-get install chromium)")
    return found


def run_linkguard(
    served: browser_site.Served, pages: int, out: Path, concurrency: int | None
) -> dict[str, Any]:
    policy = out / "linkguard.toml"
    switches = ", ".join(json.dumps(s) for s in served.switches)
    extra = f"concurrency = {concurrency}\n" if concurrency else ""
    policy.write_text(f"[browser]\npages = {pages}\n{extra}args = [{switches}]\n")
    results = out / "results.json"
    argv = [str(BENCH.parent / ".venv" / "bin" / "linkguard"), "scan", served.url, "--browser",
            "-c", str(policy), "-o", str(results), "-q"]  # fmt: skip
    if not Path(argv[0]).exists():
        argv[0] = shutil.which("linkguard") or "linkguard"
    cost = run_measured(argv, cwd=out, stdout=out / "stdout", stderr=out / "stderr",
                        timeout=1800)  # fmt: skip
    data = json.loads(results.read_text()) if results.exists() else {}
    hosts = {t["host"] for t in data.get("third_parties", ()) if "browser" in t.get("seen", ())}
    cookies = {(c["name"], c["domain"].lstrip(".")) for c in data.get("cookies", ())}
    requests = data.get("summary", {}).get("browser_requests")
    return {"argv": argv, "cost": cost, "hosts": hosts, "cookies": cookies, "requests": requests}


def run_blacklight(
    served: browser_site.Served, pages: int, out: Path, runner: Path
) -> dict[str, Any]:
    result = out / "inspection.json"
    argv = ["node", str(runner), served.url, str(pages - 1), str(out / "bl"), str(result),
            _chromium(), *served.switches]  # fmt: skip
    cost = run_measured(argv, cwd=BLACKLIGHT, stdout=out / "stdout", stderr=out / "stderr",
                        timeout=1800)  # fmt: skip
    data = json.loads(result.read_text()) if result.exists() else {}
    hosts = set(data.get("hosts", {}).get("requests", {}).get("third_party", ()))
    cookies = {(c["name"], (c.get("domain") or "127.0.0.1").lstrip("."))
               for c in data.get("reports", {}).get("cookies", ())}  # fmt: skip
    har = out / "bl" / "requests.har"
    entries = len(json.loads(har.read_text())["log"]["entries"]) if har.exists() else None
    return {"argv": argv, "cost": cost, "hosts": hosts, "cookies": cookies, "requests": entries}


def measure(
    tool: str, served: browser_site.Served, pages: int, runner: Path, concurrency: int | None
) -> dict[str, Any]:
    out = WORK / f"{tool}-{concurrency or 'default'}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    out.mkdir(parents=True)
    mark = len(served.log.since(0))
    run = (run_linkguard(served, pages, out, concurrency) if tool == "linkguard"
           else run_blacklight(served, pages, out, runner))  # fmt: skip
    # the browser's requests: all but those of linkguard's crawler (the collector's browser
    # says it is an iPhone's Safari, so Chromium's own User-Agent cannot tell them)
    seen = [(h, p) for h, p, agent in served.log.since(mark) if "linkguard" not in agent]
    run["visited"] = len({p for h, p in seen if h == "127.0.0.1" and p.endswith((".html", "/"))})
    run["browser_requests"] = len(seen)
    return run


def render(runs: dict[str, dict[str, Any]], pages: int, command: str, load: tuple[str, str]) -> str:
    rows = []
    for tool, run in runs.items():
        cost = run["cost"]
        per_minute = run["visited"] / cost.wall * 60 if cost.wall else 0.0
        reported = "-" if run["requests"] is None else f"{run['requests']:,}"
        rows.append(
            f"| {tool} | {run['visited']}/{pages} | {cost.wall:.1f} | {per_minute:.1f} | "
            f"{cost.cpu:.1f} | {cost.tree_pss_mb:.0f} | {run['browser_requests']:,} | "
            f"{reported} | {len(run['hosts'])} | {len(run['cookies'])} |"
        )
    lg, bl = runs["linkguard"], runs["blacklight"]

    def speed(run: dict[str, Any]) -> float:
        return (run["visited"] / run["cost"].wall) / (bl["visited"] / bl["cost"].wall)

    here = str(BENCH.parent) + "/"
    commands = [
        f"- {tool}: `{shlex.join(map(str, run['argv']))}`".replace(here, "./")
        for tool, run in runs.items()
    ]
    ratios = [
        f"- {tool}: {speed(run):.1f} times the collector's pages per minute, "
        f"{run['cost'].tree_pss_mb / bl['cost'].tree_pss_mb:.1f} times its memory."
        for tool, run in runs.items()
        if tool != "blacklight"
    ]
    machine = "; ".join(f"{k}: {v}" for k, v in machine_info().items())
    return "\n".join([
        "# Browser mode against the Blacklight collector",
        "",
        f"Written by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine}.",
        "",
        "| tool | pages loaded by the browser | wall s | pages/min | CPU s | PSS MB (tree, peak) "
        "| requests the browser made | requests reported | third-party hosts reported "
        "| cookies reported |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"At its defaults, linkguard loaded pages {speed(lg):.1f} times as fast as the "
        f"collector ({'meets' if speed(lg) >= 3 else 'misses'} the 3x target).",
        "",
        *ratios,
        "",
        "- Third-party hosts: linkguard " + ", ".join(sorted(lg["hosts"])) + "; Blacklight "
        + ", ".join(sorted(bl["hosts"])) + ".",
        "- Cookies: linkguard " + ", ".join(f"{n}@{d}" for n, d in sorted(lg["cookies"]))
        + "; Blacklight " + ", ".join(f"{n}@{d}" for n, d in sorted(bl["cookies"])) + ".",
        "- **pages loaded** and **requests the browser made** are counted from the server's log, "
        "the same way for both tools; linkguard's crawl (its own User-Agent) is not counted "
        "there, its time is. **requests reported**: the "
        "collector's HAR entries; linkguard's `summary.browser_requests` (each page's own "
        "document left out). The collector also scrolls, fills forms and waits for "
        "`networkidle2` on each page, in one browser; linkguard visits each page as a "
        "first-time visitor (a browser wiped between visits), `concurrency = 4` at a time (the "
        "defaults), for a `dwell` of up to 3 s that ends once no request has been in flight "
        "for 1 s.",
        "- A `linkguard (concurrency 4)` row is the defaults again, run after the collector: "
        "with the first row it brackets the collector's run, as the machine's load changes.",
        f"- The machine is shared with other work and was loaded: load average {load[0]} at "
        f"the start of the run, {load[1]} at its end (on {os.cpu_count()} cores). Absolute "
        "times vary with that load; the ratios compare runs made one after the other in the "
        "same run of this script.",
        "",
        "Commands:",
        "",
        *commands,
        "",
    ])  # fmt: skip


def _load() -> str:
    """The 1, 5 and 15 minute load averages, as uptime prints them."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[],
                        help="also run linkguard with these concurrency values")  # fmt: skip
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    runner = install_blacklight()
    runs: dict[str, dict[str, Any]] = {}
    plan = [("linkguard", None), ("blacklight", None)]
    plan += [("linkguard", c) for c in args.concurrency]
    start_load = _load()
    with browser_site.serve(args.pages, WORK) as served:
        for tool, concurrency in plan:
            name = f"{tool} (concurrency {concurrency})" if concurrency else tool
            started = time.perf_counter()
            runs[name] = measure(tool, served, args.pages, runner, concurrency)
            print(f"bench: {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    command = "python bench/browser.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    text = render(runs, args.pages, command.strip(), (start_load, _load()))
    (BENCH / "RESULTS-BROWSER.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
