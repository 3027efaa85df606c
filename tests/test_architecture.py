"""The package's shape, read from its imports: no cycles between packages, the areas in
their declared layer order (README "Architecture"), imports at module top, and every
module in a package of its own kind. Static (AST), so it needs no app."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from exhibition import LAYERS

PACKAGE = Path(__file__).resolve().parent.parent / "exhibition"
# Below every area, in their own order: each may import only from those before it.
FOUNDATION = ("extensions", "errors", "policies", "runtime", "realtime")
KERNEL_MODULES = {"__init__", "extensions", "errors", "policies"}


def unit_of(module: str) -> str | None:
    """exhibition.chat.sending -> 'chat'; exhibition.errors -> 'errors'; the package
    root (create_app, the composition of everything) -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(imported exhibition module, line, at module top) for every import in a file.
    ``from exhibition.x import y`` counts as importing exhibition.x.y when that is a
    module, else exhibition.x."""
    tree = ast.parse(path.read_text(), str(path))
    top = {id(node) for node in tree.body}
    for node in tree.body:  # `if TYPE_CHECKING:` / `try:` at module level still count as top
        if isinstance(node, (ast.If, ast.Try)):
            top |= {id(n) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            names += [f"{node.module}.{alias.name}" for alias in node.names
                      if _is_module(f"{node.module}.{alias.name}")]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: relative import; write exhibition.… in full")
        for name in names:
            if name == "exhibition" or name.startswith("exhibition."):
                found.append((name, node.lineno, id(node) in top))
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def all_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def package_graph() -> dict[str, dict[str, list[str]]]:
    """unit -> imported unit -> ["file:line", …]"""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in all_modules():
        source = unit_of(module_name(path)) if module_name(path) != "exhibition" else None
        if source is None:
            continue
        for name, line, _top in imports_of(path):
            target = unit_of(name)
            if target is None or target == source:
                continue
            graph.setdefault(source, {}).setdefault(target, []).append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, {}):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if state.get(nxt) is None:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in list(graph):
        if state.get(node) is None:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


ORDER = FOUNDATION + tuple(LAYERS)


def test_every_module_belongs_to_a_layer():
    strays = []
    for path in all_modules():
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) == 1:
            if rel.stem not in KERNEL_MODULES:
                strays.append(str(rel))
        elif rel.parts[0] not in ORDER:
            strays.append(str(rel))
    assert not strays, f"modules outside every declared package: {strays}"


def test_no_cycles_between_packages():
    cycle = find_cycle(package_graph())
    assert cycle is None, "import cycle between packages: " + " -> ".join(cycle or [])


def test_each_package_imports_only_from_the_layers_before_it():
    wrong = []
    for source, targets in package_graph().items():
        for target, where in targets.items():
            if target not in ORDER:
                wrong.append(f"{source} -> {target} (undeclared): {where[0]}")
            elif ORDER.index(target) > ORDER.index(source):
                wrong.append(f"{source} -> {target} (upward): {', '.join(where[:3])}")
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_project_imports_are_at_the_top_of_their_module():
    inner = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
             for path in all_modules() for name, line, top in imports_of(path) if not top]
    assert not inner, "imports inside functions (they hide cycles):\n" + "\n".join(inner)


# ---------------------------------------------------------------- the check itself

@pytest.mark.parametrize("graph, cycle", [
    ({"a": {"b": ["x"]}, "b": {"c": ["x"]}, "c": {"a": ["x"]}}, ["a", "b", "c", "a"]),
    ({"a": {"b": ["x"]}, "b": {"c": ["x"]}}, None),
])
def test_find_cycle(graph, cycle):
    assert find_cycle(graph) == cycle


def test_an_upward_import_would_be_found(tmp_path, monkeypatch):
    """Plant a module in a copy of the layer rules: booths importing the lobby."""
    planted = PACKAGE / "booths" / "_planted_for_test.py"
    planted.write_text("from exhibition.lobby import services\n\n\ndef f():\n    from exhibition.admin import services\n")
    try:
        graph = package_graph()
        assert "lobby" in graph["booths"] and "admin" in graph["booths"]
        with pytest.raises(AssertionError, match="booths -> lobby"):
            test_each_package_imports_only_from_the_layers_before_it()
        with pytest.raises(AssertionError, match="_planted_for_test.py:5"):
            test_project_imports_are_at_the_top_of_their_module()
        with pytest.raises(AssertionError, match="import cycle"):
            test_no_cycles_between_packages()
    finally:
        planted.unlink()
