"""The Lambda entry wired to fakes: routing, errors as data, unexpected errors hidden."""

from collections.abc import Iterator
from typing import Any

import pytest

from resolvers import bootstrap
from resolvers.fields import RESOLVER_FIELDS
from resolvers.handler import ROUTED_FIELDS, InternalError, lambda_handler
from resolvers.runtime_context import LocalContext
from tests.fixtures import appsync_event
from tests.unit.fakes import FakeCreationGuard, FakeRepository, order_service


@pytest.fixture
def repository(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRepository]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    fake = FakeRepository()
    bootstrap.use(
        bootstrap.Application(
            service=order_service(fake, guard=FakeCreationGuard()), cache_ttl_seconds=0
        )
    )
    yield fake
    bootstrap.reset()


def test_the_routed_fields_are_exactly_the_schema_fields() -> None:
    assert set(RESOLVER_FIELDS) - ROUTED_FIELDS == set()
    assert ROUTED_FIELDS - set(RESOLVER_FIELDS) == set()


def test_create_then_get_through_the_entry(repository: FakeRepository) -> None:
    created = lambda_handler(appsync_event("create_order"), None)
    got = lambda_handler(appsync_event("get_order", {"id": created["id"]}), None)
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
    repository: FakeRepository, name: str, arguments: dict[str, Any], error_type: str
) -> None:
    result = lambda_handler(appsync_event(name, arguments), None)
    assert result["error"]["type"] == error_type
    assert result["error"]["message"]
    assert repository.orders == {}


def test_an_unknown_order_reads_as_null(repository: FakeRepository) -> None:
    assert lambda_handler(appsync_event("get_order", {"id": "nope"}), None) is None


def test_an_unexpected_error_surfaces_without_internals(
    repository: FakeRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("secret table name orders-prod and a stack")

    monkeypatch.setattr(repository, "get", broken)
    with pytest.raises(InternalError) as raised:
        lambda_handler(appsync_event("get_order", {"id": "x"}), None)
    assert "secret" not in str(raised.value)
    assert "Root=1-65f0a1b2" in str(raised.value)  # the correlation id, to find the logs
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_a_wiring_failure_surfaces_without_internals(
    repository: FakeRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unwired() -> bootstrap.Application:
        raise RuntimeError("missing queue URL variables: ORDERS_QUEUE_URL_RECIBIDA")

    monkeypatch.setattr(bootstrap, "application", unwired)
    with pytest.raises(InternalError) as raised:
        lambda_handler(appsync_event("get_order", {"id": "x"}), None)
    assert "ORDERS_" not in str(raised.value)


def test_without_a_trace_header_the_error_names_the_request_id(
    repository: FakeRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a request without x-amzn-trace-id (the local emulator forwards client headers)
    event = appsync_event("get_order", {"id": "x"})
    del event["request"]["headers"]["x-amzn-trace-id"]
    monkeypatch.setattr(repository, "get", lambda *_: 1 / 0)
    context = LocalContext(aws_request_id="req-123")
    # when / then: the id the log line carries (function_request_id), never "None"
    with pytest.raises(InternalError, match="correlation id req-123"):
        lambda_handler(event, context)
