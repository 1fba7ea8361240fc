"""Powertools' AppSync resolver, imported without two of Powertools' aggregate package inits.

Importing a module runs its package's `__init__` first, and two Powertools packages import
in theirs everything they hold: `aws_lambda_powertools.event_handler` every resolver type
(API Gateway and its OpenAPI machinery, ALB, Bedrock, VPC Lattice...) and
`aws_lambda_powertools.utilities.data_classes` some forty event classes. The handler uses
one module of each, `event_handler.appsync` and the AppSync event it imports; the others
were a share of every cold start (bench/report.md, section 1).

So while `event_handler.appsync` is imported, and only then, each package not yet imported
is in `sys.modules` as a bare package module: its `__path__`, so its submodules import as
usual, but not its `__init__`. The one name appsync.py takes from a package's namespace is
set on the bare module from the submodule that defines it. Right after, the bare modules
leave `sys.modules` and their parent's attributes: a later import of either package runs
its real `__init__`, which reuses the submodules imported here (the same classes). Nothing
stays swapped for the rest of the process: an earlier attempt that left lazily initialised
packages in place for good broke a consumer importing `data_classes` after the handler.

What differs afterwards, for the few submodules imported here: until the package itself is
imported they are in `sys.modules` without it, so `import a.b.c as m` fails; and the
package, once imported, does not have them as attributes, so `a.b.c.name` after
`import a.b.c` fails (`from a.b.c import name`, importlib and `mock.patch` work). Neither
the handler, Powertools, boto3 nor the X-Ray SDK use those two forms for these modules
(Python 3.11 and 3.13 alike).

Not done when another thread runs (it could import a package while it is bare; a Lambda
container imports its handler before any thread starts) or when appsync is imported already."""

import importlib
import importlib.util
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

APPSYNC = "aws_lambda_powertools.event_handler.appsync"
# Each package whose __init__ is skipped -> the names appsync.py imports from the package
# itself (not from a submodule), with the submodule that defines each.
SKIPPED_INITS: Mapping[str, Mapping[str, str]] = {
    "aws_lambda_powertools.event_handler": {},
    "aws_lambda_powertools.utilities.data_classes": {
        "AppSyncResolverEvent": (
            "aws_lambda_powertools.utilities.data_classes.appsync_resolver_event"
        ),
    },
}


def import_appsync() -> ModuleType:
    """`aws_lambda_powertools.event_handler.appsync`, skipping the packages' inits if safe."""
    if APPSYNC in sys.modules or threading.active_count() > 1:
        return importlib.import_module(APPSYNC)
    return import_skipping_inits(APPSYNC, SKIPPED_INITS)


def import_skipping_inits(module: str, packages: Mapping[str, Mapping[str, str]]) -> ModuleType:
    """`module`, imported while each of `packages` (package -> {name: its submodule}) that
    is not imported yet stands bare in `sys.modules`; they are taken out again after."""
    with ExitStack() as bare_packages:
        for package, names in packages.items():
            if package not in sys.modules:
                bare_packages.enter_context(_bare_package(package, names))
        return importlib.import_module(module)


@contextmanager
def _bare_package(name: str, names: Mapping[str, str]) -> Iterator[None]:
    """`name` as a package module whose `__init__` has not run, for the `with` block only;
    `names` (name -> submodule) are set on it from their submodules."""
    spec = importlib.util.find_spec(name)  # imports the parent packages, as an import does
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not a package", name=name)
    package = importlib.util.module_from_spec(spec)
    parent_name, _, attribute = name.rpartition(".")
    parent = sys.modules[parent_name]
    sys.modules[name] = package
    setattr(parent, attribute, package)
    try:
        for exported, submodule in names.items():
            setattr(package, exported, getattr(importlib.import_module(submodule), exported))
        yield
    finally:
        if sys.modules.get(name) is package:
            del sys.modules[name]
        if getattr(parent, attribute, None) is package:
            delattr(parent, attribute)


if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.appsync import AppSyncResolver as AppSyncResolver
else:
    AppSyncResolver = import_appsync().AppSyncResolver
