"""``linkguard init``'s output: a starter ``linkguard.toml`` written from a crawl's results and
notice survey (``survey.py``). ``render_starter`` writes what the crawl saw:

- ``[site]``: the origin and first-party set the crawl ran with (an origin a folder was
  read under for want of one is marked TODO);
- ``[exit_notice]``: the mechanisms detected, each with the number of links it covered;
  none detected leaves the built-in conventions in force;
- one ``[[third_party]]`` entry per registrable domain that served anything other than a
  navigation or a mention (links need notices, not declarations; a URL a script only names
  makes no request), with the kinds seen and the purpose
  left as a TODO for a person. Names come from the third-party-web snapshot where it knows
  the hosts (it names; this file, once a person has reviewed it, declares).
"""

from __future__ import annotations

import json
from collections import defaultdict

from linkguard.classify import urls
from linkguard.classify.vendors import vendor_of
from linkguard.draft.survey import NoticeSurvey
from linkguard.model import UNDECLARED_KINDS, RunInfo, ScanResult, ThirdParty

ORIGIN_TODO = (
    '# TODO: the site\'s real origin, e.g. "https://www.example.com". A folder has none, so',
    "# it was read as this placeholder, and pages are judged as served over plain http.",
)
TODO_PURPOSE = "TODO: what {name} is used for, and the privacy-policy section that names it"


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _array(values: list[str]) -> str:
    return "[" + ", ".join(_toml(v) for v in values) + "]"


def render_starter(result: ScanResult, survey: NoticeSurvey, *, origin_todo: bool = False) -> str:
    """The starter policy file's text: it loads with ``config.load_policy`` as written.

    ``origin_todo``: the origin was assumed (a folder read with no ``--origin``), so its
    line is marked as one the user must fill in.
    """
    pages = result.summary.pages
    lines = [
        f"# linkguard.toml, written by `linkguard init` on {result.run.finished[:10]} from",
        f"# {result.run.target} ({pages} page{'s' if pages != 1 else ''}).",
        "# Review every TODO with whoever owns the privacy policy, then commit this file.",
        "",
        "[site]",
        *(ORIGIN_TODO if origin_todo else ()),
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
        if set(party.kinds) - {str(k) for k in UNDECLARED_KINDS}:
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
        lines += ["", f"# {len(linked_only)} other site(s) are only linked to or named in "
                  "scripts: links need exit notices, not declarations."]  # fmt: skip
    return lines


def _entry(site: str, hosts: list[ThirdParty], taken: set[str]) -> list[str]:
    vendors = {v.name: v for v in (vendor_of(h.host) for h in hosts) if v is not None}
    name = " / ".join(sorted(vendors)) or site
    if name.casefold() in taken:
        name = f"{name} ({site})"
    taken.add(name.casefold())
    kinds = sorted({k for h in hosts for k in h.kinds} - {str(k) for k in UNDECLARED_KINDS})
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
