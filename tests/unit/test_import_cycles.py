"""No import cycle among the project's own modules, read statically from the source: every
`import` counts, at module level or inside a function (a cycle that works only because one
side imports lazily still ties the two modules together), except those under
`if TYPE_CHECKING:`, which never run."""

import ast
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("resolvers", "api", "infra", "harness", "bench", "consumers")

Graph = dict[str, set[str]]


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        pending.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(
    node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, modules: set[str]
) -> set[str]:
    """The modules an import statement runs: `from a.b import c` is `a.b.c` when that is a
    module, else `a.b`."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    base = node.module or ""
    if node.level:
        anchor = importer.split(".") if is_package else importer.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    named = {f"{base}.{alias.name}" for alias in node.names}
    return {name if name in modules else base for name in named}


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> Graph:
    """Module -> the project's modules it imports, and the packages those sit in (whose
    `__init__` runs first) unless the importer sits in them too, for every package under
    `root`."""
    sources = {
        module_name(path, root): path
        for package in packages
        if (root / package).is_dir()
        for path in (root / package).rglob("*.py")
        if "node_modules" not in path.parts
    }
    modules = set(sources)
    graph: Graph = {}
    for name, path in sources.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        edges: set[str] = set()
        for node in _runtime_imports(tree):
            for target in _targets(node, name, is_package, modules):
                parts = target.split(".")
                edges |= {
                    prefix
                    for prefix in (".".join(parts[:i]) for i in range(1, len(parts)))
                    if prefix in modules and prefix not in own
                }
                if target in modules:
                    edges.add(target)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_project_has_no_import_cycle() -> None:
    graph = import_graph(PROJECT_ROOT)
    assert "resolvers.handler" in graph  # the walk found the project
    assert cycles(graph) == [], "import cycles (each list imports itself through the others)"


def _package(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_cycle_through_a_lazy_import_is_found(tmp_path: Path) -> None:
    # given: the shape the idempotency adapters once had
    root = _package(
        tmp_path,
        {
            "resolvers/__init__.py": "",
            "resolvers/a.py": "def f():\n    from resolvers.b import g\n",
            "resolvers/b.py": "from resolvers.a import f\n",
            "resolvers/c.py": "from . import a\n",
        },
    )
    # then
    assert cycles(import_graph(root, ("resolvers",))) == [["resolvers.a", "resolvers.b"]]


def test_relative_imports_and_package_inits_count(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "api/__init__.py": "from api.sub.x import X\n",
            "api/sub/__init__.py": "",
            "api/sub/x.py": "from ..y import Y\nX = 1\n",
            "api/y.py": "import api\nY = 2\n",
        },
    )
    assert cycles(import_graph(root, ("api",))) == [["api", "api.sub.x", "api.y"]]


def test_imports_only_for_the_type_checker_do_not_count(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "infra/__init__.py": "",
            "infra/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from infra.b import B\n",
            "infra/b.py": "from infra.a import A\n",
        },
    )
    assert cycles(import_graph(root, ("infra",))) == []
