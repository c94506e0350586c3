"""What the history store costs: recording a run, listing runs, loading one back, and the
file's size per run, for a saved results JSON (a scan of ``bench/gen_site.py``'s site).

    python -m bench.gen_site --pages 1000 --out /tmp/site1k
    linkguard scan /tmp/site1k -q -o /tmp/r1k.json --fail-on never
    python -m bench.history /tmp/r1k.json --runs 10
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from linkguard.history import list_runs, load_run, record
from linkguard.results import from_json


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    text = args.results.read_text(encoding="utf-8")
    result = from_json(text)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "history.sqlite"
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            record(store, result)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        listed = list_runs(store)
        listing = time.perf_counter() - start
        start = time.perf_counter()
        load_run(store, len(listed))
        loading = time.perf_counter() - start
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
    findings = len(result.findings) + len(result.suppressed)
    print(
        f"| results | {len(result.pages):,} pages, {findings:,} findings, "
        f"{len(result.third_parties):,} third-party hosts, JSON {len(text) / 1e6:.1f} MB |"
    )
    print(f"| record a run (median of {args.runs}) | {sorted(times)[len(times) // 2]:.3f} s |")
    print(f"| list {len(listed)} runs | {listing:.3f} s |")
    print(f"| load one run back (history show) | {loading:.3f} s |")
    print(f"| store size | {size / 1e6:.1f} MB, {size / args.runs / 1e6:.2f} MB a run |")


if __name__ == "__main__":
    main()
