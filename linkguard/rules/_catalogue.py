"""The rule catalogue: every rule linkguard raises, gathered from the modules that declare them.

Each rule's id, severity, rationale, fix and examples sit beside what raises it: the page
checks in ``exit_notice.py``, ``declarations.py``, ``transport.py`` and ``runtime.py`` (what
a browser visit observed; ``@rule``), the
rules the scan raises in ``raised_by_scan.py``. This module only lists those modules; the
catalogue is every ``Rule`` bound at the top level of each, in a fixed order:

1. the modules in the order of ``MODULES``: the page checks (exit notices, declarations,
   transport), then the rules the scan raises; the engine runs the checks in this order;
2. within a module, the order in which its rules are declared.

That order is the one of ``linkguard rules``, the README's rule table and the SARIF rule
list (whose indexes a SARIF file's results refer to), so a new rule goes at the end of its
module, and a new module of page checks before ``raised_by_scan``. A module that declares
rules but is not listed here is never run nor reported; tests/rules/test_catalogue.py fails
if that happens.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

# By full module path, not ``from linkguard.rules import ...``: that would go through the
# package's __init__, which imports this module.
import linkguard.rules.declarations as declarations
import linkguard.rules.exit_notice as exit_notice
import linkguard.rules.raised_by_scan as raised_by_scan
import linkguard.rules.runtime as runtime
import linkguard.rules.transport as transport
from linkguard.rules._base import Rule

MODULES: tuple[ModuleType, ...] = (exit_notice, declarations, transport, runtime, raised_by_scan)


def _gather(modules: Iterable[ModuleType]) -> tuple[Rule, ...]:
    """Every Rule bound at the top level of ``modules``, module by module, each module's in
    declaration order (a module's namespace keeps it). An id bound twice, as a second rule
    or as one module importing another's, fails at import rather than shadowing a rule or
    moving it in the order."""
    found: dict[str, tuple[str, Rule]] = {}
    for module in modules:
        for value in vars(module).values():
            if not isinstance(value, Rule):
                continue
            if value.id in found:
                first = found[value.id][0]
                raise RuntimeError(f"rule {value.id} is bound in {first} and {module.__name__}")
            found[value.id] = (module.__name__, value)
    return tuple(rule for _, rule in found.values())


CATALOGUE: tuple[Rule, ...] = _gather(MODULES)

# By id, in catalogue order. A dict (not a mapping proxy) so a test can swap a rule's check.
RULES: dict[str, Rule] = {rule.id: rule for rule in CATALOGUE}


def rules_table() -> str:
    """The catalogue as a Markdown table: id, default severity, name, why."""
    rows = ["| rule | default | what | why |", "|---|---|---|---|"]
    for rule in RULES.values():
        rows.append(f"| `{rule.id}` | {rule.severity} | {rule.name} | {rule.rationale} |")
    return "\n".join(rows) + "\n"
