"""The emulator's side of the Lambda invocation, seen by a stand-in handler: the event it
builds, and what it makes of a handler that raises. In process (the ASGI app driven by
starlette's TestClient, no socket), no AWS needed."""

import re
from typing import Any

from starlette.testclient import TestClient

from api.emulator.graphql_app import build_app
from api.emulator.lambda_function import LambdaFunction
from api.emulator.resolver_cache import ResolverCache
from api.emulator.runtime import LocalAppSync

KEY = "event-key"
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
            # What resolvers.handler raises for an unexpected failure.
            raise RuntimeError("internal error; correlation id c-123")
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
    # AppSync adds the X-Ray trace header: the handler's correlation id comes from it
    assert re.fullmatch(
        r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", event["request"]["headers"]["x-amzn-trace-id"]
    )
    info = event["info"]
    assert (info["parentTypeName"], info["fieldName"]) == ("Query", "ordersByState")
    assert info["selectionSetList"] == ["items", "items/id", "items/fecha_registro", "nextToken"]
    assert "...Dates" in info["selectionSetGraphQL"]
    assert info["variables"] == {"e": "recibida"}


def test_a_raising_handler_is_lambda_unhandled_with_its_message_and_not_cached() -> None:
    handler = RecordingHandler(fail=True)
    client = _client(handler)
    query = "{ ordersByState(estado: recibida) { nextToken } }"

    first = client.post("/graphql", json={"query": query}, headers={"x-api-key": KEY}).json()
    client.post("/graphql", json={"query": query}, headers={"x-api-key": KEY})

    error = first["errors"][0]
    assert first["data"] is None
    assert error["errorType"] == "Lambda:Unhandled"
    assert error["path"] == ["ordersByState"]
    # AppSync passes the Lambda's errorMessage on: the correlation id that finds the log line
    assert error["message"] == "internal error; correlation id c-123"
    assert len(handler.events) == 2
    assert client.get("/_emulator/stats").json()["Query.ordersByState"] == {
        "invocations": 2,
        "cache_hits": 0,
    }


def test_an_unset_variable_in_an_input_object_leaves_the_field_out() -> None:
    handler = RecordingHandler()
    query = """mutation($estado: Estado) {
      createOrder(input: {descripcion: "x", fecha_entrega: "2099-01-01", estado: $estado}) { id }
    }"""

    _client(handler).post("/graphql", json={"query": query}, headers={"x-api-key": KEY})

    (event,) = handler.events
    assert event["arguments"] == {"input": {"descripcion": "x", "fecha_entrega": "2099-01-01"}}


def test_a_variable_default_fills_the_argument_the_client_left_out() -> None:
    handler = RecordingHandler()
    query = (
        "query($limit: Int = 5) { ordersByState(estado: recibida, limit: $limit) { nextToken } }"
    )

    _client(handler).post("/graphql", json={"query": query}, headers={"x-api-key": KEY})

    (event,) = handler.events
    assert event["arguments"] == {"estado": "recibida", "limit": 5}
    assert event["info"]["variables"] == {}


def test_an_operation_over_websocket_gets_its_variables() -> None:
    handler = RecordingHandler()
    query = "query($e: Estado!) { ordersByState(estado: $e) { nextToken } }"

    with _client(handler).websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"]
    ) as ws:
        ws.send_json({"type": "connection_init", "payload": {"x-api-key": KEY}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "variables": {"e": "enproceso"}},
            }
        )
        result = ws.receive_json()

    assert result["payload"] == {"data": {"ordersByState": {"nextToken": None}}}
    (event,) = handler.events
    assert event["arguments"] == {"estado": "enproceso"}
    assert event["info"]["variables"] == {"e": "enproceso"}


def test_a_browser_on_another_origin_may_call_the_api() -> None:
    # AppSync answers CORS preflights from any origin; a local frontend (another port) needs it
    client = _client(RecordingHandler())
    origin = {"origin": "http://localhost:3000"}

    preflight = client.options(
        "/graphql",
        headers={
            **origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,x-api-key",
        },
    )
    refused = client.post("/graphql", json={"query": "{ __typename }"}, headers=origin)

    assert preflight.status_code == 200
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"
