"""``linkguard init``'s crawl: the pipeline observed into a results and a notice survey.

The walk is an ordinary scan with the built-in conventions; each page is read once, and its
references also feed a tally of how the site marks its outbound links: which conventional
selectors and notice phrases it uses, whether pages carry Drupal's extlink settings, and
first-party links that look like an exit interstitial (a query parameter or a path holding
an off-site URL).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.extract import DrupalExtlink
from linkguard.model import Kind, Party, RunInfo, ScanResult, SourceResult
from linkguard.policy import DEFAULT_NOTICE_TEXT
from linkguard.rules import FACT_DRUPAL_EXTLINK
from linkguard.rules.mechanisms import normalize_text
from linkguard.scan.aggregate import ResultBuilder
from linkguard.scan.analysis import ReadPage, analyze_page
from linkguard.scan.loop import run_loop
from linkguard.scan.pipeline import Observed, ProgressCallback, start_url, walk
from linkguard.scan.request import ScanRequest
from linkguard.scan.run import browse


@dataclass(slots=True)
class NoticeSurvey:
    """How the site's outbound links carry (or lack) exit notices."""

    outbound: int = 0
    selectors: Counter[str] = field(default_factory=Counter)
    phrases: Counter[str] = field(default_factory=Counter)
    interstitials: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # a link seen through each route
    drupal_pages: int = 0  # pages with extlink settings
    drupal_loaded: int = 0  # of those, pages that also load the module's script

    def add_page(self, read: ReadPage, scope: Scope) -> None:
        """Tally one page's outbound links by the conventions they follow."""
        settings = read.facts.get(FACT_DRUPAL_EXTLINK)
        self.drupal_pages += settings is not None
        self.drupal_loaded += isinstance(settings, DrupalExtlink) and settings.loaded
        phrases = {p: normalize_text(p) for p in DEFAULT_NOTICE_TEXT}
        for cref in read.refs:
            ref = cref.ref
            if ref.kind is not Kind.LINK or ref.url is None:
                continue
            if cref.party is Party.FIRST:
                route = interstitial_route(ref.url, scope)
                if route is not None:
                    self.interstitials[route] += 1
                    self.examples.setdefault(route, ref.url)
                continue
            if cref.party is not Party.THIRD:
                continue
            self.outbound += 1
            self.selectors.update(set(ref.notice_selectors))
            text = normalize_text(ref.text)
            self.phrases.update(p for p, folded in phrases.items() if folded in text)


def interstitial_route(url: str, scope: Scope) -> str | None:
    """``/leaving?url={url}`` or ``/exit/{url}`` when a first-party URL carries an off-site
    destination in a query parameter or in its path; None otherwise.

    The route is written as a crawled page gave it (a parameter named ``%7Burl%7D`` makes
    ``/go?{url}={url}``): ``render_starter`` writes only what reads back as a route that
    recognises the link it came from (``NoticeSurvey.examples``)."""
    parsed = urls.parse(url)
    if parsed is None:
        return None
    path: str = parsed.pathname
    for pair in str(parsed.search)[1:].split("&"):
        name, _, value = pair.partition("=")
        if _is_off_site(unquote_plus(value), scope):
            return f"{path}?{unquote_plus(name)}={{url}}"
    for marker in ("/http:", "/https:", "/http%3a", "/https%3a"):
        at = path.lower().find(marker)
        if at >= 0 and _is_off_site(unquote(path[at + 1 :]), scope):
            return f"{path[: at + 1]}{{url}}"
    return None


def _is_off_site(candidate: str, scope: Scope) -> bool:
    if urls.scheme_of(candidate) not in urls.WEB_SCHEMES:
        return False
    return scope.classify(urls.resolve(candidate, scope.origin + "/")).party is Party.THIRD


class _Survey:
    """Observes pages into a ResultBuilder and a NoticeSurvey, reading each page once."""

    def __init__(self, request: ScanRequest) -> None:
        self.request = request
        self.builder = ResultBuilder(request.policy, request.scope)
        self.survey = NoticeSurvey()

    async def page(self, page: SourceResult) -> Observed:
        analysis = analyze_page(page, self.request.policy, self.request.scope, keep_references=True)
        self.builder.add(analysis)
        if analysis.read is not None:
            self.survey.add_page(analysis.read, self.request.scope)
        return Observed(analysis.follow, failed=analysis.record.error is not None)


def survey_site(
    request: ScanRequest, progress: ProgressCallback | None = None
) -> tuple[ScanResult, NoticeSurvey]:
    """Crawl the target once: the scan's result (for its inventory) and the notice survey."""
    return run_loop(_survey(request, progress), browser=request.chromium is not None)


async def _survey(
    request: ScanRequest, progress: ProgressCallback | None
) -> tuple[ScanResult, NoticeSurvey]:
    observer = _Survey(request)
    walked = await walk(request, observer, progress=progress)
    interrupted = walked.interrupted
    if request.chromium is not None and not interrupted:  # init --browser
        observer.builder.set_depths(walked.source.depth_of)
        interrupted = await browse(request, observer.builder, request.chromium, progress)
    run = RunInfo(
        target=request.target,
        origin=request.scope.origin,
        first_party=request.scope.entries,
        started=walked.started,
        finished=walked.finished,
        config=None,
        complete=not interrupted,
    )
    return observer.builder.build(run, start=start_url(request)), observer.survey
