"""The shape of paperwire's imports: no private name taken from another module, no import cycle.

The graph comes from grimp: every import statement, at module level, inside a function (one made
there to dodge a cycle is still a cycle) or under `if TYPE_CHECKING:` (a type a module names is one
it depends on).
"""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

import grimp
import pytest

import paperwire

PACKAGE = Path(paperwire.__file__).parent

# Cycles allowed, each by the set of its modules: none since storage imports nothing but models (issue 19).
ALLOWED_CYCLES: set[frozenset[str]] = set()


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("paperwire", cache_dir=None)


def test_no_module_imports_a_private_name_from_another():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                source = _absolute(node, module, is_package=path.name == "__init__.py")
                if not source.startswith("paperwire"):
                    continue
                names = [f"{source}.{a.name}" for a in node.names if _private(a.name)]
                names += [source] if any(_private(part) for part in source.split(".")) else []
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("paperwire")]
                names = [n for n in names if any(_private(part) for part in n.split("."))]
            else:
                continue
            offences += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {n}" for n in names]
    assert not offences, "private names imported from another module (make them public):\n" + "\n".join(
        offences
    )


def test_the_import_graph_has_no_cycles_but_the_allowed_ones(graph):
    cycles = _cycles(graph)
    unexpected = [c for c in cycles if frozenset(c) not in ALLOWED_CYCLES]
    assert not unexpected, "import cycles (one chain each):\n" + "\n".join(
        _chain(graph, c) for c in unexpected
    )


def test_every_allowed_cycle_still_exists(graph):
    """An allowed cycle that is gone comes off the list, so that it cannot come back unnoticed."""
    stale = ALLOWED_CYCLES - {frozenset(c) for c in _cycles(graph)}
    assert not stale, f"remove from ALLOWED_CYCLES: {[sorted(c) for c in stale]}"


def test_only_the_cli_imports_the_web_layer_and_only_python_m_imports_the_cli(graph):
    """The layers point one way: the library below, the web layer on it, the CLI on top."""
    backward = []
    for module in sorted(graph.modules):
        layer = _layer(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            allowed = {"cli": {"cli", "main"}, "web": {"cli", "web"}}.get(_layer(imported))
            if allowed and layer not in allowed:
                backward.append(f"{module} -> {imported}")
    assert not backward, "imports that point up a layer:\n" + "\n".join(backward)


def test_the_graph_sees_imports_inside_functions(graph):
    """The check above would be hollow if it missed the imports made inside functions: the CLI makes
    many (so that `paperwire --help` loads no database driver)."""
    assert graph.direct_import_exists(importer="paperwire.cli.context", imported="paperwire.storage")


def _layer(module: str) -> str:
    if module == "paperwire.__main__":
        return "main"
    top = module.split(".")[1] if "." in module else ""
    return top if top in ("cli", "web") else "library"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _chain(graph: grimp.ImportGraph, component: list[str]) -> str:
    """One cycle through the component's first module, each step with the line that imports."""
    start = component[0]
    first = sorted(set(graph.find_modules_directly_imported_by(start)) & set(component))[0]
    modules = [start, *graph.find_shortest_chain(importer=first, imported=start)]
    steps = []
    for importer, imported in pairwise(modules):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = f" (line {details[0]['line_number']}: {details[0]['line_contents']})" if details else ""
        steps.append(f"  {importer} -> {imported}{where}")
    return f"{' / '.join(component)}:\n" + "\n".join(steps)


def test_handlers_get_their_services_from_one_function():
    """web/services.py's services(request) is the one way to the app's settings, store, search ...: no
    module reads app.state itself (create_app sets it once)."""
    readers = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "services.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "app.state" in line and "app.state.services = " not in line
    ]
    assert readers == []
