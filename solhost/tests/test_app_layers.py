"""The apps stay layered: no app imports another that imports it back, however indirectly.

import-linter checks the layer order (``pyproject.toml``); this test also reads imports made
inside functions, which a lazy import would otherwise hide, and checks that the order
names every app, so a new app cannot slip in unordered.
"""

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

SOLHOST = Path(__file__).parents[1]


def _apps() -> set[str]:
    return {path.parent.name for path in SOLHOST.glob("*/apps.py")}


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imported_modules(tree: ast.AST):
    """Every module imported anywhere in the file, with its line, except under TYPE_CHECKING."""
    for node in ast.iter_child_nodes(tree):
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno
        yield from _imported_modules(node)


def app_imports() -> dict[str, dict[str, list[str]]]:
    """``{app: {imported app: ["file:line", …]}}`` for production code (no tests, migrations)."""
    apps = _apps()
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in SOLHOST.rglob("*.py"):
        relative = path.relative_to(SOLHOST)
        if relative.parts[0] not in apps or {"tests", "migrations"} & set(relative.parts):
            continue
        for module, line in _imported_modules(ast.parse(path.read_text(), str(path))):
            parts = module.split(".")
            target = parts[1] if parts[0] == "solhost" and len(parts) > 1 else None
            if target in apps and target != relative.parts[0]:
                edges[relative.parts[0]][target].append(f"{relative}:{line}")
    return edges


def cycles(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected groups of more than one app (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for other in edges.get(app, {}):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for app in sorted(edges):
        if app not in index:
            visit(app)
    return found


def layer_order() -> list[set[str]]:
    config = tomllib.loads((SOLHOST.parent / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [
        {name.strip().removeprefix("solhost.") for name in layer.split("|")}
        for layer in contract["layers"]
    ]


def test_no_import_cycles_between_apps():
    edges = app_imports()
    found = cycles(edges)
    detail = {
        f"{a} -> {b}": edges[a][b] for group in found for a in group for b in edges[a] if b in group
    }
    assert found == [], detail


def test_every_import_goes_down_the_layers():
    height = {app: -rank for rank, layer in enumerate(layer_order()) for app in layer}
    upward = {
        f"{app} -> {other}": where
        for app, targets in app_imports().items()
        for other, where in targets.items()
        if height[other] >= height[app]
    }
    assert upward == {}


def test_the_layer_order_names_every_app():
    ordered = set().union(*layer_order())
    assert ordered == _apps()


def test_the_cycle_finder_finds_a_cycle():
    edges = {"a": {"b": ["a.py:1"]}, "b": {"c": ["b.py:1"]}, "c": {"a": ["c.py:9"]}, "d": {}}
    assert cycles(edges) == [["a", "b", "c"]]
