"""The Lambda entry wired to fakes: routing, errors as data, unexpected errors hidden."""

from typing import Any

import pytest

from api.emulator.lambda_context import LambdaContext
from harness.appsync_events import appsync_event
from resolvers.bootstrap import Application
from resolvers.definitions.fields import RESOLVER_FIELDS
from resolvers.handler import ROUTED_FIELDS, Handler, InternalError, handler_for
from tests.unit.fakes import FakeIdempotentCreation, FakeRepository, order_service


@pytest.fixture
def repository(monkeypatch: pytest.MonkeyPatch) -> FakeRepository:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    return FakeRepository()


@pytest.fixture
def lambda_handler(repository: FakeRepository) -> Handler:
    """The real entry, serving an application wired to the fakes."""
    application = Application(
        service=order_service(repository, idempotent_creation=FakeIdempotentCreation()),
        cache_ttl_seconds=0,
    )
    return handler_for(lambda: application)


def invoke(handler: Handler, event: dict[str, Any], context: LambdaContext | None = None) -> Any:
    return handler(event, context or LambdaContext())


def test_the_routed_fields_are_exactly_the_schema_fields() -> None:
    assert set(RESOLVER_FIELDS) - ROUTED_FIELDS == set()
    assert ROUTED_FIELDS - set(RESOLVER_FIELDS) == set()


def test_create_then_get_through_the_entry(lambda_handler: Handler) -> None:
    created = invoke(lambda_handler, appsync_event("create_order"))
    got = invoke(lambda_handler, appsync_event("get_order", {"id": created["id"]}))
    assert got == {k: created[k] for k in ("id", "descripcion", "estado")}


@pytest.mark.parametrize(
    ("name", "arguments", "error_type"),
    [
        (
            "create_order",
            {"input": {"descripcion": " ", "fecha_entrega": "2099-01-01"}},
            "ValidationError",
        ),
        ("get_order", {"id": ""}, "ValidationError"),
        ("orders_by_state", {"estado": "recibida", "limit": 0}, "ValidationError"),
        ("orders_by_state", {"estado": "recibida", "nextToken": "bad"}, "ValidationError"),
        ("update_order_state", {"id": "missing", "estado": "enproceso"}, "NotFound"),
        # ValidationError wins over NotFound: arguments are checked before any read.
        ("update_order_state", {"id": "missing", "estado": "cancelada"}, "ValidationError"),
    ],
)
def test_domain_errors_come_back_as_data(
    repository: FakeRepository,
    lambda_handler: Handler,
    name: str,
    arguments: dict[str, Any],
    error_type: str,
) -> None:
    result = invoke(lambda_handler, appsync_event(name, arguments))
    assert result["error"]["type"] == error_type
    assert result["error"]["message"]
    assert repository.orders == {}


def test_an_unknown_order_reads_as_null(lambda_handler: Handler) -> None:
    assert invoke(lambda_handler, appsync_event("get_order", {"id": "nope"})) is None


def test_an_unexpected_error_surfaces_without_internals(
    repository: FakeRepository, lambda_handler: Handler, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("secret table name orders-prod and a stack")

    monkeypatch.setattr(repository, "get", broken)
    with pytest.raises(InternalError) as raised:
        invoke(lambda_handler, appsync_event("get_order", {"id": "x"}))
    assert "secret" not in str(raised.value)
    assert "Root=1-65f0a1b2" in str(raised.value)  # the correlation id, to find the logs
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_a_wiring_failure_surfaces_without_internals(monkeypatch: pytest.MonkeyPatch) -> None:
    # given an application that cannot be built (the Lambda's environment is incomplete)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    def unwired() -> Application:
        raise RuntimeError("missing queue URL variables: ORDERS_QUEUE_URL_RECIBIDA")

    # when / then: the first invocation fails without naming the internals
    with pytest.raises(InternalError) as raised:
        invoke(handler_for(unwired), appsync_event("get_order", {"id": "x"}))
    assert "ORDERS_" not in str(raised.value)


def test_the_application_is_built_once_per_container(repository: FakeRepository) -> None:
    # given an entry counting how often it builds its application
    builds: list[Application] = []

    def build() -> Application:
        builds.append(Application(service=order_service(repository), cache_ttl_seconds=0))
        return builds[-1]

    handler = handler_for(build)
    # when it serves several invocations
    for _ in range(3):
        invoke(handler, appsync_event("get_order", {"id": "x"}))
    # then the clients and adapters were wired once, as a Lambda container keeps them
    assert len(builds) == 1


def test_without_a_trace_header_the_error_names_the_request_id(
    repository: FakeRepository, lambda_handler: Handler, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a request without x-amzn-trace-id (the local emulator forwards client headers)
    event = appsync_event("get_order", {"id": "x"})
    del event["request"]["headers"]["x-amzn-trace-id"]
    monkeypatch.setattr(repository, "get", lambda *_: 1 / 0)
    context = LambdaContext(aws_request_id="req-123")
    # when / then: the id the log line carries (function_request_id), never "None"
    with pytest.raises(InternalError, match="correlation id req-123"):
        invoke(lambda_handler, event, context)
