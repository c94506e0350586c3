"""Judge a small HTML page exactly as a scan does: ``analysis.analyze_page`` on a FetchedPage,
which runs ``extract_references`` -> ``Scope.classify`` -> ``rules.evaluate``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from linkguard.config import Policy, policy_from_mapping
from linkguard.model import FetchedPage
from linkguard.scan import make_scope
from linkguard.scan.analysis import PageAnalysis, analyze_page

ORIGIN = "https://www.example.com"
PAGE = f"{ORIGIN}/page.html"
BASE_POLICY = f'[site]\norigin = "{ORIGIN}"\n'


def policy(toml: str = "") -> Policy:
    """The test site's policy plus ``toml`` (tables after [site])."""
    return policy_from_mapping(tomllib.loads(BASE_POLICY + toml), source="test.toml")


def judge(
    html: str,
    *,
    toml: str = "",
    page: str = PAGE,
    redirects: tuple[tuple[str, str, int], ...] = (),
) -> PageAnalysis:
    """One page through the real pipeline, with the test site's policy plus ``toml``."""
    rules = policy(toml)
    fetched = FetchedPage(
        url=redirects[0][0] if redirects else page,
        final_url=page,
        status=200,
        depth=0,
        body=html.encode("utf-8"),
        redirects=redirects,
    )
    return analyze_page(fetched, rules, make_scope(ORIGIN, rules))


@dataclass(frozen=True)
class Case:
    """A rule case as data: HTML in, expected (rule, target) findings out.

    Only findings of ``rules`` are compared (empty: every rule). ``suppressed`` are findings
    marked by ``data-linkguard-ignore``. ``coverage`` is (outbound, noticed, exempt,
    mechanism) for exit-notice cases.
    """

    id: str
    html: str
    expected: frozenset[tuple[str, str]] = frozenset()
    rules: tuple[str, ...] = ()
    toml: str = ""
    page: str = PAGE
    redirects: tuple[tuple[str, str, int], ...] = ()
    suppressed: frozenset[tuple[str, str]] = frozenset()
    coverage: tuple[int, int, int, str | None] | None = None


def found(
    analysis: PageAnalysis, rules: tuple[str, ...], *, suppressed: bool
) -> set[tuple[str, str]]:
    return {
        (f.rule, f.target)
        for f in analysis.findings
        if (not rules or f.rule in rules) and (f.suppressed_by is not None) == suppressed
    }
