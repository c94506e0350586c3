"""The rules: what linkguard checks on a page, and the catalogue of every rule it raises.

Reports, ``linkguard rules`` and the README's rule table come from the one catalogue. Each
rule is declared beside what raises it; a page check is a small pure function over one
page's classified references and the policy:

    _base.py            Rule and the @rule decorator, PageContext, PageVerdict, make_finding
    exit_notice.py      exit-notice-missing (mechanisms.py: the compiled [exit_notice];
                        extlink.py: Drupal's extlink module, applied)
    declarations.py     undeclared-script, -frame, -form-target, -resource
    transport.py        insecure-form, mixed-content, missing-sri, unsafe-target-blank
    raised_by_scan.py   rules the scan raises, with their findings' constructors:
                        unused-declaration, broken-outbound-link, crawl-error,
                        internal-error (a check that failed), page-truncated, missing-page
    _catalogue.py       the modules above that declare rules, in order; RULES, gathered
                        from them; rules_table
    engine.py           evaluate: runs the checks over a page, counts exit-notice coverage

The scan also raises ``exit-notice-missing`` for links through an interstitial that the
crawl found broken (``PageVerdict.via_interstitial``).

Modules of this package import one another by full module path and never this package
itself, which imports them all: the other way round would be an import cycle.
"""

from __future__ import annotations

from linkguard.rules._base import (
    FACT_DRUPAL_EXTLINK,
    FACT_PAGE_TEXT,
    Check,
    PageContext,
    PageVerdict,
    Rule,
    make_finding,
    rule,
)
from linkguard.rules._catalogue import CATALOGUE, RULES, rules_table
from linkguard.rules.engine import evaluate
from linkguard.rules.raised_by_scan import (
    broken_outbound_link,
    crawl_error,
    internal_error,
    missing_page,
    unused_declaration,
)

__all__ = [
    "CATALOGUE",
    "FACT_DRUPAL_EXTLINK",
    "FACT_PAGE_TEXT",
    "RULES",
    "Check",
    "PageContext",
    "PageVerdict",
    "Rule",
    "broken_outbound_link",
    "crawl_error",
    "evaluate",
    "internal_error",
    "make_finding",
    "missing_page",
    "rule",
    "rules_table",
    "unused_declaration",
]
