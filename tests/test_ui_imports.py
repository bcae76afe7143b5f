"""The modules of ui/ import each other without a cycle, counting the imports made
inside functions (how screens are loaded lazily) and leaving out those made only for
type checkers (`if TYPE_CHECKING:`)."""

from __future__ import annotations

import ast
from pathlib import Path

import citeslab_tui

PACKAGE = Path(citeslab_tui.__file__).resolve().parent
UI = "citeslab_tui.ui"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def ui_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((PACKAGE / "ui").rglob("*.py"))}


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(tree: ast.AST, known: set[str]) -> set[str]:
    """The ui modules a module's code imports (anywhere but under `if TYPE_CHECKING:`),
    with the packages whose `__init__` such an import runs."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found: set[str] = set()
    for name in names:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):  # the module itself and its packages
            candidate = ".".join(parts[:end])
            if candidate in known:
                found.add(candidate)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = ui_modules()
    known = set(modules)
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = imported(tree, known) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that ends where it starts), or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def walk(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done and (cycle := walk(target)):
                return cycle
        on_path.discard(node)
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done and (cycle := walk(start)):
            return cycle
    return None


def test_no_import_cycle_inside_ui() -> None:
    graph = import_graph()
    assert f"{UI}.app" in graph and f"{UI}.screens.permanence" in graph
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_checker_sees_lazy_imports_and_skips_type_only_ones() -> None:
    source = """
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from citeslab_tui.ui.app import CitesLabApp
def later():
    from citeslab_tui.ui.screens import person
    import citeslab_tui.ui.keys
"""
    known = {f"{UI}", f"{UI}.app", f"{UI}.screens", f"{UI}.screens.person", f"{UI}.keys"}
    assert imported(ast.parse(source), known) == {
        UI,
        f"{UI}.screens",
        f"{UI}.screens.person",
        f"{UI}.keys",
    }
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
