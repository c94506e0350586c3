"""``linkguard init``: a starter ``linkguard.toml`` from one crawl of the site.

The crawl (``survey_site``) is an ordinary scan with the built-in conventions, plus a
tally of how the site marks its outbound links: which conventional selectors and notice
phrases it uses, whether pages carry Drupal's extlink settings, and first-party links that
look like an exit interstitial (a query parameter or a path holding an off-site URL).
``render_starter`` writes what it saw:

- ``[site]``: the origin and first-party set the crawl ran with;
- ``[exit_notice]``: the mechanisms detected, each with the number of links it covered;
  none detected leaves the built-in conventions in force;
- one ``[[third_party]]`` entry per registrable domain that served anything other than a
  navigation (links need notices, not declarations), with the kinds seen and the purpose
  left as a TODO for a person. Names come from the third-party-web snapshot where it knows
  the hosts (it names; this file, once a person has reviewed it, declares).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, unquote_plus

from linkguard.classify import urls
from linkguard.classify.scope import Scope
from linkguard.classify.vendors import vendor_of
from linkguard.extract import extract_references
from linkguard.model import (
    NAVIGATION_KINDS,
    FetchedPage,
    Kind,
    Party,
    RunInfo,
    ScanResult,
    SourceResult,
    ThirdParty,
    loaded,
)
from linkguard.policy import DEFAULT_NOTICE_SELECTORS, DEFAULT_NOTICE_TEXT
from linkguard.rules.mechanisms import normalize_text
from linkguard.scan.aggregate import ResultBuilder
from linkguard.scan.analysis import analyze_page
from linkguard.scan.request import Mirror, ScanRequest, make_source

TODO_PURPOSE = "TODO: what {name} is used for, and the privacy-policy section that names it"


@dataclass(slots=True)
class NoticeSurvey:
    """How the site's outbound links carry (or lack) exit notices."""

    outbound: int = 0
    selectors: Counter[str] = field(default_factory=Counter)
    phrases: Counter[str] = field(default_factory=Counter)
    interstitials: Counter[str] = field(default_factory=Counter)
    drupal_pages: int = 0

    def add_page(self, page: FetchedPage, scope: Scope) -> None:
        """Tally one page's outbound links by the conventions they follow."""
        extracted = extract_references(page.body, page.final_url, charset=page.charset,
                                       notice_selectors=DEFAULT_NOTICE_SELECTORS)  # fmt: skip
        self.drupal_pages += extracted.drupal_extlink is not None
        phrases = {p: normalize_text(p) for p in DEFAULT_NOTICE_TEXT}
        for ref in extracted.references:
            if ref.kind is not Kind.LINK or ref.url is None:
                continue
            party = scope.classify(ref.url).party
            if party is Party.FIRST:
                route = interstitial_route(ref.url, scope)
                if route is not None:
                    self.interstitials[route] += 1
                continue
            if party is not Party.THIRD:
                continue
            self.outbound += 1
            self.selectors.update(set(ref.notice_selectors))
            text = normalize_text(ref.text)
            self.phrases.update(p for p, folded in phrases.items() if folded in text)


def interstitial_route(url: str, scope: Scope) -> str | None:
    """``/leaving?url={url}`` or ``/exit/{url}`` when a first-party URL carries an off-site
    destination in a query parameter or in its path; None otherwise."""
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


def survey_site(request: ScanRequest) -> tuple[ScanResult, NoticeSurvey]:
    """Crawl the target once: the scan's result (for its inventory) and the notice survey."""
    return asyncio.run(_survey(request))


async def _survey(request: ScanRequest) -> tuple[ScanResult, NoticeSurvey]:
    started = _now()
    builder = ResultBuilder(request.policy, request.scope)
    survey = NoticeSurvey()
    source = make_source(request)
    mirror = Mirror.between(request.target, request.scope.origin)

    async def visit(result: SourceResult) -> list[str]:
        result = loaded(result)
        if mirror is not None:
            result = mirror.page(result)
        analysis = analyze_page(result, request.policy, request.scope)
        builder.add(analysis)
        if isinstance(result, FetchedPage) and result.body:
            survey.add_page(result, request.scope)
        follow = list(analysis.follow)
        return [mirror.to_served(u) for u in follow] if mirror is not None else follow

    await source.run(visit)
    run = RunInfo(target=request.target, origin=request.scope.origin,
                  first_party=request.scope.entries, started=started, finished=_now(),
                  config=None)  # fmt: skip
    return builder.build(run), survey


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _array(values: list[str]) -> str:
    return "[" + ", ".join(_toml(v) for v in values) + "]"


def render_starter(result: ScanResult, survey: NoticeSurvey) -> str:
    """The starter policy file's text: it loads with ``config.load_policy`` as written."""
    pages = result.summary.pages
    lines = [
        f"# linkguard.toml, written by `linkguard init` on {result.run.finished[:10]} from",
        f"# {result.run.target} ({pages} page{'s' if pages != 1 else ''}).",
        "# Review every TODO with whoever owns the privacy policy, then commit this file.",
        "",
        "[site]",
        f"origin = {_toml(result.run.origin)}",
        f"first_party = {_array(_first_party(result.run))}",
        "",
        *_exit_notice(survey),
        "",
        *_third_parties(result.third_parties),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _first_party(run: RunInfo) -> list[str]:
    origin_host = urls.host_of(run.origin)
    return [entry for entry in run.first_party if entry != origin_host and not _is_ip(entry)]


def _is_ip(host: str) -> bool:
    return host.replace(".", "").isdigit() or host.startswith("[") or host == "localhost"


def _exit_notice(survey: NoticeSurvey) -> list[str]:
    lines = ["[exit_notice]"]
    lines.append(f"# {survey.outbound} outbound link(s) seen. Mechanisms detected, with the "
                 "links each covered:")  # fmt: skip
    detected = (
        ("selectors", survey.selectors),
        ("text", survey.phrases),
        ("interstitials", survey.interstitials),
    )
    for key, counts in detected:
        if counts:
            ranked = [item for item, _ in counts.most_common()]
            lines.append(f"{key} = {_array(ranked)}")
            lines += [f"#   {_toml(item)}: {n} link(s)" for item, n in counts.most_common()]
    if not survey.selectors and not survey.phrases:
        lines.append("# No conventional marker or phrase was found: the built-in conventions")
        lines.append("# stay in force (see the README). Add the site's own, for example:")
        lines.append('# selectors = ["a.external"]')
        lines.append('# text = ["(opens an external site)"]')
    if survey.drupal_pages:
        lines.append(f"# Drupal extlink settings found on {survey.drupal_pages} page(s): "
                     "linkguard applies them (drupal_extlink = true).")  # fmt: skip
    lines.append('# exempt = ["*.gov"]  # destinations that need no notice, if the policy says so')
    return lines


def _third_parties(parties: tuple[ThirdParty, ...]) -> list[str]:
    groups: dict[str, list[ThirdParty]] = defaultdict(list)
    linked_only: set[str] = set()
    for party in parties:
        if set(party.kinds) - {str(k) for k in NAVIGATION_KINDS}:
            groups[party.site or party.host].append(party)
        else:
            linked_only.add(party.site or party.host)
    lines = [
        "# Third parties that pages load from or send data to, one entry per registrable",
        "# domain. Names in comments come from the third-party-web dataset (MIT): it names",
        "# vendors, only this file declares them.",
    ]
    taken: set[str] = set()
    for site in sorted(groups):
        lines += ["", *_entry(site, groups[site], taken)]
    if linked_only:
        lines += ["", f"# {len(linked_only)} other site(s) are only linked to: links need exit "
                  "notices, not declarations."]  # fmt: skip
    return lines


def _entry(site: str, hosts: list[ThirdParty], taken: set[str]) -> list[str]:
    vendors = {v.name: v for v in (vendor_of(h.host) for h in hosts) if v is not None}
    name = " / ".join(sorted(vendors)) or site
    if name.casefold() in taken:
        name = f"{name} ({site})"
    taken.add(name.casefold())
    kinds = sorted({k for h in hosts for k in h.kinds} - {str(k) for k in NAVIGATION_KINDS})
    lines = [
        "[[third_party]]",
        f"name = {_toml(name)}",
        f"hosts = {_array([site])}",
        f"purpose = {_toml(TODO_PURPOSE.format(name=name))}",
        f"kinds = {_array(kinds)}",
    ]
    for host in sorted(hosts, key=lambda h: h.host):
        vendor = vendor_of(host.host)
        who = f": {vendor.name} ({vendor.company}, {vendor.category})" if vendor else ""
        lines.append(f"# {host.host}{who}; {', '.join(host.kinds)} on {host.pages} page(s)")
    return lines
