"""The handler imports Powertools' AppSync resolver without the event_handler and
data_classes package inits (resolvers/powertools_appsync.py), and leaves both packages
importable as usual afterwards: checked in fresh interpreters, as a cold start imports,
and the mechanism on a package made for the test."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from resolvers.powertools_appsync import import_skipping_inits
from tests.unit.test_cold_start import _fresh

AFTER_THE_HANDLER = """
import json, sys
import resolvers.handler
loaded = set(sys.modules)
from resolvers.powertools_appsync import SKIPPED_INITS
from aws_lambda_powertools.event_handler import AppSyncResolver, APIGatewayRestResolver
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent, SQSEvent
appsync = sys.modules["aws_lambda_powertools.event_handler.appsync"]
print(json.dumps({
    "packages": sorted(name for name in SKIPPED_INITS if name in loaded),
    "siblings": sorted(name for name in loaded if name.endswith((".api_gateway", ".sqs_event"))),
    "same_resolver": AppSyncResolver is resolvers.handler.AppSyncResolver
    and type(resolvers.handler.app) is AppSyncResolver,
    "same_event": appsync.AppSyncResolverEvent is AppSyncResolverEvent,
    "asked_later": [APIGatewayRestResolver.__name__, SQSEvent.__name__],
}))
"""


@pytest.mark.parametrize("tracing", ["off", "on"])
def test_the_handler_skips_the_aggregate_inits_and_the_packages_import_after(
    tracing: str,
) -> None:
    # given the Lambda's settings, when the handler is imported, then asked for the packages
    variables = (
        {"LAMBDA_TASK_ROOT": "/var/task"}
        if tracing == "on"
        else {"POWERTOOLS_TRACE_DISABLED": "true"}
    )
    loaded = _fresh(AFTER_THE_HANDLER, **variables)
    # then neither package ran its __init__ with the handler: nor is it left in sys.modules
    assert loaded["packages"] == []
    assert loaded["siblings"] == []
    # and asked afterwards, both run it: the other names are there, the AppSync ones the same
    assert loaded["asked_later"] == ["APIGatewayRestResolver", "SQSEvent"]
    assert loaded["same_resolver"] is True
    assert loaded["same_event"] is True


CONSUMER_AFTER_THE_HANDLER = """
import json
import resolvers.handler
from api.emulator.lambda_context import LambdaContext
from consumers.processed import InMemoryProcessed
from consumers.reference import ReferenceConsumer
from tests.unit.test_reference_consumer import _record
done = []
consumer = ReferenceConsumer(done.append, InMemoryProcessed())
answer = consumer.handle({"Records": [_record("o-1", "g-1")]}, LambdaContext())
print(json.dumps([answer["batchItemFailures"], [e["order"]["id"] for e in done]]))
"""


def test_the_reference_consumer_works_in_a_process_that_imported_the_handler() -> None:
    # The reverted attempt (a package swapped for good) broke it: SQSEvent's import cycle.
    assert _fresh(CONSUMER_AFTER_THE_HANDLER, POWERTOOLS_TRACE_DISABLED="true") == [[], ["o-1"]]


TOY = "toy_outer"


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """toy_outer.inner: an __init__ that imports a heavy sibling and re-exports an event
    class, which a light sibling takes from the package namespace (as appsync.py does)."""
    inner = tmp_path / TOY / "inner"
    inner.mkdir(parents=True)
    (tmp_path / TOY / "__init__.py").write_text("")
    (inner / "__init__.py").write_text(
        f"from {TOY}.inner.heavy import HEAVY\nfrom {TOY}.inner.event import Event\n"
    )
    (inner / "heavy.py").write_text("HEAVY = 'heavy'\n")
    (inner / "event.py").write_text("class Event:\n    pass\n")
    (inner / "light.py").write_text(f"from {TOY}.inner import Event\n")
    (inner / "broken.py").write_text("raise RuntimeError('broken on import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield inner
    for name in [name for name in sys.modules if name.split(".")[0] == TOY]:
        del sys.modules[name]


BARE = {f"{TOY}.inner": {"Event": f"{TOY}.inner.event"}}


@pytest.mark.usefixtures("toy")
def test_a_package_stands_bare_only_while_the_module_imports() -> None:
    # when a module of the package is imported with its __init__ skipped
    light = import_skipping_inits(f"{TOY}.inner.light", BARE)
    # then the __init__ did not run, and no trace of the bare package is left
    assert f"{TOY}.inner.heavy" not in sys.modules
    assert f"{TOY}.inner" not in sys.modules
    assert not hasattr(sys.modules[TOY], "inner")
    # and the package imported afterwards runs its __init__, sharing the submodules
    from toy_outer.inner import HEAVY, Event  # type: ignore[import-not-found]

    assert HEAVY == "heavy"
    assert light.Event is Event


@pytest.mark.usefixtures("toy")
def test_a_failed_import_leaves_no_bare_package() -> None:
    with pytest.raises(RuntimeError, match="broken on import"):
        import_skipping_inits(f"{TOY}.inner.broken", BARE)
    assert f"{TOY}.inner" not in sys.modules
    assert not hasattr(sys.modules[TOY], "inner")
