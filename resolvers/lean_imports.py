"""Powertools' aggregate packages, run only when something asks them for a name.

Importing any module of a package first runs the package's `__init__`. Two of Powertools'
packages import in theirs every resolver and every event type Powertools has:
`event_handler` (API Gateway, ALB, Bedrock, VPC Lattice... and the OpenAPI machinery) and
`utilities.data_classes` (some forty event classes). The Lambda uses one of each, the AppSync
resolver and its event, yet paid for all of them on every cold start (bench/report.md,
section 1, measured with `python -X importtime`).

`defer_package_inits()` puts each package in `sys.modules` as the module its own import
would create, with its `__path__` but with its `__init__` not yet run: its submodules import
as usual, and the first name asked of the package itself runs the `__init__` then (the names
in DEFERRED are served from the one submodule that defines them, without it). Nothing is
copied or changed in Powertools: a program that asks for `aws_lambda_powertools.event_handler
.APIGatewayRestResolver` gets it, one import later."""

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

# Package -> {name: the submodule that defines it}: names served without the __init__.
DEFERRED: dict[str, dict[str, str]] = {
    "aws_lambda_powertools.event_handler": {
        "AppSyncResolver": "aws_lambda_powertools.event_handler.appsync",
    },
    "aws_lambda_powertools.utilities.data_classes": {
        "AppSyncResolverEvent": (
            "aws_lambda_powertools.utilities.data_classes.appsync_resolver_event"
        ),
    },
}


def defer_package_inits() -> None:
    """Install the deferred packages (not those already imported). Call it before anything
    imports them: resolvers/__init__.py does."""
    for package, names in DEFERRED.items():
        if package in sys.modules:
            continue
        spec = importlib.util.find_spec(package)  # imports the parent packages, as import does
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        module.__getattr__ = _run_init_when_asked(module, spec, names)  # type: ignore[method-assign]
        sys.modules[package] = module
        parent, _, child = package.rpartition(".")
        setattr(sys.modules[parent], child, module)


def _run_init_when_asked(
    module: ModuleType, spec: ModuleSpec, names: Mapping[str, str]
) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:  # the module attribute hook (PEP 562)
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        if name.startswith("__"):
            raise AttributeError(name)
        # The package's own __init__, into the module every importer already holds.
        del module.__dict__["__getattr__"]
        assert spec.loader is not None
        spec.loader.exec_module(module)
        return getattr(module, name)

    return __getattr__
