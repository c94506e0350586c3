"""Declared third parties: which ``[[third_party]]`` entry covers a reference, and the
``undeclared-*`` rules.

A ``hosts`` entry is a registrable domain (covers its subdomains), an exact host, or a URL
prefix (``https://cdn.jsdelivr.net/npm/swiper@``) that matches only URLs starting with it,
so ``.../npm/swiper@11/`` is declared and ``.../npm/swiper-evil/`` is not. An entry with
``kinds`` declares only references of those kinds. The entries are indexed once per policy
(a crawl asks for every reference of 10,000+ pages), so a lookup walks the host's labels,
not the register.

Kinds map to rules: ``script`` (src, script preload, and URL literals in inline scripts,
the way tag managers load) to ``undeclared-script``; ``frame`` to ``undeclared-frame``;
``form`` to ``undeclared-form-target``; ``image``, ``stylesheet``, ``media`` and ``preload``
to ``undeclared-resource``. Navigations (links, refreshes, redirects) need exit notices, not
declarations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from linkguard.classify import urls
from linkguard.classify.scope import registrable_domain
from linkguard.model import ClassifiedReference, Finding, Kind, Party
from linkguard.policy import Policy, ThirdPartyDecl
from linkguard.rules import PageContext, make_finding


@dataclass(frozen=True, slots=True)
class Register:
    """The policy's ``[[third_party]]`` entries indexed by domain, host and URL prefix.

    Each index maps to (position, declaration) pairs; the entry written first wins.
    """

    domains: dict[str, tuple[tuple[int, ThirdPartyDecl], ...]]
    hosts: dict[str, tuple[tuple[int, ThirdPartyDecl], ...]]
    prefixes: dict[str, tuple[tuple[str, int, ThirdPartyDecl], ...]]  # by the prefix's host
    # host -> every entry that can cover it, in policy order ("" or the URL prefix to match)
    _by_host: dict[str, tuple[tuple[str, ThirdPartyDecl], ...]] = field(
        default_factory=dict, compare=False
    )

    def lookup(self, url: str, host: str, kind: Kind | None) -> ThirdPartyDecl | None:
        candidates = self._by_host.get(host)
        if candidates is None:
            candidates = self._by_host[host] = self._candidates(host)
        for prefix, decl in candidates:
            if prefix and not url.startswith(prefix):
                continue
            if kind is None or decl.kinds is None or kind in decl.kinds:
                return decl
        return None

    def _candidates(self, host: str) -> tuple[tuple[str, ThirdPartyDecl], ...]:
        """The entries that may cover URLs on ``host``: a page's references ask about the
        same few hosts again and again, so this is worked out once per host."""
        found = [(index, "", decl) for index, decl in self.hosts.get(host, ())]
        name = host
        while name:
            found.extend((index, "", decl) for index, decl in self.domains.get(name, ()))
            name = name.partition(".")[2]
        found.extend((index, prefix, decl) for prefix, index, decl in self.prefixes.get(host, ()))
        found.sort(key=lambda entry: entry[0])
        return tuple((prefix, decl) for _, prefix, decl in found)


@lru_cache(maxsize=16)
def register_of(declarations: tuple[ThirdPartyDecl, ...]) -> Register:
    """The register indexed once per policy."""
    domains: dict[str, list[tuple[int, ThirdPartyDecl]]] = {}
    hosts: dict[str, list[tuple[int, ThirdPartyDecl]]] = {}
    prefixes: dict[str, list[tuple[str, int, ThirdPartyDecl]]] = {}
    for index, decl in enumerate(declarations):
        for entry in decl.hosts:
            if "://" in entry:
                prefixes.setdefault(urls.host_of(entry), []).append((entry, index, decl))
                continue
            name = urls.to_ascii_host(entry)
            table = domains if registrable_domain(name) == name else hosts
            table.setdefault(name, []).append((index, decl))
    return Register(
        {k: tuple(v) for k, v in domains.items()},
        {k: tuple(v) for k, v in hosts.items()},
        {k: tuple(v) for k, v in prefixes.items()},
    )


def declaration_for(
    url: str, host: str, kind: Kind | None, policy: Policy
) -> ThirdPartyDecl | None:
    """The first declaration whose hosts cover ``url`` and whose kinds admit ``kind``.

    ``kind=None`` asks whether any declaration names the host at all (for the inventory).
    """
    return register_of(policy.third_parties).lookup(url, host, kind)


_RESOURCE_KINDS = frozenset({Kind.IMAGE, Kind.STYLESHEET, Kind.MEDIA, Kind.PRELOAD})
_WHAT = {
    Kind.SCRIPT: "script", Kind.FRAME: "frame", Kind.FORM: "form target",
    Kind.IMAGE: "image", Kind.STYLESHEET: "stylesheet", Kind.MEDIA: "media file",
    Kind.PRELOAD: "preload/preconnect",
}  # fmt: skip


def _undeclared(
    ctx: PageContext, policy: Policy, rule: str, kinds: frozenset[Kind]
) -> Iterator[Finding]:
    register = register_of(policy.third_parties)
    for cref in ctx.refs:
        if cref.ref.kind not in kinds or cref.party is not Party.THIRD:
            continue
        url, host = cref.boundary.url or "", cref.boundary.host
        if register.lookup(url, host, cref.ref.kind) is None:
            other = register.lookup(url, host, None)
            yield make_finding(rule, cref, ctx, _message(cref, other))


def _message(cref: ClassifiedReference, other: ThirdPartyDecl | None) -> str:
    kind = cref.ref.kind
    what = _WHAT.get(kind, str(kind))
    inline = " (a URL in an inline script)" if cref.ref.attr == "inline" else ""
    text = f"Third-party {what} from {cref.boundary.host}{inline} is not declared"
    if other is not None and other.kinds is not None:
        declared = ", ".join(sorted(str(k) for k in other.kinds))
        return f'{text}: {other.name!r} covers it only for kinds {declared}; add "{kind}".'
    return f"{text} in any [[third_party]] entry."


def check_undeclared_scripts(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A third-party script (src, script preload, inline-loader URL) is not declared.

    Anti-pattern::

        <script src="https://tracker.example.net/t.js"></script>   (no entry)

    Better: a ``[[third_party]]`` entry with ``hosts = ["tracker.example.net"]``, its purpose,
    and ``kinds = ["script"]``.
    """
    return _undeclared(ctx, policy, "undeclared-script", frozenset({Kind.SCRIPT}))


def check_undeclared_frames(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A third-party iframe, frame, object or embed is not declared.

    Anti-pattern: ``<iframe src="https://video.example.net/embed/1">`` with no entry.
    Better: declare the vendor with ``kinds = ["frame"]``, or link to the video instead.
    """
    return _undeclared(ctx, policy, "undeclared-frame", frozenset({Kind.FRAME}))


def check_undeclared_form_targets(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A form posts to a third party that is not declared as a processor.

    Anti-pattern: ``<form action="https://forms.example.net/submit">``.
    Better: ``<form action="/contact/submit">``, or declare the processor with
    ``kinds = ["form"]``.
    """
    return _undeclared(ctx, policy, "undeclared-form-target", frozenset({Kind.FORM}))


def check_undeclared_resources(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A third-party image, stylesheet, media file or preconnect is not declared.

    Anti-pattern: ``<img src="https://pixel.example.net/p.gif" alt="">``.
    Better: ``<img src="/img/p.gif" alt="">``, or declare the vendor.
    """
    return _undeclared(ctx, policy, "undeclared-resource", _RESOURCE_KINDS)
