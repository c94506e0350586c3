"""The rule catalogue: every rule linkguard raises, gathered from where each is declared.

Each rule's id, severity, rationale, fix and examples sit beside what raises it: the page
checks in ``exit_notice.py``, ``declarations.py`` and ``transport.py`` (``@rule``), the
rest in ``raised_by_scan.py``. This module only lists them, in a fixed order:

1. the page checks, one module after another (exit notices, declarations, transport);
   the engine runs them in this order;
2. the rules the scan raises.

That order is the one of ``linkguard rules``, the README's rule table and the SARIF rule
list (whose indexes a SARIF file's results refer to): a new rule goes at the end of its
group, so the others keep their place. A rule that is declared but not listed here is
never run nor reported; tests/rules/test_catalogue.py fails if that happens.
"""

from __future__ import annotations

from linkguard.rules._base import Rule
from linkguard.rules.declarations import (
    undeclared_form_target,
    undeclared_frame,
    undeclared_resource,
    undeclared_script,
)
from linkguard.rules.exit_notice import exit_notice_missing
from linkguard.rules.raised_by_scan import (
    BROKEN_OUTBOUND_LINK,
    CRAWL_ERROR,
    INTERNAL_ERROR,
    UNUSED_DECLARATION,
)
from linkguard.rules.transport import insecure_form, missing_sri, mixed_content, unsafe_target_blank

CATALOGUE: tuple[Rule, ...] = (
    exit_notice_missing,
    undeclared_script,
    undeclared_frame,
    undeclared_form_target,
    undeclared_resource,
    insecure_form,
    mixed_content,
    missing_sri,
    unsafe_target_blank,
    UNUSED_DECLARATION,
    BROKEN_OUTBOUND_LINK,
    CRAWL_ERROR,
    INTERNAL_ERROR,
)

# By id, in catalogue order. A dict (not a mapping proxy) so a test can swap a rule's check.
RULES: dict[str, Rule] = {rule.id: rule for rule in CATALOGUE}


def rules_table() -> str:
    """The catalogue as a Markdown table: id, default severity, name, why."""
    rows = ["| rule | default | what | why |", "|---|---|---|---|"]
    for rule in RULES.values():
        rows.append(f"| `{rule.id}` | {rule.severity} | {rule.name} | {rule.rationale} |")
    return "\n".join(rows) + "\n"
