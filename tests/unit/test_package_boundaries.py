"""The Lambda package runs with only the standard library, boto3 (from the runtime) and
Powertools (from its layer): an import of anything else would fail only in the cloud."""

import ast
import sys
from pathlib import Path

import pytest

import resolvers

PACKAGE = Path(resolvers.__file__).resolve().parent
# snapshot_restore_py ships in the Lambda Python runtime (SnapStart hooks); imported guardedly.
LAMBDA_RUNTIME = {"boto3", "botocore", "aws_lambda_powertools", "resolvers", "snapshot_restore_py"}


def _runtime_imports_of(tree: ast.Module) -> set[str]:
    """Dotted names imported when the module runs (`if TYPE_CHECKING:` blocks skipped):
    `import a.b` gives a.b; `from a.b import c` gives a.b.c (c may be a module or a name)."""
    found: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return found


def _runtime_imports(tree: ast.Module) -> set[str]:
    """Top-level modules imported when the module runs."""
    return {name.split(".")[0] for name in _runtime_imports_of(tree)}


@pytest.mark.parametrize(
    "module", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_resolvers_import_only_what_lambda_has(module: Path) -> None:
    imported = _runtime_imports(ast.parse(module.read_text(encoding="utf-8")))
    foreign = imported - set(sys.stdlib_module_names) - LAMBDA_RUNTIME
    assert not foreign, f"{module.name} imports {sorted(foreign)}, which Lambda does not have"


def test_the_check_sees_imports_inside_functions() -> None:
    tree = ast.parse(
        "def f():\n    import strawberry\nif TYPE_CHECKING:\n    import mypy_boto3_sqs\n"
    )
    assert _runtime_imports(tree) == {"strawberry"}
