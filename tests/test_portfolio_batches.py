"""A browser-mode site split into page batches (``--batch-pages``): a walk task, one visit
task per batch, folded into the site's results exactly as one ``linkguard scan --browser``
gives them (apart from the run's timestamps), on the local pool and on Celery workers.

Needs Chromium and Playwright, and skips saying so without them (as tests/test_browser.py);
the Celery case also needs redis-server (tests/test_portfolio_celery.py's fixtures).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_site import BrowserSite, browser_site, make_certificate
from test_browser import _policy, needs_browser
from test_portfolio import write_portfolio
from test_portfolio_celery import REDIS, Workers, redis_url, workers  # noqa: F401 (fixtures)

from linkguard.portfolio import LocalPool, Site, run_portfolio

pytestmark = [pytest.mark.slow, needs_browser]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserSite]:
    with browser_site(make_certificate(tmp_path_factory.mktemp("tls"))) as served:
        yield served


@pytest.fixture(scope="module")
def single(site: BrowserSite, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The policy, and the results of one uninterrupted ``scan --browser`` of the site."""
    folder = tmp_path_factory.mktemp("single")
    policy = _policy(folder, site)
    out = folder / "results.json"
    exe = Path(sys.executable).parent / "linkguard"
    done = subprocess.run(
        [str(exe), "scan", site.url, "--browser", "--config", str(policy), "-o", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    return policy, _untimed(out.read_text(encoding="utf-8"))


def _untimed(text: str) -> str:
    return re.sub(r'"(started|finished)": "[^"]*"', '"\\1": ""', text)


def _portfolio(folder: Path, site: BrowserSite, policy: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_portfolio(
        folder, [{"name": "site", "target": site.url, "config": str(policy), "browser": True}]
    )


def test_batches_on_the_local_pool_fold_into_the_results_of_one_run(
    site: BrowserSite, single: tuple[Path, str], tmp_path: Path
) -> None:
    policy, expected = single
    portfolio = _portfolio(tmp_path, site, policy)
    exe = Path(sys.executable).parent / "linkguard"
    out = tmp_path / "out"
    done = subprocess.run(
        [str(exe), "portfolio", "run", str(portfolio), "-o", str(out), "--batch-pages", "1",
         "--jobs", "2"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    results = (out / "sites" / "site" / "results.json").read_text(encoding="utf-8")
    assert _untimed(results) == expected
    assert json.loads(results)["summary"]["browser_pages"] == 2  # two batches of one page


def test_the_walk_and_each_batch_are_separate_jobs(
    site: BrowserSite, single: tuple[Path, str], tmp_path: Path
) -> None:
    policy, _ = single
    jobs: list[tuple[str, int]] = []

    class Counting(LocalPool):
        def submit(self, job: str, *args: object) -> object:  # type: ignore[override]
            jobs.append((job, len(args[1]) if job == "visit_batch" else 0))  # type: ignore[arg-type]
            return super().submit(job, *args)

    pool = Counting(2)
    try:
        (outcome,) = run_portfolio(
            [Site(name="site", target=site.url, config=str(policy), browser=True)],
            pool,
            batch_pages=1,
        )
    finally:
        pool.close()
    assert outcome.result is not None
    assert jobs == [("walk_site", 0), ("visit_batch", 1), ("visit_batch", 1)]


@pytest.mark.skipif(REDIS is None, reason="needs Debian's redis-server")
def test_batches_on_two_celery_workers_fold_into_the_results_of_one_run(
    site: BrowserSite, single: tuple[Path, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    policy, expected = single
    started: Workers = request.getfixturevalue("workers")
    portfolio = _portfolio(tmp_path / "p", site, policy)
    started.start("w1")
    started.start("w2")
    exe = Path(sys.executable).parent / "linkguard"
    out = tmp_path / "out"
    done = subprocess.run(
        [str(exe), "portfolio", "run", str(portfolio), "-o", str(out), "--batch-pages", "1",
         "--broker", started.broker],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    results = (out / "sites" / "site" / "results.json").read_text(encoding="utf-8")
    assert _untimed(results) == expected
    logs = started.log("w1") + started.log("w2")
    assert len(re.findall(r"linkguard\.visit_batch\[[^\]]+\] received", logs)) == 2
