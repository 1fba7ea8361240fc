"""Access (docs/reliability.md): every operation refuses a missing or wrong API key before
anything runs, subscriptions over both WebSocket protocols included (graphql-transport-ws
and AppSync's real-time protocol), and the key never reaches the emulator's log.
(That both servers listen only on the host given: test_queues_and_binding.py.)"""

import base64
import json
from contextlib import suppress
from typing import Any

import httpx
import pytest
from httpx_ws import WebSocketDisconnect, WebSocketSession, connect_ws
from wsproto.utilities import LocalProtocolError

from tests.e2e.aws_store import Store
from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import CREATE, FUTURE_DATE, GET, PAGE, UPDATE, create

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("reads the emulator's stats, moto store and log"),
]

# AppSync's answer to a missing or wrong x-api-key: HTTP 401, errorType
# UnauthorizedException (AppSync developer guide, "Configuring authorization and
# authentication": API_KEY authorization; graphql/graphql-over-http#81 for the body shape).
UNAUTHORIZED = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "You are not authorized to make this call.",
        }
    ]
}
KEYS = pytest.mark.parametrize("headers", [{}, {"x-api-key": "wrong"}, {"x-api-key": ""}])
WAIT_SECONDS = 10


def operations(order_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (CREATE, {"input": {"descripcion": "sin llave", "fecha_entrega": FUTURE_DATE}}),
        (UPDATE, {"id": order_id, "estado": "cancelada", "motivo": "sin llave"}),
        (GET, {"id": order_id}),
        (PAGE, {"estado": "recibida"}),
    ]


@KEYS
def test_every_operation_refuses_a_missing_or_wrong_key(
    emulator: Emulator, headers: dict[str, str]
) -> None:
    # given an order, and what the API has done and stored so far
    order_id = create(emulator, "objetivo sin llave")["id"]
    store = Store.of(emulator)
    before, stats = store.counts(), emulator.stats()
    for query, variables in operations(order_id):
        # when
        response = emulator.graphql(query, variables, headers)
        # then
        assert response.status_code == 401
        assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
        assert response.json() == UNAUTHORIZED
    # and no resolver ran, nothing was written or queued
    assert emulator.stats() == stats
    assert store.counts() == before
    assert emulator.data(GET, {"id": order_id})["getOrder"]["estado"] == "recibida"


@pytest.mark.parametrize("key", [None, "wrong", ""])
@pytest.mark.parametrize(
    "subscription",
    ["subscription { onOrderCreated { id } }", "subscription { onOrderStateChanged { id } }"],
)
def test_every_subscription_refuses_a_missing_or_wrong_key(
    emulator: Emulator, key: str | None, subscription: str
) -> None:
    url = f"{emulator.ws_url}/graphql"
    payload = {} if key is None else {"x-api-key": key}
    with (
        httpx.Client() as client,
        connect_ws(
            url, client, subprotocols=["graphql-transport-ws"], session_class=WebSocketSession
        ) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": payload})
        # the connection is closed as Forbidden before any subscription starts (the server
        # may close it before the subscribe is even sent)
        with suppress(LocalProtocolError):
            ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": subscription}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json(timeout=WAIT_SECONDS)
    assert closed.value.code == 4403


def test_the_key_never_appears_in_the_log(emulator: Emulator) -> None:
    # given: a session of requests that succeed, fail in resolvers, fail in the schema,
    # and are refused (the e2e emulator was started with --api-key)
    order_id = create(emulator, "registro")["id"]
    emulator.graphql(GET, {"id": order_id})
    emulator.graphql(UPDATE, {"id": order_id, "estado": "completada"})
    emulator.graphql(GET, {"id": 5})
    emulator.graphql(GET, {"id": order_id}, {"x-api-key": emulator.api_key + "x"})
    # then: the log says nothing of the key
    log = emulator.log.read_text(errors="replace")
    assert emulator.api_key not in log
    assert "not shown" in log  # the banner says the key was given and is kept back


def _realtime_header(emulator: Emulator, key: str | None) -> str:
    header = {"host": f"{emulator.host}:{emulator.port}"}
    if key is not None:
        header["x-api-key"] = key
    return base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")


@pytest.mark.parametrize("key", [None, "wrong", ""])
def test_the_realtime_handshake_refuses_a_missing_or_wrong_key(
    emulator: Emulator, key: str | None
) -> None:
    # AppSync's real-time protocol (developer guide, "Building a real-time WebSocket client"):
    # the key travels in the handshake; without the right one, connection_error 401
    subprotocols = ["graphql-ws", f"header-{_realtime_header(emulator, key)}"]
    with (
        httpx.Client() as client,
        connect_ws(
            f"{emulator.ws_url}/graphql/realtime",
            client,
            subprotocols=subprotocols,
            session_class=WebSocketSession,
        ) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        refused = ws.receive_json(timeout=WAIT_SECONDS)
    assert refused["type"] == "connection_error"
    (error,) = refused["payload"]["errors"]
    assert (error["errorType"], error["errorCode"]) == ("UnauthorizedException", 401)


@pytest.mark.parametrize("key", ["wrong", ""])
@pytest.mark.parametrize("field", ["onOrderCreated", "onOrderStateChanged"])
def test_a_realtime_start_refuses_a_wrong_key_for_every_subscription(
    emulator: Emulator, key: str, field: str
) -> None:
    subprotocols = ["graphql-ws", f"header-{_realtime_header(emulator, emulator.api_key)}"]
    with (
        httpx.Client() as client,
        connect_ws(
            f"{emulator.ws_url}/graphql/realtime",
            client,
            subprotocols=subprotocols,
            session_class=WebSocketSession,
        ) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json(timeout=WAIT_SECONDS)["type"] == "connection_ack"
        authorization = {"host": f"{emulator.host}:{emulator.port}", "x-api-key": key}
        ws.send_json(
            {
                "id": "1",
                "type": "start",
                "payload": {
                    "data": json.dumps({"query": f"subscription {{ {field} {{ id }} }}"}),
                    "extensions": {"authorization": authorization},
                },
            }
        )
        while (answer := ws.receive_json(timeout=WAIT_SECONDS))["type"] == "ka":
            pass
    assert answer["type"] == "error"
    assert answer["payload"]["errors"][0]["errorType"] == "UnauthorizedException"
