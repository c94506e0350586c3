"""The units of work of a portfolio run, as plain functions of JSON values: the same bodies
run in the local process pool and in Celery tasks (``_celery.py``), on any machine that sees
the sites' policy files at the same paths.

    scan_job(site)             a whole site, walk and visits: its results JSON
    walk_job(site)             browser mode split up: the walk, with every page's analysis
    visit_job(site, pages)     the visits of some of the walk's pages, each judged
    fold(site, walk, batches)  (where the run is coordinated) the site's ScanResult

A site's analyses travel as JSON (the ``--resume`` journal's codec and the results'), never
pickled: a task message is data, and a broker that anyone on the network can write to then
cannot make a worker run code.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from linkguard.config import load_policy
from linkguard.model import Cookie, ScanResult, StorageItem
from linkguard.portfolio._spec import Site
from linkguard.results import to_json
from linkguard.results.codec import finding_from_dict, finding_to_dict
from linkguard.results.shape import typed, typed_value
from linkguard.scan import ScanRequest, is_url, make_scope, run_scan
from linkguard.scan.analysis import SeenThirdParty
from linkguard.scan.journal import analysis_from_dict, analysis_to_dict
from linkguard.scan.phases import WalkedSite, fold_site, visit_batch, walk_site
from linkguard.scan.runtime import Rendered, RuntimeAnalysis

BROWSER_PLACEHOLDER = "chromium"  # browser mode on, where no page is visited (the fold)


def uses_browser(site: Site) -> bool:
    """Browser mode: ``browser = true`` in the portfolio, or ``[browser] enabled`` in the
    site's policy, for a URL target (a folder is never visited)."""
    if not is_url(site.target):
        return False
    return site.browser or load_policy(Path(site.config)).browser.enabled


def request_for(site: Site, *, visit: bool = True) -> ScanRequest:
    """The site's scan as ``linkguard scan TARGET --config CONFIG [--browser]`` runs it, with
    pages analysed in this process (the portfolio runs sites side by side instead).
    ``visit=False``: browser mode is on but nothing will be visited here (the fold)."""
    policy = load_policy(Path(site.config))
    chromium = None
    if uses_browser(site):
        chromium = BROWSER_PLACEHOLDER
        if visit:
            from linkguard.browser import find_chromium, require_playwright

            require_playwright()
            chromium = find_chromium(None)
    return ScanRequest(
        site.target,
        policy,
        make_scope(site.target, policy),
        policy.crawl,
        workers=1,
        chromium=chromium,
    )


def scan_job(site: dict[str, Any]) -> str:
    """A whole site scanned: its results JSON."""
    return to_json(run_scan(request_for(Site.from_dict(site))))


def walk_job(site: dict[str, Any]) -> dict[str, Any]:
    """The walk of a browser-mode site: every page's analysis and the pages to visit."""
    walked = walk_site(request_for(Site.from_dict(site), visit=False))
    return {
        "analyses": [analysis_to_dict(a) for a in walked.analyses],
        "depths": [list(d) for d in walked.depths],
        "not_crawled": [list(n) for n in walked.not_crawled],
        "started": walked.started,
        "finished": walked.finished,
        "complete": walked.complete,
        "to_visit": list(walked.to_visit),
    }


def visit_job(site: dict[str, Any], pages: list[str]) -> list[dict[str, Any]]:
    """Some pages of a browser-mode site visited and judged."""
    visits = visit_batch(request_for(Site.from_dict(site)), pages)
    return [_runtime_to_dict(v) for v in visits]


def to_visit(walked: dict[str, Any]) -> list[str]:
    return list(typed_value(walked["to_visit"], tuple[str, ...], "walk.to_visit"))


def fold(site: Site, walked: dict[str, Any], batches: list[list[dict[str, Any]]]) -> ScanResult:
    """The site's results from its walk and every batch of visits, as one run gives them."""
    phase = WalkedSite(
        analyses=tuple(analysis_from_dict(a) for a in walked["analyses"]),
        depths=tuple((str(u), int(d)) for u, d in walked["depths"]),
        not_crawled=tuple((str(k), int(n)) for k, n in walked["not_crawled"]),
        started=str(walked["started"]),
        finished=str(walked["finished"]),
        complete=bool(walked["complete"]),
        to_visit=tuple(to_visit(walked)),
    )
    visits = [_runtime_from_dict(v) for batch in batches for v in batch]
    return fold_site(request_for(site, visit=False), phase, visits)


def _runtime_to_dict(visit: RuntimeAnalysis) -> dict[str, Any]:
    return {
        "page": visit.page,
        "findings": [finding_to_dict(f) for f in visit.findings],
        "third_party": [list(t) for t in visit.third_party],
        "cookies": [asdict(c) for c in visit.cookies],
        "storage": [asdict(s) for s in visit.storage],
        "requests": visit.requests,
        "loaded": sorted(visit.loaded),
        "rendered": None
        if visit.rendered is None
        else {
            "mechanisms": [list(m) for m in visit.rendered.mechanisms],
            "outbound": visit.rendered.outbound,
            "noticed": sorted(visit.rendered.noticed),
            "bare": sorted(visit.rendered.bare),
        },
    }


def _runtime_from_dict(data: dict[str, Any]) -> RuntimeAnalysis:
    rendered = data["rendered"]
    return RuntimeAnalysis(
        page=typed_value(data["page"], str, "visit.page"),
        findings=tuple(finding_from_dict(f, "visit.findings[]") for f in data["findings"]),
        third_party=tuple(
            SeenThirdParty(*typed_value(t, tuple[str, str, str, str], "visit.third_party[]"))
            for t in data["third_party"]
        ),
        cookies=tuple(Cookie(**typed(Cookie, c, "visit.cookies[]")) for c in data["cookies"]),
        storage=tuple(
            StorageItem(**typed(StorageItem, s, "visit.storage[]")) for s in data["storage"]
        ),
        requests=typed_value(data["requests"], int, "visit.requests"),
        loaded=frozenset(typed_value(data["loaded"], tuple[str, ...], "visit.loaded")),
        rendered=None
        if rendered is None
        else Rendered(
            mechanisms=tuple((str(name), int(count)) for name, count in rendered["mechanisms"]),
            outbound=typed_value(rendered["outbound"], int, "visit.rendered.outbound"),
            noticed=frozenset(typed_value(rendered["noticed"], tuple[str, ...], "noticed")),
            bare=frozenset(typed_value(rendered["bare"], tuple[str, ...], "bare")),
        ),
    )
