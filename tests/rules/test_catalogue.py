"""The rule catalogue: every rule once, fully described, and every declared rule listed.

Rules are declared beside what raises them (``@rule`` on a check, or a ``Rule`` in
``raised_by_scan.py``) and ``_catalogue.py`` gathers them from the modules it lists; these
tests catch a rule whose module is not listed (it would never run), an id declared twice,
and a rule missing its documentation.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import linkguard.rules
import linkguard.rules._catalogue as catalogue
from linkguard.model import Finding, Severity
from linkguard.policy import ThirdPartyDecl
from linkguard.rules import (
    CATALOGUE,
    RULES,
    Rule,
    broken_outbound_link,
    crawl_error,
    internal_error,
    missing_page,
    unused_declaration,
)
from linkguard.rules import raised_by_scan as scan_rules
from linkguard.rules.raised_by_scan import page_truncated

PACKAGE = Path(linkguard.rules.__file__).parent


def _modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"linkguard.rules.{info.name}")
        for info in pkgutil.iter_modules([str(PACKAGE)])
    ]


def _declared() -> dict[str, Rule]:
    """Every Rule bound at module level in linkguard.rules, by where it is declared."""
    return {
        f"{module.__name__}.{name}": value
        for module in _modules()
        if not module.__name__.endswith("._catalogue")
        for name, value in vars(module).items()
        if isinstance(value, Rule)
    }


def test_every_rule_id_is_in_the_catalogue_once_with_its_documentation() -> None:
    ids = [rule.id for rule in CATALOGUE]
    assert len(ids) == len(set(ids)), "a rule id is listed twice"
    assert list(RULES) == ids
    for rule in CATALOGUE:
        assert RULES[rule.id] is rule
        assert rule.name and rule.rationale and rule.fix, rule.id
        assert rule.bad and rule.good and rule.bad != rule.good, rule.id
        assert isinstance(rule.severity, Severity)


def test_every_rule_declared_in_a_module_is_in_the_catalogue() -> None:
    declared = _declared()
    assert "linkguard.rules.exit_notice.exit_notice_missing" in declared
    for where, rule in declared.items():
        assert RULES.get(rule.id) is rule, f"{where}: its module is not in _catalogue.MODULES"
    assert {rule.id for rule in declared.values()} == set(RULES)


def test_an_id_bound_in_two_modules_stops_the_import() -> None:
    copy = ModuleType("linkguard.rules.copy")
    copy.imported = RULES["exit-notice-missing"]  # type: ignore[attr-defined]
    bound = r"exit-notice-missing is bound in linkguard\.rules\.exit_notice and .*\.copy"
    with pytest.raises(RuntimeError, match=bound):
        catalogue._gather((*catalogue.MODULES, copy))


def test_page_checks_come_first_then_the_rules_the_scan_raises() -> None:
    raised = {rule.id for rule in vars(scan_rules).values() if isinstance(rule, Rule)}
    assert raised == {
        "unused-declaration", "broken-outbound-link", "crawl-error", "internal-error",
        "page-truncated", "missing-page",
    }  # fmt: skip
    kinds = [rule.check is None for rule in CATALOGUE]
    assert kinds == sorted(kinds), "a rule without a check is listed among the page checks"
    assert {rule.id for rule in CATALOGUE if rule.check is None} == raised
    assert list(RULES)[-3:] == ["internal-error", "page-truncated", "missing-page"]  # appended:
    # the others keep their SARIF index


DECL = ThirdPartyDecl(name="Old Chat", hosts=("chat.example.net",))


@pytest.mark.parametrize(
    "finding",
    [
        crawl_error("https://www.example.com/a", "HTTP 500"),
        broken_outbound_link("https://gone.example.net/", "HTTP 404",
                             page="https://www.example.com/", line=3, element="<a>", file=None),
        unused_declaration(DECL, origin="https://www.example.com", policy_file="linkguard.toml"),
        internal_error("https://www.example.com/a", "missing-sri", KeyError("x"), file=None),
        page_truncated("https://www.example.com/a", 1024, file="a.html"),
        missing_page("https://www.example.com/gone/", page="https://www.example.com/", line=4,
                     element='<a href="/gone/">', file="index.html"),
    ],
    ids=lambda finding: finding.rule,
)  # fmt: skip
def test_findings_the_scan_raises_carry_their_rules_default_severity(finding: Finding) -> None:
    rule = RULES[finding.rule]
    assert rule.check is None
    assert finding.severity is rule.severity
    assert finding.page and finding.target and finding.message and finding.kind


def _imports(path: Path) -> set[str]:
    """The linkguard modules ``path`` imports, at any level, as the house check counts them."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py"),
    ids=lambda path: path.name,
)
def test_rule_modules_never_import_the_package_or_config(path: Path) -> None:
    """The package imports every rule module, and config imports the package: an import
    the other way closes a cycle. Siblings are imported by their full module path."""
    imported = _imports(path)
    assert "linkguard.rules" not in imported, "import siblings as linkguard.rules.<module>"
    assert not {name for name in imported if name.startswith("linkguard.config")}
