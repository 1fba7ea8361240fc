"""ARCHITECTURE.md's import rules, checked: each layer imports only the layers below it.

Imports made only for type checking (`if TYPE_CHECKING:`) are left out, as they are at run
time; imports inside functions count."""

import ast
from pathlib import Path

import pytest

from tests.unit.test_package_boundaries import _runtime_imports_of

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = (
    "resolvers",
    "api",
    "infra",
    "harness",
    "bench",
    "capacity",
    "consumers",
    "tests",
)

# Who may import whom, by module prefix; the most specific prefix of a module applies.
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "resolvers.domain": ("resolvers.domain",),
    "resolvers.definitions": ("resolvers.definitions", "resolvers.domain"),
    "resolvers.service": ("resolvers.service", "resolvers.domain"),
    "resolvers.adapters": (
        "resolvers.adapters",
        "resolvers.service.ports",
        "resolvers.domain",
        "resolvers.definitions",
    ),
    "resolvers.routes": (
        "resolvers.routes",
        "resolvers.service.ports",
        "resolvers.domain",
        "resolvers.definitions",
        "resolvers.observability",
    ),
    "resolvers.observability": ("resolvers.definitions",),
    "resolvers.bootstrap": (
        "resolvers.adapters",
        "resolvers.definitions",
        "resolvers.domain",
        "resolvers.service",
    ),
    "resolvers.handler": ("resolvers",),
    "resolvers": ("resolvers",),
    "api": ("api", "resolvers"),
    "infra": ("infra", "resolvers"),
    "harness": ("harness",),
    # A downstream team's code: it knows the message contract (the committed schema), not
    # the service.
    "consumers": ("consumers",),
    "bench": ("bench", "harness", "api", "resolvers"),
    "capacity": ("capacity", "resolvers.domain"),
    "tests": PROJECT_PACKAGES,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _rule(module: str) -> tuple[str, ...]:
    owner = max((p for p in MAY_IMPORT if module == p or module.startswith(p + ".")), key=len)
    return MAY_IMPORT[owner]


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _sources() -> list[Path]:
    return sorted(p for package in PROJECT_PACKAGES for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    module = _module_name(path)
    imported = _runtime_imports_of(ast.parse(path.read_text(encoding="utf-8")))
    internal = {name for name in imported if name.split(".")[0] in PROJECT_PACKAGES}
    allowed = _rule(module)
    forbidden = sorted(name for name in internal if not _within(name, allowed))
    assert not forbidden, f"{module} imports {forbidden}; ARCHITECTURE.md allows {allowed}"


def test_the_rules_catch_a_domain_module_reaching_for_an_adapter() -> None:
    tree = ast.parse("from resolvers.adapters.orders_table import OrdersTable\n")
    imported = _runtime_imports_of(tree)
    assert not _within(next(iter(imported)), _rule("resolvers.domain.order"))
