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


def _imports(tree: ast.AST):
    """``(module, names, line)`` for every import anywhere in the file, except under
    TYPE_CHECKING; ``names`` are what a ``from`` import takes from the module."""
    for node in ast.iter_child_nodes(tree):
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, [alias.name for alias in node.names], node.lineno
        yield from _imports(node)


def _production_files():
    """``(app, path relative to the package, parsed file)`` for code outside tests and migrations."""
    apps = _apps()
    for path in sorted(SOLHOST.rglob("*.py")):
        relative = path.relative_to(SOLHOST)
        if relative.parts[0] in apps and not {"tests", "migrations"} & set(relative.parts):
            yield relative.parts[0], relative, ast.parse(path.read_text(), str(path))


def app_imports() -> dict[str, dict[str, list[str]]]:
    """``{app: {imported app: ["file:line", …]}}`` for production code (no tests, migrations)."""
    apps = _apps()
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app, relative, tree in _production_files():
        for module, _names, line in _imports(tree):
            target = _app_of(module)
            if target in apps and target != app:
                edges[app][target].append(f"{relative}:{line}")
    return edges


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "solhost" and len(parts) > 1 else None


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


def test_no_app_takes_a_private_name_from_another():
    private = [
        f"{relative}:{line} {module}.{name}"
        for app, relative, tree in _production_files()
        for module, names, line in _imports(tree)
        if _app_of(module) not in (None, app)
        for name in names
        if name.startswith("_")
    ]
    assert private == []


def test_the_cycle_finder_finds_a_cycle():
    edges = {"a": {"b": ["a.py:1"]}, "b": {"c": ["b.py:1"]}, "c": {"a": ["c.py:9"]}, "d": {}}
    assert cycles(edges) == [["a", "b", "c"]]
