"""What a site's policy says, as frozen values: the site, the crawl, how outbound links carry
an exit notice, the register of declared third parties, severity overrides and waivers.

``linkguard.config`` reads a policy file into these; every other stage only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from linkguard.model import Kind, Severity

# Exit-notice conventions found on real sites (ARCHITECTURE.md, «Exit notices»); used when the
# policy is silent.
DEFAULT_NOTICE_SELECTORS: tuple[str, ...] = (
    "a.ext",  # Drupal extlink
    "[data-extlink]",
    "[data-exit-notice]",
    "[data-wpel-link='external']",  # WordPress WP External Links
    ".usa-link--external",  # U.S. Web Design System
    "a[rel~='external']",
)
DEFAULT_NOTICE_TEXT: tuple[str, ...] = (
    "link is external",
    "external link",
    "external site",
    "external website",
    "you are leaving",
    "leaving our site",
    "leaving this site",
    "opens in a new window",
    "opens in a new tab",
    "opens an external",
    "外部サイト",
    "外部リンク",
    "別ウィンドウ",
    "新しいウィンドウ",
    "externer link",
    "externe website",
    "externe seite",
    "öffnet in einem neuen fenster",
    "sie verlassen",
)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    origin: str | None = None
    first_party: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    max_pages: int = 5000
    max_depth: int = 25
    concurrency: int = 8
    delay: float = 0.0
    respect_robots: bool = True
    include: tuple[str, ...] = ()  # URL regexes
    exclude: tuple[str, ...] = ()
    timeout: float = 20.0  # seconds per page, total
    max_bytes: int = 10 * 1024 * 1024
    user_agent: str | None = None
    contact: str | None = None
    ignore_params: tuple[str, ...] = ()
    sitemaps: bool = True
    retries: int = 3  # for 429 and 503 answers, honouring Retry-After
    # Pages per path shape (digit runs folded: /cal/2031/05 is /cal/0/0), against crawler
    # traps. 0: no cap, because a shop's /product/12345 or Drupal's /node/123 has the same
    # shape as a calendar; max_depth and max_pages bound a trap either way, and every URL a
    # limit turns away is counted in the results (summary.not_crawled).
    max_per_pattern: int = 0
    per_host: int = 0  # requests in flight to one host; 0: as many as concurrency allows
    # How this machine reaches the web: from the command line (--proxy, --system-certs) and
    # the environment (HTTPS_PROXY ...), never from the policy file, which CI and laptops on
    # other networks share with the weekly crawl.
    proxy: str | None = None  # every request through this HTTP proxy (NO_PROXY still applies)
    system_certs: bool = False  # trust the operating system's certificate store
    # --check-external requests loopback, private and link-local addresses too (an
    # intranet's own links); by default a page cannot aim it at the network it runs in.
    allow_private_addresses: bool = False
    # The share of pages that may fail (HTTP errors, timeouts, unreadable files) before the
    # run is incomplete and does not pass: past half, the site seen is not the site.
    max_failed_share: float = 0.5
    # Origins the crawl may follow besides the target's and the default ports (http 80,
    # https 443) of first-party hosts: a first-party host on a port of its own
    # (``https://app.example.com:8443``). Classification ignores ports; crawling does not.
    origins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExitNoticeConfig:
    selectors: tuple[str, ...] = DEFAULT_NOTICE_SELECTORS
    text: tuple[str, ...] = DEFAULT_NOTICE_TEXT
    interstitials: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()
    drupal_extlink: bool = True


@dataclass(frozen=True, slots=True)
class ThirdPartyDecl:
    name: str
    hosts: tuple[str, ...]
    purpose: str = ""
    kinds: frozenset[Kind] | None = None  # None: any kind
    cookies: tuple[str, ...] = ()  # cookie name patterns it sets ("_ga", "_ga_*")
    consent: str | None = None  # "required" | "exempt"; None: not stated


@dataclass(frozen=True, slots=True)
class CookieDecl:
    """A ``[[cookie]]`` entry: the site's own cookies, by name pattern."""

    name: str  # an fnmatch pattern: "session", "pref_*"
    purpose: str = ""
    max_age: int | None = None  # the longest it may live, in seconds; None: no limit


@dataclass(frozen=True, slots=True)
class ConsentConfig:
    """``[browser.consent]``: the consent banner's buttons, as CSS selectors. Each page is
    then also visited after clicking reject and after clicking accept."""

    accept: str = ""
    reject: str = ""
    wait: float = 5.0  # seconds to wait for the button to appear


@dataclass(frozen=True, slots=True)
class BrowserConfig:
    """``[browser]``: visiting the crawled pages in headless Chromium (``scan --browser``)."""

    enabled: bool = False
    pages: int = 0  # how many pages to visit, shallowest first; 0: every page crawled
    concurrency: int = 4  # browsers at once (each a Chromium process, idle as it dwells)
    dwell: float = 3.0  # seconds to stay after load: beacons and late tags fire then
    viewport: str = "desktop"  # desktop | mobile
    args: tuple[str, ...] = ()  # extra Chromium switches
    timeout: float = 30.0  # seconds for a page to load
    consent: ConsentConfig | None = None  # None: visits are made without interaction only


@dataclass(frozen=True, slots=True)
class Waiver:
    rule: str
    reason: str
    page: str | None = None  # glob on the page URL or path
    host: str | None = None  # glob on the target host
    expires: date | None = None


@dataclass(frozen=True, slots=True)
class TemplatesConfig:
    """``[templates]``: which files ``scan --templates DIR`` judges (globs relative to DIR)."""

    paths: tuple[str, ...] = ()  # none: every file with a template suffix
    exclude: tuple[str, ...] = ()
    engine: str | None = None  # the engine of files whose suffix names none (.html): masking


@dataclass(frozen=True, slots=True)
class HistoryConfig:
    """``[history]``: record every scan in a history store (``linkguard.history``)."""

    enabled: bool = False
    path: str = ".linkguard/history.sqlite"  # relative to the policy file's folder
    external_ttl_days: float = 21.0  # --check-external answers kept this long; 0: not kept


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything a scan needs to know about the site's promises."""

    site: SiteConfig = SiteConfig()
    crawl: CrawlConfig = CrawlConfig()
    exit_notice: ExitNoticeConfig = ExitNoticeConfig()
    third_parties: tuple[ThirdPartyDecl, ...] = ()
    rules: tuple[tuple[str, Severity | None], ...] = ()  # severity overrides; None: off
    waivers: tuple[Waiver, ...] = ()
    templates: TemplatesConfig = TemplatesConfig()
    cookies: tuple[CookieDecl, ...] = ()
    browser: BrowserConfig = BrowserConfig()
    history: HistoryConfig = HistoryConfig()
    path: str | None = None  # the file it came from, None for defaults
    sha256: str | None = None

    def severity_of(self, rule: str, default: Severity) -> Severity | None:
        """The severity the policy gives ``rule``; None when the policy turns it off."""
        for name, severity in self.rules:
            if name == rule:
                return severity
        return default
