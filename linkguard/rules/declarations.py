"""Declared third parties: which ``[[third_party]]`` entry covers a reference, and the
``undeclared-*`` rules.

A ``hosts`` entry is a registrable domain (covers its subdomains), an exact host, or a URL
prefix (``https://cdn.jsdelivr.net/npm/swiper@``) that matches only URLs starting with it,
so ``.../npm/swiper@11/`` is declared and ``.../npm/swiper-evil/`` is not. An entry with
``kinds`` declares only references of those kinds. The entries are indexed once per policy
(a crawl asks for every reference of 10,000+ pages), so a lookup walks the host's labels,
not the register.

Kinds map to rules: ``script`` (src, script preload, and what an inline script visibly
loads, the way tag managers load) to ``undeclared-script``; ``frame`` to ``undeclared-
frame``; ``form`` to ``undeclared-form-target``; ``image``, ``stylesheet``, ``media``,
``preload``, ``font``, ``manifest`` and ``ping`` to ``undeclared-resource`` (a ping is a
beacon the browser sends to each of its URLs when the link is followed: a third party told
who left). Navigations (links, refreshes, redirects) need exit notices, not declarations. A
``mention`` (a URL an inline script names without loading it: a settings object, an
allowlist, a folder of images) is judged by no rule: it makes no request, and an
informational finding per mention would be the noise this kind exists to remove (one site
had 2,115 such findings on 24 pages). The inventory lists mentions, so an auditor still sees
every host a script names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from linkguard.classify import urls
from linkguard.classify.scope import registrable_domain
from linkguard.model import ClassifiedReference, Finding, Kind, Severity
from linkguard.policy import Policy, ThirdPartyDecl
from linkguard.rules._base import PageContext, Rule, make_finding, rule


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
    # (url, host, kind) -> the name of the entry that covers it, or "": what the inventory
    # asks of the same few third-party URLs on every page
    _names: dict[tuple[str, str, Kind | None], str] = field(default_factory=dict, compare=False)

    def named(self, url: str, host: str, kind: Kind | None) -> str:
        """The name of the first entry covering ``url`` for ``kind`` (``lookup``), or ""."""
        key = (url, host, kind)
        name = self._names.get(key)
        if name is None:
            decl = self.lookup(url, host, kind)
            name = decl.name if decl is not None else ""
            if len(self._names) >= _NAMES_MAX:
                self._names.clear()
            self._names[key] = name
        return name

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


def register_of(declarations: tuple[ThirdPartyDecl, ...]) -> Register:
    """The register indexed once per policy's declarations, found by the tuple's identity
    (rules ask for it for every reference; hashing the declarations would be a call per
    entry). An equal tuple of another policy is indexed again: once per policy loaded."""
    known = _REGISTERS.get(id(declarations))
    if known is not None and known[0] is declarations:
        return known[1]
    if len(_REGISTERS) >= 16:
        _REGISTERS.clear()
    register = _indexed(declarations)
    _REGISTERS[id(declarations)] = (declarations, register)  # kept alive: its id stays its own
    return register


_REGISTERS: dict[int, tuple[tuple[ThirdPartyDecl, ...], Register]] = {}
_NAMES_MAX = 16_384  # URLs a register remembers the answer for; then it starts again


def _indexed(declarations: tuple[ThirdPartyDecl, ...]) -> Register:
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


_RESOURCE_KINDS = frozenset(
    {Kind.IMAGE, Kind.STYLESHEET, Kind.MEDIA, Kind.PRELOAD, Kind.FONT, Kind.MANIFEST, Kind.PING}
)
_WHAT = {
    Kind.SCRIPT: "script", Kind.FRAME: "frame", Kind.FORM: "form target",
    Kind.IMAGE: "image", Kind.STYLESHEET: "stylesheet", Kind.MEDIA: "media file",
    Kind.PRELOAD: "preload/preconnect", Kind.FONT: "font", Kind.MANIFEST: "web app manifest",
    Kind.PING: "link ping (a beacon sent on click)",
}  # fmt: skip


def _undeclared(
    ctx: PageContext, policy: Policy, undeclared: Rule, kinds: frozenset[Kind]
) -> Iterator[Finding]:
    register = register_of(policy.third_parties)
    for cref in ctx.third:
        if cref.ref.kind not in kinds:
            continue
        url, host = cref.boundary.url or "", cref.boundary.host
        if register.lookup(url, host, cref.ref.kind) is None:
            other = register.lookup(url, host, None)
            yield make_finding(undeclared, cref, ctx, _message(cref, other))


def _message(cref: ClassifiedReference, other: ThirdPartyDecl | None) -> str:
    kind = cref.ref.kind
    what = _WHAT.get(kind, str(kind))
    inline = ""
    if cref.ref.attr == "inline":
        inline = (
            " (loaded by inline CSS)"
            if cref.ref.tag == "style"
            else " (loaded by an inline script)"
        )
    text = f"Third-party {what} from {cref.boundary.host}{inline} is not declared"
    if other is not None and other.kinds is not None:
        declared = ", ".join(sorted(str(k) for k in other.kinds))
        return f'{text}: {other.name!r} covers it only for kinds {declared}; add "{kind}".'
    return f"{text} in any [[third_party]] entry."


@rule(
    "undeclared-script",
    name="Undeclared third-party script",
    severity=Severity.ERROR,
    rationale="A third-party script runs with the page's full power and observes visitors; "
    "the privacy policy must name it and its purpose.",
    fix="Declare the vendor in a [[third_party]] entry with its purpose (kinds including "
    '"script"), or remove the tag.',
    bad='<script src="https://tracker.example.net/t.js"></script>',
    good='[[third_party]]\nname = "Example Tracker"\nhosts = ["tracker.example.net"]\n'
    'purpose = "Usage statistics (privacy policy section 6)"\nkinds = ["script"]',
)
def undeclared_script(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each third-party script (src, script preload, a script an inline
    script visibly loads) that no ``[[third_party]]`` entry declares for kind ``script``."""
    return _undeclared(ctx, policy, undeclared_script, frozenset({Kind.SCRIPT}))


@rule(
    "undeclared-frame",
    name="Undeclared third-party frame",
    severity=Severity.ERROR,
    rationale="An embedded frame runs a third party's page inside ours, with its own cookies.",
    fix='Declare the embed\'s vendor with kinds = ["frame"], or replace the frame with a link.',
    bad='<iframe src="https://video.example.net/embed/1"></iframe>',
    good='[[third_party]]\nname = "Example Video"\nhosts = ["video.example.net"]\n'
    'purpose = "Product videos"\nkinds = ["frame"]',
)
def undeclared_frame(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each third-party iframe, frame, object or embed that no entry declares
    for kind ``frame``."""
    return _undeclared(ctx, policy, undeclared_frame, frozenset({Kind.FRAME}))


@rule(
    "undeclared-form-target",
    name="Form posts to an undeclared third party",
    severity=Severity.ERROR,
    rationale="Data typed into a form must go only to us or to a declared processor.",
    fix='Post the form to a first-party endpoint, or declare the processor with kinds = ["form"].',
    bad='<form action="https://forms.example.net/submit" method="post">',
    good='<form action="/contact/submit" method="post">',
)
def undeclared_form_target(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each form that posts to a third party no entry declares for kind
    ``form``."""
    return _undeclared(ctx, policy, undeclared_form_target, frozenset({Kind.FORM}))


@rule(
    "undeclared-resource",
    name="Undeclared third-party resource",
    severity=Severity.WARNING,
    rationale="Every third-party request (image, font, stylesheet, media, preconnect) tells "
    "that party who visited.",
    fix="Serve the resource from a first-party host, or declare the vendor.",
    bad='<img src="https://pixel.example.net/p.gif" alt="">',
    good='<img src="/img/p.gif" alt="">',
)
def undeclared_resource(ctx: PageContext, policy: Policy) -> Iterator[Finding]:
    """A finding for each third-party image, stylesheet, media file, preload/preconnect,
    font, web app manifest or link ping that no entry declares for its kind."""
    return _undeclared(ctx, policy, undeclared_resource, _RESOURCE_KINDS)
