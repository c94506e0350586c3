"""The house rules that keep the pipeline readable (ARCHITECTURE.md, «Rules of the house»): no
import cycle among linkguard's modules, imports inside functions and under TYPE_CHECKING
included, and no module over 450 lines."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "linkguard"
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The linkguard modules ``name`` imports anywhere in its body (the longest known prefix
    of each imported name: ``from linkguard.rules import X`` is an edge to the package)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    wanted: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            wanted.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            wanted.add(base)
            wanted.update(f"{base}.{alias.name}" for alias in node.names)
    edges = set()
    for target in wanted:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            edges.add(target)
    return edges


def test_no_import_cycle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_no_module_over_450_lines() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in _modules().items()
    }
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    """A cycle through a lazy import inside a function is still found."""
    (tmp_path / "a.py").write_text("import linkguard_b\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def f():\n    import linkguard_a\n", encoding="utf-8")
    modules = {"linkguard_a": tmp_path / "a.py", "linkguard_b": tmp_path / "b.py"}
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert graph == {"linkguard_a": {"linkguard_b"}, "linkguard_b": {"linkguard_a"}}
