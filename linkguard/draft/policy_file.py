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

What a crawled page gave (an interstitial route, a host) is escaped as TOML requires, and
each value is read back through the policy checks before it is written: one that cannot be
expressed, or would not mean what was seen, is left as a comment that says why. The whole
file is read back too, so ``init`` never writes a policy that linkguard then refuses.

After ``init --browser``, each entry also lists the cookies its domain set, or its scripts
wrote on the site's own domain, and asks whether it needs consent; the site's other
cookies get ``[[cookie]]`` entries with the lifetime seen as ``max_age``.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections import defaultdict

from linkguard.classify import urls
from linkguard.classify.scope import registrable_domain
from linkguard.classify.vendors import vendor_of
from linkguard.config import policy_from_mapping
from linkguard.display import shown
from linkguard.draft.survey import NoticeSurvey
from linkguard.errors import ConfigError, ScanError
from linkguard.model import UNDECLARED_KINDS, Cookie, RunInfo, ScanResult, ThirdParty
from linkguard.rules.mechanisms import compile_route

ORIGIN_TODO = (
    '# TODO: the site\'s real origin, e.g. "https://www.example.com". A folder has none, so',
    "# it was read as this placeholder, and pages are judged as served over plain http.",
)
TODO_PURPOSE = "TODO: what {name} is used for, and the privacy-policy section that names it"
SOURCE = "linkguard init"
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n",
                  "\f": "\\f", "\r": "\\r"}  # fmt: skip


class _Unwritable(ValueError):
    """A value no TOML string can hold (a lone surrogate, from a name that is not UTF-8)."""


def _toml(value: str) -> str:
    """A TOML basic string. TOML forbids U+0000-U+001F (but TAB) and U+007F in one, where
    JSON allows U+007F: those, and every other control, format (bidirectional) and line
    separator character, are written as ``\\uXXXX`` so a reviewer sees them."""
    out = []
    for char in value:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif unicodedata.category(char) == "Cs":
            raise _Unwritable(f"{value!r} holds a lone surrogate")
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _array(values: list[str]) -> str:
    return "[" + ", ".join(_toml(v) for v in values) + "]"


def _unwritable(key: str, value: str, example: str | None) -> str | None:
    """Why ``value`` cannot be written in ``[exit_notice].key``, or None when it reads back
    as itself, passes the policy checks and (a route) recognises the link it was seen on."""
    try:
        read = tomllib.loads(f"{key} = [{_toml(value)}]")[key]
        policy_from_mapping({"exit_notice": {key: read}}, source=SOURCE)
    except (_Unwritable, tomllib.TOMLDecodeError) as exc:
        return str(exc)
    except ConfigError as exc:
        return exc.message.removeprefix(f"{SOURCE}: ")
    if read != [value]:
        return "it does not read back as written"
    route = compile_route(value) if key == "interstitials" and example is not None else None
    if route is not None and example is not None and route.destination(example) is None:
        return f"linkguard would not read {example} as a link through it"
    return None


def _comment(text: str) -> str:
    """Text for a TOML comment: one line, no control character (TOML forbids them)."""
    return shown(text)


def _checked(text: str) -> str:
    """``text`` when it loads as a policy; it is the file ``init`` writes."""
    try:
        policy_from_mapping(tomllib.loads(text), source=SOURCE)
    except (tomllib.TOMLDecodeError, ConfigError) as exc:  # a bug: the entries were checked
        raise ScanError(f"the drafted policy does not load ({exc}); no file was written") from exc
    return text


def render_starter(result: ScanResult, survey: NoticeSurvey, *, origin_todo: bool = False) -> str:
    """The starter policy file's text: it loads with ``config.load_policy`` as written.

    ``origin_todo``: the origin was assumed (a folder read with no ``--origin``), so its
    line is marked as one the user must fill in.
    """
    pages = result.summary.pages
    lines = [
        f"# linkguard.toml, written by `linkguard init` on {result.run.finished[:10]} from",
        f"# {_comment(result.run.target)} ({pages} page{'s' if pages != 1 else ''}).",
        "# Review every TODO with whoever owns the privacy policy, then commit this file.",
        "",
        "[site]",
        *(ORIGIN_TODO if origin_todo else ()),
        f"origin = {_toml(result.run.origin)}",
        f"first_party = {_array(_first_party(result.run))}",
        "",
        *_exit_notice(survey),
        "",
        *_third_parties(result.third_parties, _cookies_by_site(result)),
        *_own_cookies(result),
    ]
    return _checked("\n".join(lines).rstrip() + "\n")


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
        ranked = counts.most_common()
        why = {item: _unwritable(key, item, survey.examples.get(item)) for item, _ in ranked}
        kept = [item for item, _ in ranked if why[item] is None]
        if kept:
            lines.append(f"{key} = {_array(kept)}")
            lines += [f"#   {_toml(item)}: {n} link(s)" for item, n in ranked if item in kept]
        for item, n in ranked:
            if why[item] is not None:
                lines.append(f"# Not written, {n} link(s) seemed to use this {key[:-1]}: "
                             f"{_comment(repr(item))}: {_comment(str(why[item]))}")  # fmt: skip
    if not survey.selectors and not survey.phrases:
        lines.append("# No conventional marker or phrase was found: the built-in conventions")
        lines.append("# stay in force (see the README). Add the site's own, for example:")
        lines.append('# selectors = ["a.external"]')
        lines.append('# text = ["(opens an external site)"]')
    if survey.drupal_loaded:
        lines.append(f"# Drupal extlink settings and script found on {survey.drupal_loaded} "
                     "page(s): linkguard applies them there (drupal_extlink = true).")  # fmt: skip
    if survey.drupal_pages > survey.drupal_loaded:
        bare = survey.drupal_pages - survey.drupal_loaded
        lines.append(f"# Drupal extlink settings without the module's script on {bare} "
                     "page(s): settings alone decorate no link.")  # fmt: skip
    lines.append('# exempt = ["*.gov"]  # destinations that need no notice, if the policy says so')
    return lines


def _cookies_by_site(result: ScanResult) -> dict[str, list[Cookie]]:
    """The cookies a visit saw, by the registrable domain of who set them: a third-party
    cookie's own domain, or the host of the third-party script or response that set a
    first-party one; the site's own under ""."""
    owners: dict[str, list[Cookie]] = defaultdict(list)
    third = {party.host for party in result.third_parties}
    for cookie in result.cookies:
        if cookie.party == "third":
            owner = registrable_domain(cookie.domain.lstrip("."))
        else:
            setter = urls.host_of(cookie.set_by) if cookie.set_by else ""
            owner = registrable_domain(setter) if setter in third else ""
        owners[owner].append(cookie)
    return owners


def _cookie_unwritable(name: str) -> str | None:
    """Why a cookie name a browser kept cannot be written as a name pattern (a space, a
    quote), or None when it reads back as itself and passes the policy checks."""
    try:
        read = tomllib.loads(f"name = {_toml(name)}")["name"]
        policy_from_mapping({"cookie": [{"name": read}]}, source=SOURCE)
    except (_Unwritable, tomllib.TOMLDecodeError) as exc:
        return str(exc)
    except ConfigError as exc:
        return exc.message.removeprefix(f"{SOURCE}: ")
    return None if read == name else "it does not read back as written"


def _unwritten(names: list[str]) -> list[str]:
    return [f"# cookie {_comment(repr(n))} was seen, not written: {_comment(why)}"
            for n in names if (why := _cookie_unwritable(n))]  # fmt: skip


def _own_cookies(result: ScanResult) -> list[str]:
    """A ``[[cookie]]`` entry for each of the site's own cookies a visit saw."""
    own = sorted({c.name: c for c in _cookies_by_site(result).get("", [])}.values(),
                 key=lambda c: c.name)  # fmt: skip
    lines: list[str] = []
    unwritten = _unwritten([c.name for c in own])
    if unwritten:
        lines += ["", *unwritten]
    for cookie in own:
        if _cookie_unwritable(cookie.name):
            continue
        lines += [
            "",
            "[[cookie]]",
            f"name = {_toml(cookie.name)}",
            f"purpose = {_toml(f'TODO: what the {cookie.name} cookie is for')}",
        ]
        if cookie.lifetime is not None:
            lines.append(
                f"max_age = {cookie.lifetime}  # as seen; shorten it if the policy says so"
            )
    return lines


def _third_parties(
    parties: tuple[ThirdParty, ...], cookies: dict[str, list[Cookie]] | None = None
) -> list[str]:
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
        seen = sorted({c.name for c in (cookies or {}).get(site, ())})
        names = [name for name in seen if not _cookie_unwritable(name)]
        lines += _unwritten(seen)
        if names:
            lines += [
                f"cookies = {_array(names)}  # seen in a browser",
                '# consent = "required"  # TODO: or "exempt" when it does not track visitors',
            ]
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
        lines.append(
            _comment(f"# {host.host}{who}; {', '.join(host.kinds)} on {host.pages} page(s)")
        )
    return lines
