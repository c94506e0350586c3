"""The policy file: what loads, what it becomes, and the error each mistake earns.

Every bad config is written to a real file and loaded through ``load_policy``, as the CLI
does; the error must name the file, the dotted key, and say what would be valid.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from linkguard.config import (
    DEFAULT_NOTICE_SELECTORS,
    DEFAULT_NOTICE_TEXT,
    ExitNoticeConfig,
    Policy,
    TemplatesConfig,
    ThirdPartyDecl,
    Waiver,
    discover_policy,
    load_policy,
    policy_from_mapping,
)
from linkguard.errors import ConfigError
from linkguard.model import Kind, Severity

FIXTURES = Path(__file__).parent / "fixtures" / "config"
SAMPLE_SITES = Path(__file__).parent.parent / "sample_sites"

TP = '[[third_party]]\nname = "Vendor"\n'  # the start of a valid [[third_party]] entry
WAIVER = '[[waiver]]\nrule = "missing-sri"\nreason = "accepted"\n'

# (TOML, key named in the message, fragment of the fix)
BAD_CONFIGS = {
    # unknown names, with a suggestion
    "unknown table": ("[crawll]\nmax_pages = 1", "crawll", "did you mean `crawl`?"),
    "plural table": ('[[waivers]]\nrule = "*"', "waivers", "did you mean `waiver`? valid tables"),
    "unknown key": ("[crawl]\nmax_page = 10", "crawl.max_page", "did you mean `max_pages`?"),
    "dashed key": ("[crawl]\nmax-pages = 10", "crawl.max-pages", "did you mean `max_pages`?"),
    "table as value": ("crawl = 5", "crawl", "[crawl]"),
    # crawl: types and ranges
    "bool is not int": ("[crawl]\nmax_pages = true", "crawl.max_pages", "whole number from 1"),
    "quoted int": ('[crawl]\nmax_pages = "10"', "crawl.max_pages", "unquoted"),
    "float for int": ("[crawl]\nmax_depth = 2.5", "crawl.max_depth", "from 0"),
    "max_pages 0": ("[crawl]\nmax_pages = 0", "crawl.max_pages", "from 1"),
    "max_depth < 0": ("[crawl]\nmax_depth = -1", "crawl.max_depth", "from 0"),
    "concurrency": ("[crawl]\nconcurrency = 300", "crawl.concurrency", "from 1 to 256"),
    "concurrency 0": ("[crawl]\nconcurrency = 0", "crawl.concurrency", "from 1 to 256"),
    "delay < 0": ("[crawl]\ndelay = -0.5", "crawl.delay", "at least 0"),
    "delay nan": ("[crawl]\ndelay = nan", "crawl.delay", "at least 0"),
    "delay bool": ("[crawl]\ndelay = false", "crawl.delay", "number"),
    "timeout 0": ("[crawl]\ntimeout = 0", "crawl.timeout", "above 0"),
    "timeout inf": ("[crawl]\ntimeout = inf", "crawl.timeout", "above 0"),
    "max_bytes 0": ("[crawl]\nmax_bytes = 0", "crawl.max_bytes", "from 1"),
    "robots yes": ('[crawl]\nrespect_robots = "yes"', "crawl.respect_robots", "`true` or `false`"),
    "sitemaps int": ("[crawl]\nsitemaps = 1", "crawl.sitemaps", "`true` or `false`"),
    "bad regex": ('[crawl]\ninclude = ["^/ok", "a("]', "crawl.include[1]", "Python `re`"),
    "regex not list": ('[crawl]\nexclude = "x"', "crawl.exclude", "exclude = [...]"),
    "empty user_agent": ('[crawl]\nuser_agent = ""', "crawl.user_agent", 'user_agent = "'),
    "ignore_params int": ("[crawl]\nignore_params = [1]", "crawl.ignore_params[0]", '["..."]'),
    # site
    "origin bare": ('[site]\norigin = "example.com"', "site.origin", "https://example.com"),
    "origin ftp": ('[site]\norigin = "ftp://example.com"', "site.origin", "https://example.com"),
    "origin int": ("[site]\norigin = 1", "site.origin", 'origin = "'),
    "first_party URL": (
        '[site]\nfirst_party = ["https://example.com/"]', "site.first_party[0]", "`example.com`"
    ),
    "first_party path": (
        '[site]\nfirst_party = ["ok.com", "example.com/blog"]', "site.first_party[1]",
        "`example.com`",
    ),
    "first_party port": (
        '[site]\nfirst_party = ["example.com:8080"]', "site.first_party[0]", "`example.com`"
    ),
    "first_party wildcard": (
        '[site]\nfirst_party = ["*.example.com"]', "site.first_party[0]",
        "write `example.com`: a registrable domain already covers",
    ),
    "first_party public suffix": (
        '[site]\nfirst_party = ["github.io"]', "site.first_party[0]", "yoursite.github.io"
    ),
    "first_party bad host": (
        '[site]\nfirst_party = ["exa mple.com"]', "site.first_party[0]", "`www.example.com`"
    ),
    "first_party empty": ('[site]\nfirst_party = [""]', "site.first_party[0]", '= ["..."]'),
    # exit_notice
    "bad selector": (
        '[exit_notice]\nselectors = ["a.ext", "a["]', "exit_notice.selectors[1]", "`a.ext`"
    ),
    "namespace prefix the reader cannot run": (
        '[exit_notice]\nselectors = ["svg|a"]', "exit_notice.selectors[0]", "`a.ext`"
    ),
    "pseudo-element": (
        '[exit_notice]\nselectors = ["a::before"]', "exit_notice.selectors[0]", "pseudo-elements"
    ),
    "empty text": ('[exit_notice]\ntext = ["ok", " "]', "exit_notice.text[1]", 'text = ["..."]'),
    "interstitial no url": (
        '[exit_notice]\ninterstitials = ["/leaving"]', "exit_notice.interstitials[0]",
        "/leaving?url={url}",
    ),
    "interstitial url twice": (
        '[exit_notice]\ninterstitials = ["/l?u={url}&v={url}"]', "exit_notice.interstitials[0]",
        "/leaving?url={url}",
    ),
    "interstitial relative": (
        '[exit_notice]\ninterstitials = ["leaving?url={url}"]', "exit_notice.interstitials[0]",
        "start it with `/`",
    ),
    "interstitial ftp": (
        '[exit_notice]\ninterstitials = ["ftp://x.example/l?u={url}"]',
        "exit_notice.interstitials[0]", "absolute http(s) URL",
    ),
    "exempt everything": (
        '[exit_notice]\nexempt = ["*"]', "exit_notice.exempt[0]", 'exit-notice-missing = "off"'
    ),
    "exempt URL": (
        '[exit_notice]\nexempt = ["https://agency.gov/"]', "exit_notice.exempt[0]", "`agency.gov`"
    ),
    "exempt bad chars": ('[exit_notice]\nexempt = ["a b.gov"]', "exit_notice.exempt[0]", "*.gov"),
    "drupal_extlink int": (
        "[exit_notice]\ndrupal_extlink = 1", "exit_notice.drupal_extlink", "true"
    ),
    "extend_defaults str": (
        '[exit_notice]\nextend_defaults = "yes"', "exit_notice.extend_defaults", "true"
    ),
    "exit_notice typo": ("[exit_notice]\nselector = []", "exit_notice.selector", "`selectors`"),
    # third_party
    "single table": ('[third_party]\nname = "X"', "third_party", "[[third_party]]"),
    "no name": ('[[third_party]]\nhosts = ["x.com"]', "third_party[0].name", 'name = "'),
    "empty name": ('[[third_party]]\nname = ""\nhosts = ["x.com"]', "third_party[0].name", '= "'),
    "no hosts": (TP, "third_party[0].hosts", 'hosts = ["vendor.com"]'),
    "empty hosts": (TP + "hosts = []", "third_party[0].hosts", 'hosts = ["vendor.com"]'),
    "hosts string": (TP + 'hosts = "x.com"', "third_party[0].hosts", "hosts = [...]"),
    "host port": (
        TP + 'hosts = ["ok.com", "cdn.example.com:443"]', "third_party[0].hosts[1]",
        "`cdn.example.com`",
    ),
    "host wildcard": (TP + 'hosts = ["*.stripe.com"]', "third_party[0].hosts[0]", "`stripe.com`"),
    "prefix not web": (
        TP + 'hosts = ["ftp://cdn.example.com/x"]', "third_party[0].hosts[0]", "https://"
    ),
    "host public suffix": (TP + 'hosts = ["co.uk"]', "third_party[0].hosts[0]", "yoursite.co.uk"),
    "unknown kind": (
        TP + 'hosts = ["x.com"]\nkinds = ["scripts"]', "third_party[0].kinds[0]",
        "did you mean `script`?",
    ),
    "kind lists valid": (
        TP + 'hosts = ["x.com"]\nkinds = ["widget"]', "third_party[0].kinds[0]", "frame, image"
    ),
    "empty kinds": (TP + 'hosts = ["x.com"]\nkinds = []', "third_party[0].kinds", "omit `kinds`"),
    "purpose int": (TP + 'hosts = ["x.com"]\npurpose = 1', "third_party[0].purpose", 'purpose = "'),
    "third_party typo": (TP + 'host = ["x.com"]', "third_party[0].host", "did you mean `hosts`?"),
    "duplicate name": (
        TP + 'hosts = ["a.com"]\n' + '[[third_party]]\nname = " vendor"\nhosts = ["b.com"]',
        "third_party[1].name", "merge it into third_party[0]",
    ),
    # rules
    "unknown rule": ('[rules]\nmissing-sr = "off"', "rules.missing-sr", "`missing-sri`"),
    "underscored rule": ('[rules]\nmissing_sri = "off"', "rules.missing_sri", "`missing-sri`"),
    "bad severity": ('[rules]\nmissing-sri = "disabled"', "rules.missing-sri", "error, info, off"),
    "bool severity": ("[rules]\nmissing-sri = false", "rules.missing-sri", "off"),
    "rules not table": ('rules = ["missing-sri"]', "rules", "[rules]"),
    # waiver
    "waiver no reason": (
        '[[waiver]]\nrule = "*"\npage = "/x"', "waiver[0].reason", "why the finding is accepted"
    ),
    "waiver blank reason": (
        '[[waiver]]\nrule = "*"\nreason = " "\npage = "/x"', "waiver[0].reason", 'reason = "'
    ),
    "waiver no rule": ('[[waiver]]\nreason = "r"\npage = "/x"', "waiver[0].rule", '"*"'),
    "waiver unknown rule": (
        '[[waiver]]\nrule = "exit-notice"\nreason = "r"\npage = "/x"', "waiver[0].rule",
        "did you mean `exit-notice-missing`?",
    ),
    "waiver everywhere": (WAIVER, "waiver[0]", 'page = "/path/*"'),
    "waiver date format": (
        WAIVER + 'page = "/x"\nexpires = "31/03/2027"', "waiver[0].expires", "2027-03-31"
    ),
    "waiver time": (WAIVER + 'page = "/x"\nexpires = 12:00:00', "waiver[0].expires", "2027-03-31"),
    "waiver host URL": (
        WAIVER + 'host = "https://js.stripe.com/v3"', "waiver[0].host", "`js.stripe.com`"
    ),
    "waiver typo": (WAIVER + 'page = "/x"\nexpiry = 2027-01-01', "waiver[0].expiry", "`expires`"),
    # templates
    "template paths str": (
        '[templates]\npaths = "templates/*.html"', "templates.paths", "paths = [...]"
    ),
    "template absolute": (
        '[templates]\nexclude = ["/srv/site/vendor/**"]', "templates.exclude[0]",
        "`srv/site/vendor/**`",
    ),
    "template typo": ('[templates]\npath = ["t/*.html"]', "templates.path", "`paths`"),
}  # fmt: skip


def _load(tmp_path: Path, text: str, name: str = "linkguard.toml") -> Policy:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


@pytest.mark.parametrize(("text", "key", "fix"), BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_names_file_key_and_fix(tmp_path: Path, text: str, key: str, fix: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    error = caught.value
    assert error.message.startswith(f"{tmp_path / 'linkguard.toml'}: [{key}] ")
    assert fix in (error.tip or "")
    assert error.exit_code == 2


def test_design_example_loads(tmp_path: Path) -> None:
    path = FIXTURES / "design_example.toml"
    policy = load_policy(path)
    assert policy.path == str(path)
    assert policy.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert policy.site.origin == "https://www.example.com"
    assert policy.site.first_party == ("example.com", "example.co.jp")
    crawl = policy.crawl
    assert (crawl.max_pages, crawl.max_depth, crawl.concurrency) == (5000, 25, 8)
    assert (crawl.timeout, crawl.max_bytes, crawl.sitemaps) == (15.0, 5_000_000, False)
    assert crawl.exclude == (r"\.pdf$", r"^https://www\.example\.com/search")
    assert crawl.ignore_params == ("sessionid", "ref")
    assert policy.exit_notice == ExitNoticeConfig(
        selectors=("a.ext", "a[data-exit-notice]"),
        text=("(link is external)",),
        interstitials=("/leaving?url={url}",),
        exempt=("*.gov", "*.mil", "example-group.com"),
        drupal_extlink=False,
    )
    assert policy.third_parties == (
        ThirdPartyDecl(
            "Google Tag Manager", ("googletagmanager.com",),
            "Usage statistics (privacy policy section 6)", frozenset({Kind.SCRIPT, Kind.FRAME}),
        ),
        ThirdPartyDecl("jsDelivr (Swiper only)", ("https://cdn.jsdelivr.net/npm/swiper@",)),
    )  # fmt: skip
    assert policy.severity_of("missing-sri", Severity.WARNING) is None
    assert policy.severity_of("mixed-content", Severity.WARNING) is Severity.ERROR
    assert policy.severity_of("insecure-form", Severity.ERROR) is Severity.ERROR
    assert policy.waivers == (
        Waiver("missing-sri", "Stripe.js must be loaded unpinned", host="js.stripe.com",
               expires=date(2027, 3, 31)),
        Waiver("*", "Legacy section, retired with the 2026 redesign", page="/legacy/*"),
    )  # fmt: skip
    assert policy.templates == TemplatesConfig(("templates/**/*.html",), ("templates/vendor/**",))


@pytest.mark.parametrize("site", ["northwind-clinic", "leaky-shop", "real-world-mirror"])
def test_sample_site_policies_load(site: str) -> None:
    assert load_policy(SAMPLE_SITES / site / "linkguard.toml").site.origin


def test_values_are_normalised(tmp_path: Path) -> None:
    policy = _load(tmp_path, """
[site]
origin = "https://WWW.Example.com:443/some/page?x=1#top"
first_party = ["Example.COM.", "例え.jp", "127.0.0.1"]
[exit_notice]
exempt = ["*.GOV", "*.例え.jp"]
[[third_party]]
name = "CDN"
hosts = ["https://CDN.example.net", "Tracker.Example.net"]
kinds = ["SCRIPT", "script"]
[rules]
missing-sri = "OFF"
[[waiver]]
rule = "*"
reason = "r"
host = "*.Stripe.com"
expires = "2027-03-31"
[[waiver]]
rule = "*"
reason = "r"
page = "/x"
expires = 2027-04-01T10:00:00Z
""")  # fmt: skip
    assert policy.site.origin == "https://www.example.com"
    assert policy.site.first_party == ("example.com", "xn--r8jz45g.jp", "127.0.0.1")
    assert policy.exit_notice.exempt == ("*.gov", "*.xn--r8jz45g.jp")
    decl = policy.third_parties[0]
    assert decl.hosts == ("https://cdn.example.net/", "tracker.example.net")
    assert (decl.purpose, decl.kinds) == ("", frozenset({Kind.SCRIPT}))
    assert policy.rules == (("missing-sri", None),)
    assert [w.expires for w in policy.waivers] == [date(2027, 3, 31), date(2027, 4, 1)]
    assert policy.waivers[0].host == "*.stripe.com"


def test_missing_sections_mean_defaults(tmp_path: Path) -> None:
    policy = _load(tmp_path, "# nothing but a comment\n")
    assert policy == Policy(path=str(tmp_path / "linkguard.toml"), sha256=policy.sha256)
    assert policy.exit_notice.text == DEFAULT_NOTICE_TEXT


def test_given_selectors_and_text_replace_the_defaults(tmp_path: Path) -> None:
    notice = _load(tmp_path, '[exit_notice]\nselectors = ["a.leave"]').exit_notice
    assert notice.selectors == ("a.leave",)
    assert notice.text == DEFAULT_NOTICE_TEXT  # not given: the defaults stay
    assert _load(tmp_path, "[exit_notice]\ntext = []").exit_notice.text == ()


def test_extend_defaults_keeps_the_defaults_and_adds(tmp_path: Path) -> None:
    notice = _load(tmp_path, """
[exit_notice]
extend_defaults = true
selectors = ["a.leave", "a.ext"]
text = ["(external site)"]
""").exit_notice  # fmt: skip
    assert notice.selectors == (*DEFAULT_NOTICE_SELECTORS, "a.leave")  # a.ext is not repeated
    assert notice.text == (*DEFAULT_NOTICE_TEXT, "(external site)")


def test_pyproject_reads_tool_linkguard() -> None:
    policy = load_policy(FIXTURES / "pyproject.toml")
    assert policy.site.origin == "https://www.example.com"
    assert policy.exit_notice.text[-1] == "(external site)"
    assert policy.third_parties[0].kinds == frozenset({Kind.SCRIPT, Kind.FRAME})
    assert policy.path == str(FIXTURES / "pyproject.toml")


def test_pyproject_errors_name_the_full_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[tool\.linkguard\.crawl\.max_pages\]"):
        _load(tmp_path, "[tool.linkguard.crawl]\nmax_pages = true\n", "pyproject.toml")


def test_pyproject_without_the_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"has no \[tool\.linkguard\] table") as caught:
        _load(tmp_path, '[project]\nname = "x"\n[tool.black]\n', "pyproject.toml")
    assert "linkguard.toml" in (caught.value.tip or "")


def test_policy_from_mapping_names_its_source() -> None:
    policy = policy_from_mapping({"site": {"origin": "https://a.example/"}}, source="init")
    assert (policy.site.origin, policy.path) == ("https://a.example", None)
    with pytest.raises(ConfigError, match=r"^init: \[site\.first_party\] "):
        policy_from_mapping({"site": {"first_party": "a.example"}}, source="init")


@pytest.mark.parametrize(
    ("text", "place", "tip"),
    [
        ('[site]\norigin = https://x.example\n', ":2:10: invalid TOML: Invalid value", "quotes"),
        ("[crawl\nmax_pages = 1\n", ":1:7: invalid TOML: Expected ']'", "toml.io"),
        ("[site]\n[site]\n", ":2:6: invalid TOML: Cannot declare", "[[double brackets]]"),
        ("a = 1\na = 2", ":2: invalid TOML: Cannot overwrite", "written twice"),
    ],
)  # fmt: skip
def test_toml_syntax_error_names_line_and_column(
    tmp_path: Path, text: str, place: str, tip: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert caught.value.message.startswith(f"{tmp_path / 'linkguard.toml'}{place}")
    assert tip in (caught.value.tip or "")
    assert caught.value.exit_code == 2


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "linkguard.toml"
    path.write_bytes('[exit_notice]\ntext = ["外部サイト"]\n'.encode("shift_jis"))
    with pytest.raises(ConfigError, match=r"linkguard\.toml:2:\d+: not UTF-8") as caught:
        load_policy(path)
    assert "UTF-8" in (caught.value.tip or "")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "linkguard.toml"
    path.write_bytes('[exit_notice]\ntext = ["外部サイト"]\n'.encode("utf-8-sig"))
    assert load_policy(path).exit_notice.text == ("外部サイト",)


def test_unreadable_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the policy file"):
        load_policy(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="cannot read the policy file"):
        load_policy(tmp_path)  # a folder


def _touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_discover_prefers_the_target_folder(tmp_path: Path) -> None:
    site, cwd = tmp_path / "site", tmp_path / "cwd"
    expected = _touch(site / "linkguard.toml")
    _touch(cwd / "linkguard.toml")
    assert discover_policy(site, cwd) == expected


def test_discover_falls_back_to_cwd(tmp_path: Path) -> None:
    site, cwd = tmp_path / "site", tmp_path / "cwd"
    site.mkdir()
    expected = _touch(cwd / "linkguard.toml")
    _touch(cwd / "pyproject.toml", "[tool.linkguard]\n")
    assert discover_policy(site, cwd) == expected
    assert discover_policy(None, cwd) == expected
    assert discover_policy(site / "index.html", cwd) == expected  # not a folder


def test_discover_pyproject_only_with_the_table(tmp_path: Path) -> None:
    pyproject = _touch(tmp_path / "pyproject.toml", "[tool.black]\n")
    assert discover_policy(None, tmp_path) is None
    _touch(pyproject, '[tool.linkguard.site]\norigin = "https://x.example"\n')
    assert discover_policy(None, tmp_path) == pyproject


def test_discover_finds_a_broken_pyproject_so_its_error_is_shown(tmp_path: Path) -> None:
    pyproject = _touch(tmp_path / "pyproject.toml", "[tool.linkguard]\norigin = \n")
    assert discover_policy(None, tmp_path) == pyproject
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_policy(pyproject)
    _touch(pyproject, "[tool.black\n")
    assert discover_policy(None, tmp_path) is None


def test_discover_nothing(tmp_path: Path) -> None:
    assert discover_policy(tmp_path, tmp_path) is None


# -- browser mode: [browser], [[cookie]], [[third_party]] cookies and consent ---------------


def test_browser_section_and_cookie_register_are_read() -> None:
    from linkguard.policy import BrowserConfig, ConsentConfig, CookieDecl

    policy = policy_from_mapping(
        {
            "browser": {"enabled": True, "pages": 5, "concurrency": 3, "dwell": 1.5,
                        "viewport": "Mobile", "args": ["--ignore-certificate-errors"],
                        "consent": {"accept": "#ok", "reject": "button.no"}},
            "cookie": [{"name": "sid", "purpose": "session", "max_age": 3600}],
            "third_party": [{"name": "GA", "hosts": ["google-analytics.com"],
                             "cookies": ["_ga", "_ga_*"], "consent": "required"}],
        },
        source="linkguard.toml",
    )  # fmt: skip
    assert policy.browser == BrowserConfig(
        enabled=True, pages=5, concurrency=3, dwell=1.5, viewport="mobile",
        args=("--ignore-certificate-errors",),
        consent=ConsentConfig(accept="#ok", reject="button.no"),
    )  # fmt: skip
    assert policy.cookies == (CookieDecl("sid", "session", 3600),)
    assert policy.third_parties[0].cookies == ("_ga", "_ga_*")
    assert policy.third_parties[0].consent == "required"


@pytest.mark.parametrize(
    ("data", "key", "problem"),
    [
        ({"browser": {"viewport": "tablet"}}, "[browser.viewport]", "unknown viewport"),
        ({"browser": {"args": ["ignore-certificate-errors"]}}, "[browser.args[0]]",
         "is not a Chromium switch"),
        ({"browser": {"concurrency": 0}}, "[browser.concurrency]", ""),
        ({"browser": {"dwel": 1}}, "[browser.dwel]", ""),
        ({"cookie": [{"purpose": "x"}]}, "[cookie[0].name]", "is required"),
        ({"cookie": [{"name": "a b"}]}, "[cookie[0].name]", "is not a cookie name"),
        ({"third_party": [{"name": "X", "hosts": ["x.com"], "consent": "maybe"}]},
         "[third_party[0].consent]", "unknown consent"),
        ({"browser": {"consent": {"wait": 3}}}, "[browser.consent]", "names neither button"),
        ({"browser": {"consent": {"accept": "button[["}}}, "[browser.consent.accept]", ""),
    ],
)  # fmt: skip
def test_browser_mode_keys_are_checked(data: dict[str, object], key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        policy_from_mapping(data, source="linkguard.toml")
    assert f"linkguard.toml: {key}" in caught.value.message
    assert problem in caught.value.message
    assert caught.value.tip
