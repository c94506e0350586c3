"""What the browser shows that the markup cannot: the rendered DOM after the dwell, the URLs
inline scripts mention held against what the visit loaded, and a dwell that ends once the
network is quiet without losing a late beacon (tests/browser_site.py, ``/hub.html``).

One scan of the hub and the pages it links to, through the installed CLI, judges them all.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_site import BrowserSite, browser_site, make_certificate
from test_browser import needs_browser

Scanned = tuple[subprocess.CompletedProcess[str], dict[str, Any]]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserSite]:
    with browser_site(make_certificate(tmp_path_factory.mktemp("tls"))) as served:
        yield served


@pytest.fixture(scope="module")
def hub(
    site: BrowserSite, tmp_path_factory: pytest.TempPathFactory, linkguard_cmd: list[str]
) -> Scanned:
    """The hub and its pages scanned in a browser, with the default dwell (3 s)."""
    folder = tmp_path_factory.mktemp("hub")
    policy = folder / "linkguard.toml"
    args = ", ".join(json.dumps(arg) for arg in site.args)
    policy.write_text(f"[browser]\nconcurrency = 2\nargs = [{args}]\n", encoding="utf-8")
    out = folder / "results.json"
    done = subprocess.run(
        [*linkguard_cmd, "scan", site.url + "hub.html", "--browser", "-c", str(policy),
         "-o", str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    return done, json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}


def _on(results: dict[str, Any], page: str, rule: str) -> list[dict[str, Any]]:
    return [f for f in results["findings"] if f["rule"] == rule and f["page"].endswith("/" + page)]


@pytest.mark.slow
@needs_browser
def test_a_notice_drupal_extlink_applies_is_inferred_from_markup_and_proven_rendered(
    hub: Scanned,
) -> None:
    """The markup shows only the module's settings and script: the notice is inferred
    (``drupal-extlink``); the page as rendered carries the label the script added (``text``),
    so the notice is seen, and no finding says otherwise."""
    done, results = hub
    assert done.returncode == 1, done.stderr
    assert not _on(results, "drupal.html", "exit-notice-missing")
    summary = results["summary"]
    assert summary["notice_mechanisms"] == {"drupal-extlink": 1, "text": 1}  # + stripped.html
    assert summary["rendered_mechanisms"] == {"text": 2}  # drupal.html and custom.html
    assert summary["rendered_outbound"] == 3


@pytest.mark.slow
@needs_browser
def test_a_notice_the_sites_script_applies_is_shown_on_the_markups_finding(
    hub: Scanned,
) -> None:
    """The markup's link has no notice (a finding, kept: nothing is dropped); the rendered
    link shows one, and the finding says so (``runtime: noticed``)."""
    _, results = hub
    [missing] = _on(results, "custom.html", "exit-notice-missing")
    assert (missing["evidence"], missing["runtime"]) == ("html", "noticed")


@pytest.mark.slow
@needs_browser
def test_a_notice_a_script_removes_is_a_browser_finding(hub: Scanned) -> None:
    _, results = hub
    [missing] = _on(results, "stripped.html", "exit-notice-missing")
    assert missing["target"] == "https://partner.test/stripped"
    assert missing["evidence"] == "browser"
    assert "as rendered" in missing["message"]


@pytest.mark.slow
@needs_browser
def test_a_form_a_script_adds_is_judged_from_the_rendered_dom(hub: Scanned) -> None:
    _, results = hub
    [form] = _on(results, "custom.html", "undeclared-form-target")
    assert form["target"] == "https://forms.test/subscribe"
    assert form["evidence"] == "browser" and form["element"].endswith("(rendered)")


@pytest.mark.slow
@needs_browser
def test_mentions_are_confirmed_or_dismissed_by_what_the_visit_loaded(hub: Scanned) -> None:
    """An inline script names two URLs and loads one of them in a way the markup cannot
    show; the inventory says which was loaded. The load the markup does show, behind a
    condition that never holds, keeps its finding, marked ``not-loaded``."""
    _, results = hub
    inventory = {t["host"]: t for t in results["third_parties"]}
    assert inventory["widget.test"]["mention"] == "confirmed"
    assert inventory["widget.test"]["seen"] == ["browser", "html"]
    assert inventory["cdn.test"]["mention"] == "not-loaded"
    assert inventory["cdn.test"]["seen"] == ["html"]
    assert inventory["partner.test"]["mention"] == ""  # only linked to
    scripts = {f["target"]: f for f in _on(results, "mentions.html", "undeclared-script")}
    assert set(scripts) == {"https://never.test/n.js", "https://widget.test/w.js"}
    assert (scripts["https://never.test/n.js"]["evidence"],
            scripts["https://never.test/n.js"]["runtime"]) == ("html", "not-loaded")  # fmt: skip
    assert scripts["https://widget.test/w.js"]["evidence"] == "browser"


@pytest.mark.slow
@needs_browser
def test_a_late_beacon_inside_the_dwell_is_recorded_while_the_network_is_active(
    hub: Scanned,
) -> None:
    """The page polls its server for two seconds and sends a beacon 0.3 s after the last
    poll: the dwell, which ends once no request has been in flight for a while, is still
    watching then."""
    _, results = hub
    [late] = [
        f
        for f in _on(results, "late.html", "undeclared-resource")
        if f["target"] == "https://vendor.test/late"
    ]
    assert late["evidence"] == "browser" and late["element"].startswith("ping POST")


@pytest.mark.slow
@needs_browser
def test_the_console_summary_has_a_browser_line(hub: Scanned) -> None:
    done, results = hub
    line = next(ln for ln in done.stderr.splitlines() if ln.strip().startswith("browser"))
    assert f"{results['summary']['browser_pages']} pages visited" in line
    assert f"{results['summary']['browser_requests']} requests" in line
    assert results["summary"]["browser_requests"] > 0
    assert f"{len(results['cookies'])} cookie" in line


@pytest.mark.slow
@needs_browser
def test_results_with_rendered_and_mention_fields_match_the_schema(hub: Scanned) -> None:
    from test_results_schema import check_results

    check_results(hub[1])


@pytest.mark.slow
@needs_browser
def test_the_browser_phase_reports_its_progress(site: BrowserSite, tmp_path: Path) -> None:
    """The crawl's progress, then the visits': phase ``browser``, pages visited so far and
    pages still to visit, ending with every page visited."""
    from test_browser import _chromium

    from linkguard.config import load_policy
    from linkguard.scan import ScanRequest, make_scope, run_scan

    args = ", ".join(json.dumps(arg) for arg in site.args)
    (tmp_path / "linkguard.toml").write_text(
        f"[browser]\ndwell = 0.5\nconcurrency = 2\nargs = [{args}]\n", encoding="utf-8"
    )
    policy = load_policy(tmp_path / "linkguard.toml")
    target = site.url + "hub.html"
    request = ScanRequest(
        target, policy, make_scope(target, policy), policy.crawl, chromium=_chromium(), workers=1
    )
    seen: list[Any] = []  # CrawlStats (in model.py here; moving to scan/pipeline.py)
    result = run_scan(request, progress=seen.append)
    phases = [s.phase for s in seen]
    assert phases == sorted(phases, key=["crawl", "browser"].index)  # the crawl comes first
    visits = [(s.pages_done, s.queued) for s in seen if s.phase == "browser"]
    assert visits == [(n, 6 - n) for n in range(1, 7)]
    assert result.summary.browser_pages == 6
