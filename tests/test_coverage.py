"""Exit-notice coverage means what it says: links to exempt destinations need no notice, so
they are counted apart, never as noticed, and the share is of the links that need one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.results.codec import from_json

runner = CliRunner()

# A government site: twelve links to third parties without a notice, one to another .gov
# site, which is exempt. Before, the exempt link counted as noticed: 1 of 13, 7.6%.
GOV_POLICY = """\
[site]
origin = "https://www.agency.gov"

[exit_notice]
exempt = ["*.gov"]
"""


@pytest.fixture
def gov_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    links = "".join(
        f'<li><a href="https://vendor{n}.example.net/">Vendor {n}</a></li>\n' for n in range(12)
    )
    links += '<li><a href="https://www.usa.gov/">USA.gov</a></li>\n'
    (site / "index.html").write_text(f"<ul>\n{links}</ul>\n", encoding="utf-8")
    (tmp_path / "linkguard.toml").write_text(GOV_POLICY, encoding="utf-8")
    return tmp_path


def _scan(root: Path, *formats: str) -> tuple[str, dict[str, str]]:
    args = ["scan", str(root / "site"), "--config", str(root / "linkguard.toml")]
    outputs = {}
    for fmt in formats:
        outputs[fmt] = str(root / f"out.{fmt}")
        args += ["--format", fmt, "--output", outputs[fmt]]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    return result.output, {f: Path(p).read_text(encoding="utf-8") for f, p in outputs.items()}


def test_exempt_links_are_not_counted_as_noticed(gov_site: Path) -> None:
    console, out = _scan(gov_site, "json", "markdown", "html")
    summary = json.loads(out["json"])["summary"]
    assert (summary["outbound_links"], summary["outbound_with_notice"]) == (13, 0)
    assert summary["outbound_exempt"] == 1
    assert summary["notice_mechanisms"] == {}
    [page] = json.loads(out["json"])["pages"]
    assert (page["outbound"], page["noticed"], page["exempt"]) == (13, 0, 1)

    assert "13, 1 exempt; 0 of the other 12 with exit notice (0.0%)" in console
    assert (
        "- Exit notices: 0 of 12 outbound links that need one (0.0%); 1 more to exempt "
        "destinations, which need none." in out["markdown"]
    )
    html = out["html"]
    assert "<strong>0</strong> of <strong>12</strong> outbound links to third parties that " \
           "need one carry an exit notice." in html  # fmt: skip
    assert "Not counted: 1 link to exempt destinations, which need no notice." in html
    assert ">0.0%</text>" in html
    assert '0 of 12<div class="muted">+ 1 exempt</div>' in html


def test_a_noticed_link_to_an_exempt_destination_is_noticed_not_exempt(gov_site: Path) -> None:
    page = gov_site / "site" / "index.html"
    page.write_text(
        '<a class="ext" href="https://www.usa.gov/">USA.gov</a>'
        '<a href="https://www.cdc.gov/">CDC</a>'
        '<a class="ext" href="https://vendor.example.net/">Vendor</a>',
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["scan", str(gov_site / "site"), "--config", str(gov_site / "linkguard.toml"),
         "--format", "json", "--output", str(gov_site / "r.json")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((gov_site / "r.json").read_text(encoding="utf-8"))["summary"]
    assert (summary["outbound_links"], summary["outbound_with_notice"]) == (3, 2)
    assert summary["outbound_exempt"] == 1
    assert summary["notice_mechanisms"] == {"selector": 2}
    assert "3, 1 exempt; 2 of the other 2 with exit notice (100.0%)" in result.output


def test_every_link_exempt_is_no_coverage_to_measure(gov_site: Path) -> None:
    (gov_site / "site" / "index.html").write_text(
        '<a href="https://www.usa.gov/">USA.gov</a>', encoding="utf-8"
    )
    result = runner.invoke(
        app, ["scan", str(gov_site / "site"), "--config", str(gov_site / "linkguard.toml")]
    )
    assert result.exit_code == 0, result.output
    assert "1, 1 exempt; 0 of the other 0 with exit notice (n/a)" in result.output


def test_a_results_file_that_counted_exempt_links_as_noticed_is_read_as_now(
    gov_site: Path,
) -> None:
    """Results written before exempt links were counted apart listed ``exempt`` among the
    mechanisms and in ``outbound_with_notice``: read back, they say what a scan says now."""
    _, out = _scan(gov_site, "json")
    data = json.loads(out["json"])
    data["summary"]["outbound_with_notice"] = 1  # as the earlier version wrote it
    data["summary"]["notice_mechanisms"] = {"exempt": 1}
    old = gov_site / "old.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    summary = from_json(old.read_text(encoding="utf-8")).summary
    assert (summary.outbound_with_notice, summary.outbound_exempt) == (0, 1)
    assert summary.notice_mechanisms == {}
    report = runner.invoke(app, ["report", str(old), "--format", "markdown", "--output", "-"])
    assert report.exit_code == 0, report.output
    assert "0 of 12 outbound links that need one (0.0%)" in report.output
