"""The emulator's side of the Lambda contract, seen by a stand-in handler: the event it
builds, and what it makes of a handler that raises. In process (ASGI), no AWS needed."""

from typing import Any

import pytest
from starlette.testclient import TestClient

from api.emulator.graphql_app import build_app
from api.emulator.lambda_function import LambdaFunction
from api.emulator.resolver_cache import ResolverCache
from api.emulator.runtime import LocalAppSync

pytestmark = pytest.mark.e2e

KEY = "contract-key"
ORDER = {
    "id": "o-1",
    "descripcion": "x",
    "fecha_entrega": "2099-01-01",
    "estado": "recibida",
    "fecha_registro": "2030-01-01T00:00:00.000000Z",
    "timestamp": 1893456000,
    "fecha_actualizacion": None,
    "motivo_cancelacion": None,
    "version": 1,
}


class RecordingHandler:
    def __init__(self, fail: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail = fail

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        if self.fail:
            raise RuntimeError("boto3 exploded at /var/task/resolvers/adapters/secret.py")
        assert context.get_remaining_time_in_millis() > 0
        return {"items": [ORDER], "nextToken": None}


def _client(handler: RecordingHandler) -> TestClient:
    runtime = LocalAppSync(LambdaFunction(handler), ResolverCache(ttl_seconds=30))
    return TestClient(build_app(runtime, KEY, dict))


def test_the_event_carries_the_arguments_as_sent_and_appsyncs_selection_set() -> None:
    handler = RecordingHandler()
    query = """query Page($e: Estado!, $limit: Int) {
      ordersByState(estado: $e, limit: $limit, sortDirection: DESC) {
        items { id ...Dates } nextToken
      }
    }
    fragment Dates on Order { fecha_registro }"""

    response = _client(handler).post(
        "/graphql",
        json={"query": query, "variables": {"e": "recibida"}},
        headers={"x-api-key": KEY, "X-Trace": "t-1"},
    )

    assert response.json()["data"]["ordersByState"]["items"] == [
        {"id": "o-1", "fecha_registro": "2030-01-01T00:00:00.000000Z"}
    ]
    (event,) = handler.events
    # $limit was not sent: the argument is absent, not null
    assert event["arguments"] == {"estado": "recibida", "sortDirection": "DESC"}
    assert event["identity"] is None
    assert event["source"] is None
    assert event["prev"] is None
    assert event["stash"] == {}
    assert event["request"]["headers"]["x-trace"] == "t-1"
    info = event["info"]
    assert (info["parentTypeName"], info["fieldName"]) == ("Query", "ordersByState")
    assert info["selectionSetList"] == ["items", "items/id", "items/fecha_registro", "nextToken"]
    assert "...Dates" in info["selectionSetGraphQL"]
    assert info["variables"] == {"e": "recibida"}


def test_a_raising_handler_is_lambda_unhandled_without_internals_and_not_cached() -> None:
    handler = RecordingHandler(fail=True)
    client = _client(handler)
    query = "{ ordersByState(estado: recibida) { nextToken } }"

    first = client.post("/graphql", json={"query": query}, headers={"x-api-key": KEY}).json()
    client.post("/graphql", json={"query": query}, headers={"x-api-key": KEY})

    error = first["errors"][0]
    assert first["data"] is None
    assert error["errorType"] == "Lambda:Unhandled"
    assert error["path"] == ["ordersByState"]
    assert "boto3" not in error["message"]
    assert "/var/task" not in error["message"]
    assert len(handler.events) == 2
    assert client.get("/_emulator/stats").json()["Query.ordersByState"] == {
        "invocations": 2,
        "cache_hits": 0,
    }
