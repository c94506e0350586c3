"""The CI gate as CI runs it: exit codes by --fail-on, a baseline, diff, and init, through
Typer's CliRunner and through the installed ``linkguard`` script."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkguard.cli import app
from linkguard.config import load_policy
from linkguard.model import Kind

runner = CliRunner()


def _scan_args(site: Path, out: Path, *extra: str) -> list[str]:
    config = site / "linkguard.toml"
    return [
        "scan",
        str(site),
        "--config",
        str(config),
        "--format",
        "json",
        "--output",
        str(out),
        "--quiet",
        *extra,
    ]


def _scan(site: Path, out: Path, *extra: str) -> int:
    result = runner.invoke(app, _scan_args(site, out, *extra))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def _write_site(root: Path, body: str, toml: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(f"<!DOCTYPE html><title>t</title>{body}", encoding="utf-8")
    policy = f'[site]\norigin = "https://www.example.com"\n{toml}'
    (root / "linkguard.toml").write_text(policy, encoding="utf-8")
    return root


@pytest.fixture
def leaky(sample_sites: Path, tmp_path: Path) -> Path:
    site = tmp_path / "leaky-shop"
    shutil.copytree(sample_sites / "leaky-shop", site)
    return site


@pytest.mark.parametrize(
    ("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on_with_errors(leaky: Path, tmp_path: Path, fail_on: str, code: int) -> None:
    assert _scan(leaky, tmp_path / "r.json", "--fail-on", fail_on) == code
    summary = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["summary"]
    assert summary["findings"]["error"] > 0


@pytest.mark.parametrize(
    ("body", "toml", "fail_on", "code"),
    [
        ('<img src="http://img.example.net/a.png" alt="">', "", "error", 0),  # warnings only
        ('<img src="http://img.example.net/a.png" alt="">', "", "warning", 1),
        ("<p>hi</p>", '[[third_party]]\nname = "X"\nhosts = ["x.example.net"]\n', "warning", 0),
        ("<p>hi</p>", '[[third_party]]\nname = "X"\nhosts = ["x.example.net"]\n', "info", 1),
        ("<p>hi</p>", "", "info", 0),  # clean
    ],
)
def test_fail_on_thresholds(tmp_path: Path, body: str, toml: str, fail_on: str, code: int) -> None:
    site = _write_site(tmp_path / "site", body, toml)
    assert _scan(site, tmp_path / "r.json", "--fail-on", fail_on) == code


def test_a_configuration_error_is_exit_2(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", "<p>hi</p>", "[rules]\nno-such-rule = 'off'\n")
    result = runner.invoke(app, _scan_args(site, tmp_path / "r.json"))
    assert result.exit_code == 2
    assert "no-such-rule" in result.output and "Traceback" not in result.output


def test_a_baseline_makes_known_findings_pass(leaky: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert _scan(leaky, first) == 1
    assert _scan(leaky, second, "--baseline", str(first)) == 0
    data = json.loads(second.read_text(encoding="utf-8"))
    errors = data["summary"]["findings"]["error"]
    assert data["summary"]["baseline"] == {"new": 0, "known": len(data["findings"]), "fixed": 0}
    assert errors > 0 and all(f["known"] for f in data["findings"])


def test_only_the_new_finding_fails_after_an_edit(leaky: Path, tmp_path: Path) -> None:
    base, after = tmp_path / "base.json", tmp_path / "after.json"
    _scan(leaky, base)
    index = leaky / "index.html"
    index.write_text("\n" + index.read_text(encoding="utf-8"), encoding="utf-8")  # lines move
    grinder = leaky / "products" / "grinder.html"
    tracker = '<script src="https://new-tracker.example/t-2.1.0.js"></script></head>'
    grinder.write_text(grinder.read_text(encoding="utf-8").replace("</head>", tracker))
    assert _scan(leaky, after, "--baseline", str(base)) == 1
    data = json.loads(after.read_text(encoding="utf-8"))
    new = {(f["rule"], f["target"]) for f in data["findings"] if not f["known"]}
    assert new == {
        ("undeclared-script", "https://new-tracker.example/t-2.1.0.js"),
        ("missing-sri", "https://new-tracker.example/t-2.1.0.js"),
    }
    assert data["summary"]["baseline"]["new"] == 2 and data["summary"]["baseline"]["fixed"] == 0
    assert _scan(leaky, after, "--baseline", str(base), "--fail-on", "never") == 0

    result = runner.invoke(app, ["diff", str(base), str(after)])
    assert result.exit_code == 0, result.output
    assert "new findings: 2" in result.stdout and "fixed findings: 0" in result.stdout
    assert "+ new-tracker.example (script; undeclared" in result.stdout
    as_json = json.loads(runner.invoke(app, ["diff", str(base), str(after), "--json"]).stdout)
    assert as_json["new_third_parties"] == ["new-tracker.example"]


def test_diff_of_a_file_that_is_not_results_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(tmp_path / "x.json"), str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "not a linkguard results file" in result.output


def test_init_writes_a_policy_that_loads_and_declares_what_it_saw(
    leaky: Path, tmp_path: Path
) -> None:
    out = tmp_path / "starter" / "linkguard.toml"
    args = [
        "init",
        str(leaky),
        "--origin",
        "https://shop.leaky-shop.com",
        "--first-party",
        "leaky-shop.com",
        "--output",
        str(out),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    policy = load_policy(out)
    assert policy.site.origin == "https://shop.leaky-shop.com"
    names = {d.name for d in policy.third_parties}
    assert {"Hotjar", "Stripe", "YouTube"} <= names
    assert all(d.purpose.startswith("TODO") for d in policy.third_parties)
    stripe = next(d for d in policy.third_parties if d.name == "Stripe")
    assert stripe.hosts == ("stripe.com",) and {str(k) for k in stripe.kinds or ()} == {
        "form",
        "script",
    }
    assert policy.exit_notice.text == ("external site",)  # Trustpilot's "(opens external site)"

    # scanned with its own starter, nothing seen is undeclared
    (leaky / "linkguard.toml").write_bytes(out.read_bytes())
    _scan(leaky, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert not [f for f in data["findings"] if f["rule"].startswith("undeclared-")]

    before = out.read_bytes()
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert out.read_bytes() == before
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_init_detects_an_interstitial_and_drupal(tmp_path: Path) -> None:
    settings = '{"extlink": {"extClass": "ext", "extLabel": "(link is external)"}}'
    site = _write_site(
        tmp_path / "site",
        '<a href="/leaving?url=https%3A%2F%2Fwww.cdc.gov%2F">CDC</a>'
        '<a class="ext" href="https://x.example.net/">x</a>'
        '<script type="application/json" data-drupal-selector="drupal-settings-json">'
        f"{settings}</script>",
    )
    out = tmp_path / "linkguard.toml"
    result = runner.invoke(
        app, ["init", str(site), "--origin", "https://www.example.com", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    policy = load_policy(out)
    assert policy.exit_notice.interstitials == ("/leaving?url={url}",)
    assert policy.exit_notice.selectors == ("a.ext",)
    # Settings alone decorate nothing: the draft says so rather than promising notices.
    drafted = out.read_text(encoding="utf-8")
    assert "Drupal extlink settings without the module's script on 1 page(s)" in drafted
    assert "settings and script found" not in drafted

    (site / "index.html").write_text(
        (site / "index.html")
        .read_text(encoding="utf-8")
        .replace("</script>", '</script><script src="/modules/extlink/js/extlink.js"></script>', 1),
        encoding="utf-8",
    )
    again = [*("init", str(site), "--origin", "https://www.example.com"), "--force"]
    assert runner.invoke(app, [*again, "--output", str(out)]).exit_code == 0
    drafted = out.read_text(encoding="utf-8")
    assert "Drupal extlink settings and script found on 1 page(s)" in drafted
    assert "without the module's script" not in drafted


def test_init_declares_what_scripts_load_not_what_they_only_name(tmp_path: Path) -> None:
    site = _write_site(
        tmp_path / "site",
        "<script>var pay = {allowed: ['https://checkout.paymentsco.net/v1/',"
        " 'https://cdn.paymentsco.net/sdk.js']};\n"
        "var s=document.createElement('script');s.src='https://tags.example.net/t.js';</script>",
    )
    out = tmp_path / "linkguard.toml"
    result = runner.invoke(
        app, ["init", str(site), "--origin", "https://www.example.com", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    policy = load_policy(out)
    assert [(d.hosts, d.kinds) for d in policy.third_parties] == [
        (("example.net",), frozenset({Kind.SCRIPT}))
    ]
    written = out.read_text(encoding="utf-8")
    assert "1 other site(s) are only linked to or named in scripts" in written


def test_init_on_a_local_copy_never_contacts_another_host(
    tmp_path: Path,
    serve: Callable[[Path], str],
    monkeypatch: pytest.MonkeyPatch,
    watched_resolver: None,
) -> None:
    """A copy on 127.0.0.1 of a site whose policy names another first-party host (a portal
    on its own domain): init reads the copy as the site, and neither looks up nor requests
    the portal, which the copy does not serve."""
    site = _write_site(
        tmp_path / "copy",
        '<a href="/about.html">About</a>'
        '<a href="https://portal.example.co.jp/login">Patient portal</a>'
        '<a href="https://www.example.co.jp/contact.html">Contact</a>'
        '<script src="https://cdn.tracker.example/t.js"></script>',
    )
    (site / "about.html").write_text("<title>About</title><p>About us</p>", encoding="utf-8")
    (site / "contact.html").write_text("<title>Contact</title>", encoding="utf-8")
    base = serve(site)
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording(host: object, *args: object, **kwargs: object) -> object:
        looked_up.append(str(host))
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    out = tmp_path / "linkguard.toml"
    args = ["init", base, "--origin", "https://www.example.co.jp", "--output", str(out)]
    result = runner.invoke(app, [*args, "--first-party", "portal.example.co.jp"])
    assert result.exit_code == 0, result.output
    assert "3 page(s)" in result.output  # index, about and contact: all from the copy
    assert looked_up == []  # 127.0.0.1 needs no lookup; the portal was never looked up
    socket.getaddrinfo("localhost", 80)
    assert looked_up == ["localhost"]  # the hook sees what the crawler's resolver would ask
    policy = load_policy(out)
    assert policy.site.origin == "https://www.example.co.jp"
    assert [d.hosts for d in policy.third_parties] == [("cdn.tracker.example",)]


@pytest.mark.slow
def test_the_installed_script_gates_like_ci(
    leaky: Path, tmp_path: Path, linkguard_cmd: list[str]
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*linkguard_cmd, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    base, again = tmp_path / "base.json", tmp_path / "again.json"
    assert run(*_scan_args(leaky, base)).returncode == 1
    assert run(*_scan_args(leaky, base, "--fail-on", "never")).returncode == 0
    gated = run(*_scan_args(leaky, again, "--baseline", str(base)))
    assert gated.returncode == 0, gated.stderr
    summary = json.loads(again.read_text(encoding="utf-8"))["summary"]
    assert summary["baseline"]["new"] == 0
    assert run(*_scan_args(leaky, again, "--fail-on", "bogus")).returncode == 2
    diffed = run("diff", str(base), str(again))
    assert diffed.returncode == 0 and "new findings: 0" in diffed.stdout
    assert run("init", str(leaky), "--output", str(base)).returncode == 2  # exists: refused
