"""``linkguard portfolio run|report`` on the local process pool: portfolio.toml checked (file,
key, fix, exit 2), every site's results and report written, the portfolio report (sites,
vendor-by-site matrix, findings shared by sites) in JSON, Markdown and self-contained HTML,
a site that cannot be scanned reported while the others finish, and two runs that differ
only in their timestamps."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.portfolio import LocalPool, Site, load_portfolio, run_portfolio

runner = CliRunner()

SHARED_SCRIPT = "https://cdn.widgetvendor.com/widget.js"


def make_site(root: Path, name: str, *, declare_tags: bool = True, pages: int = 2) -> None:
    """A built site with a shared template: the same undeclared widget script and an
    outbound link without a notice on every page, and a declared tag manager."""
    folder = root / name
    folder.mkdir(parents=True)
    for i in range(pages):
        (folder / ("index.html" if i == 0 else f"p{i}.html")).write_text(
            f"""<!doctype html><html><head><title>{name} {i}</title>
<script src="{SHARED_SCRIPT}"></script>
<script src="https://www.googletagmanager.com/gtm.js?id=GTM-1"></script>
</head><body><a href="p{(i + 1) % pages or ""}.html">next</a>
<a href="https://partner.example/">Partner</a></body></html>""",
            encoding="utf-8",
        )
    tags = '[[third_party]]\nname = "Tags"\nhosts = ["www.googletagmanager.com"]\n'
    (root / f"{name}.toml").write_text(
        f'[site]\norigin = "https://{name}.example"\n\n' + (tags if declare_tags else ""),
        encoding="utf-8",
    )


def write_portfolio(root: Path, entries: list[dict[str, Any]]) -> Path:
    lines = []
    for entry in entries:
        lines.append("[[site]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
        lines.append("")
    path = root / "portfolio.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def three_sites(tmp_path: Path) -> Path:
    """Two scannable folder sites sharing a template, one site nothing answers for."""
    make_site(tmp_path, "alpha")
    make_site(tmp_path, "beta", declare_tags=False, pages=3)
    (tmp_path / "down.toml").write_text("", encoding="utf-8")
    return write_portfolio(
        tmp_path,
        [
            {"name": "alpha", "target": "alpha", "config": "alpha.toml", "tags": ["ch"]},
            {"name": "beta", "target": "beta", "config": "beta.toml"},
            {
                "name": "down",
                "target": f"http://127.0.0.1:{closed_port()}/",
                "config": "down.toml",
            },
        ],
    )


def _without_times(text: str) -> str:
    return re.sub(r'"(started|finished)": "[^"]*"', '"\\1": ""', text)


@pytest.mark.slow
def test_a_portfolio_run_writes_every_site_and_the_portfolio_report(
    three_sites: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = runner.invoke(
        app, ["portfolio", "run", str(three_sites), "--output", str(out), "-j", "2"]
    )
    assert done.exit_code == 3, done.output  # a site could not be scanned: incomplete
    for name in ("alpha", "beta", "down"):
        assert (out / "sites" / name / "results.json").is_file()
        assert (out / "sites" / name / "report.html").is_file()
    index = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    sites = {s["name"]: s for s in index["sites"]}
    assert [s["name"] for s in index["sites"]] == ["alpha", "beta", "down"]
    assert sites["alpha"]["status"] == "FAIL" and sites["alpha"]["pages"] == 2
    assert sites["alpha"]["tags"] == ["ch"]
    assert sites["beta"]["pages"] == 3 and sites["beta"]["coverage"] == "0.0%"
    assert sites["down"]["status"] == "NOT SCANNED"
    assert "nothing was checked" in sites["down"]["error"]
    assert sites["alpha"]["report"] == "sites/alpha/report.html"
    # the vendor matrix: the widget undeclared on both, the tag manager declared on one
    vendors = {v["vendor"]: v for v in index["vendors"]}
    assert vendors["widgetvendor.com"]["cells"] == {
        "alpha": "undeclared",
        "beta": "undeclared",
    }
    assert vendors["googletagmanager.com"]["cells"] == {
        "alpha": "declared",
        "beta": "undeclared",
    }
    assert "partner.example" not in vendors  # a link target receives nothing until followed
    # one template fix closes them all: the same rule and target on both sites
    shared = {(s["rule"], s["target"]): s for s in index["shared_findings"]}
    widget = shared[("undeclared-script", SHARED_SCRIPT)]
    assert widget["sites"] == {"alpha": 2, "beta": 3}
    assert ("exit-notice-missing", "https://partner.example/") in shared
    assert index["exit_code"] == 3 and index["status"] == "INCOMPLETE"
    markdown = (out / "portfolio.md").read_text(encoding="utf-8")
    assert "| down | NOT SCANNED |" in markdown
    assert "[report](sites/alpha/report.html)" in markdown


@pytest.mark.slow
def test_the_portfolio_html_is_self_contained_and_runs_no_script(
    three_sites: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    runner.invoke(app, ["portfolio", "run", str(three_sites), "-o", str(out), "-q"])
    page = (out / "portfolio.html").read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = html.unescape(csp.group(1))
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None  # the one inline style, allowed by its hash
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched, no remote link
    assert 'href="sites/alpha/report.html"' in page
    assert "<bdi>widgetvendor.com</bdi>" in page


@pytest.mark.slow
def test_two_runs_write_the_same_files_apart_from_timestamps(
    three_sites: Path, tmp_path: Path
) -> None:
    for out in ("one", "two"):
        done = runner.invoke(
            app, ["portfolio", "run", str(three_sites), "-o", str(tmp_path / out), "-q"]
        )
        assert done.exit_code == 3, done.output
    for name in ("alpha", "beta", "down"):
        one, two = (
            (tmp_path / out / "sites" / name / "results.json").read_text(encoding="utf-8")
            for out in ("one", "two")
        )
        assert _without_times(one) == _without_times(two)
    one, two = (
        (tmp_path / out / "portfolio.json").read_text(encoding="utf-8") for out in ("one", "two")
    )
    assert _without_times(one) == _without_times(two)


@pytest.mark.slow
def test_portfolio_report_renders_the_same_report_from_saved_results(
    three_sites: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    runner.invoke(app, ["portfolio", "run", str(three_sites), "-o", str(out), "-q"])
    before = {
        n: (out / n).read_text(encoding="utf-8")
        for n in ("portfolio.json", "portfolio.md", "portfolio.html")
    }
    for name in ("portfolio.md", "portfolio.html"):  # the index stays: it lists the sites
        (out / name).unlink()
    done = runner.invoke(app, ["portfolio", "report", str(out), "-q"])
    assert done.exit_code == 3, done.output
    for name, text in before.items():
        assert (out / name).read_text(encoding="utf-8") == text


@pytest.mark.slow
def test_a_site_whose_job_fails_is_reported_and_the_others_finish(tmp_path: Path) -> None:
    make_site(tmp_path, "alpha")
    sites = load_portfolio(
        write_portfolio(tmp_path, [{"name": "alpha", "target": "alpha", "config": "alpha.toml"}])
    )
    # a policy file that vanished after the portfolio was checked: the job itself raises
    broken = Site(name="broken", target=sites[0].target, config=str(tmp_path / "gone.toml"))
    pool = LocalPool(2)
    try:
        outcomes = run_portfolio([broken, *sites], pool)
    finally:
        pool.close()
    assert [o.site.name for o in outcomes] == ["broken", "alpha"]
    assert outcomes[0].result is None and "gone.toml" in (outcomes[0].error or "")
    assert outcomes[1].result is not None and outcomes[1].result.summary.pages == 2


def test_report_of_a_folder_that_is_no_portfolio_exits_2(tmp_path: Path) -> None:
    done = runner.invoke(app, ["portfolio", "report", str(tmp_path)])
    assert done.exit_code == 2
    assert "portfolio.json" in done.output and "tip:" in done.output


@pytest.mark.parametrize(
    ("toml", "names"),
    [
        ("", ["lists no site"]),
        ('[[site]]\nname = "a"\ntarget = "site"\n', ["site[0].config", "missing"]),
        (
            '[[site]]\nname = "a b"\ntarget = "site"\nconfig = "p.toml"\n',
            ["site[0].name", "folder name"],
        ),
        (
            '[[site]]\nname = "a"\ntarget = "nowhere"\nconfig = "p.toml"\n',
            ["site[0].target", "is not a folder"],
        ),
        (
            '[[site]]\nname = "a"\ntarget = "site"\nconfig = "p.toml"\nbrowser = true\n',
            ["site[0].browser", "over HTTP"],
        ),
        (
            '[[site]]\nname = "a"\ntarget = "site"\nconfig = "missing.toml"\n',
            ["site[0].config", "is not a file"],
        ),
        (
            '[[site]]\nname = "a"\ntarget = "site"\nconfig = "p.toml"\ncolour = 1\n',
            ["site[0].colour", "not a site key"],
        ),
        (
            '[[site]]\nname = "a"\ntarget = "site"\nconfig = "p.toml"\ntags = "x"\n',
            ["site[0].tags", "list of strings"],
        ),
        (
            '[[site]]\nname = "a"\ntarget = "site"\nconfig = "p.toml"\n'
            '[[site]]\nname = "A"\ntarget = "site"\nconfig = "p.toml"\n',
            ["site[1].name", "site[0]'s name"],
        ),
        (
            '[[site]]\nname = "a"\ntarget = "site"\nconfig = "bad.toml"\n',
            ["bad.toml", "crawl.max_pages"],
        ),
        ("[[site]\n", ["not valid TOML"]),
    ],
)
def test_a_bad_portfolio_file_names_file_key_and_fix_and_exits_2(
    tmp_path: Path, toml: str, names: list[str]
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "p.toml").write_text("", encoding="utf-8")
    (tmp_path / "bad.toml").write_text("[crawl]\nmax_pages = 0\n", encoding="utf-8")
    path = tmp_path / "portfolio.toml"
    path.write_text(toml, encoding="utf-8")
    done = runner.invoke(app, ["portfolio", "run", str(path), "-o", str(tmp_path / "out")])
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    for name in names:
        assert name in done.output
    assert "tip:" in done.output
    assert not (tmp_path / "out").exists()  # nothing scanned, nothing written


def test_paths_are_relative_to_the_portfolio_file(tmp_path: Path) -> None:
    make_site(tmp_path / "sub", "alpha")
    path = write_portfolio(
        tmp_path / "sub", [{"name": "alpha", "target": "alpha", "config": "alpha.toml"}]
    )
    (site,) = load_portfolio(path)
    assert site.target == str((tmp_path / "sub" / "alpha").resolve())
    assert site.config == str((tmp_path / "sub" / "alpha.toml").resolve())


def test_broker_without_the_portfolio_extra_exits_2_with_the_install_command(
    three_sites: Path, tmp_path: Path
) -> None:
    # Celery made unimportable, as in an install without the extra
    code = (
        "import sys; sys.modules['celery'] = None; sys.modules['celery.result'] = None\n"
        "from linkguard.cli import main; sys.argv = ['linkguard'] + sys.argv[1:]; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "portfolio", "run", str(three_sites), "-o",
         str(tmp_path / "out"), "--broker", "redis://127.0.0.1:1/0"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "pip install '.[portfolio]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_walk_folded_apart_gives_the_results_of_run_scan(tmp_path: Path) -> None:
    """scan/phases.py without visits: the walk's analyses folded again are run_scan's."""
    from linkguard.config import load_policy
    from linkguard.results import to_json
    from linkguard.scan import ScanRequest, make_scope, run_scan
    from linkguard.scan.phases import fold_site, walk_site

    make_site(tmp_path, "alpha", pages=4)
    policy = load_policy(tmp_path / "alpha.toml")
    target = str(tmp_path / "alpha")
    request = ScanRequest(target, policy, make_scope(target, policy), policy.crawl, workers=1)
    walked = walk_site(request)
    assert len(walked.analyses) == 4 and walked.complete
    folded = fold_site(request, walked, [])
    assert _without_times(to_json(folded)) == _without_times(to_json(run_scan(request)))


@pytest.mark.parametrize(
    ("broker", "said"),
    [
        ("http://127.0.0.1/", "not a Redis URL"),
        ("redis://127.0.0.1:CLOSED/0", "cannot reach Redis"),  # a port nothing listens on
    ],
)
def test_a_broker_that_cannot_work_exits_2_before_anything_is_scanned(
    three_sites: Path, tmp_path: Path, broker: str, said: str
) -> None:
    out = tmp_path / "out"
    broker = broker.replace("CLOSED", str(closed_port()))
    done = runner.invoke(
        app, ["portfolio", "run", str(three_sites), "-o", str(out), "--broker", broker]
    )
    assert done.exit_code == 2, done.output
    assert said in done.output and "tip:" in done.output
    assert not out.exists()


@pytest.mark.slow
def test_a_portfolio_where_no_site_could_be_scanned_exits_4(tmp_path: Path) -> None:
    (tmp_path / "down.toml").write_text("", encoding="utf-8")
    url = f"http://127.0.0.1:{closed_port()}/"
    path = write_portfolio(tmp_path, [{"name": "down", "target": url, "config": "down.toml"}])
    done = runner.invoke(app, ["portfolio", "run", str(path), "-o", str(tmp_path / "out"), "-q"])
    assert done.exit_code == 4, done.output
