"""AppSync's real-time protocol at /graphql/realtime, spoken by hand over a WebSocket.

References for every message asserted here:
- AWS AppSync Developer Guide, "Building a real-time WebSocket client"
  (https://docs.aws.amazon.com/appsync/latest/devguide/real-time-websocket-client.html):
  the `header`/`payload` query string, the `graphql-ws` subprotocol, connection_init ->
  connection_ack {connectionTimeoutMs} -> ka, start {payload.data, payload.extensions.
  authorization} -> start_ack, data, error, stop -> complete.
- Amplify JS v6, packages/api-graphql/src/Providers/AWSWebSocketProvider/index.ts and
  AWSAppSyncRealTimeProvider/index.ts: the auth header as a `header-<base64url JSON>`
  subprotocol beside `graphql-ws`, `start` as above, connection_error read as
  payload.errors[0].{errorType, errorCode}.
"""

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from httpx_ws import WebSocketDisconnect, WebSocketSession, connect_ws

from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import create, move

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("the real-time URL and TLS mode of the emulator"),
]

WAIT_SECONDS = 10
CREATED = """subscription Created($estado: Estado) {
  onOrderCreated(estado: $estado) { id descripcion estado }
}"""


def _auth(emulator: Emulator, key: str | None = None) -> dict[str, str]:
    return {"host": f"{emulator.host}:{emulator.port}", "x-api-key": key or emulator.api_key}


@contextmanager
def realtime(
    emulator: Emulator, *, key: str | None = None, form: str = "subprotocol"
) -> Iterator[WebSocketSession]:
    """A WebSocket on /graphql/realtime with the key in the handshake, in one of AppSync's
    two forms: Amplify v6's subprotocol, or the guide's base64 `header` query parameter."""
    header = json.dumps(_auth(emulator, key)).encode()
    url = f"{emulator.ws_url}/graphql/realtime"
    subprotocols = ["graphql-ws"]
    if form == "subprotocol":
        encoded = base64.urlsafe_b64encode(header).decode().rstrip("=")
        subprotocols.append(f"header-{encoded}")
    else:
        url += f"?header={base64.b64encode(header).decode()}&payload=e30="
    with (
        httpx.Client(verify=emulator.verify()) as client,
        connect_ws(url, client, subprotocols=subprotocols, session_class=WebSocketSession) as ws,
    ):
        yield ws


def _acknowledged(ws: WebSocketSession) -> dict[str, Any]:
    ws.send_json({"type": "connection_init"})
    ack: dict[str, Any] = ws.receive_json(timeout=WAIT_SECONDS)
    assert ack["type"] == "connection_ack", ack
    return ack


def _start(
    ws: WebSocketSession,
    emulator: Emulator,
    query: str,
    variables: dict[str, Any] | None = None,
    key: str | None = None,
) -> str:
    operation_id = str(uuid.uuid4())
    ws.send_json(
        {
            "id": operation_id,
            "type": "start",
            "payload": {
                "data": json.dumps({"query": query, "variables": variables or {}}),
                "extensions": {"authorization": _auth(emulator, key)},
            },
        }
    )
    return operation_id


def _next(ws: WebSocketSession) -> dict[str, Any]:
    """The next message that is not a keep-alive."""
    while True:
        message: dict[str, Any] = ws.receive_json(timeout=WAIT_SECONDS)
        if message["type"] != "ka":
            return message


def test_the_subprotocol_form_is_acknowledged_with_its_timeout_and_a_keep_alive(
    emulator: Emulator,
) -> None:
    with realtime(emulator, form="subprotocol") as ws:
        ack = _acknowledged(ws)
        keep_alive = ws.receive_json(timeout=WAIT_SECONDS)

        # the server picks graphql-ws among the offered subprotocols (the guide's handshake)
        assert ws.subprotocol == "graphql-ws"
    assert ack == {"type": "connection_ack", "payload": {"connectionTimeoutMs": 300000}}
    assert keep_alive == {"type": "ka"}


@pytest.mark.parametrize("form", ["subprotocol", "query string"])
def test_a_started_subscription_receives_the_orders_created(emulator: Emulator, form: str) -> None:
    descripcion = f"tiempo real {uuid.uuid4().hex[:6]}"
    with realtime(emulator, form=form) as ws:
        _acknowledged(ws)
        operation_id = _start(ws, emulator, CREATED, {"estado": "recibida"})
        started = _next(ws)

        order = create(emulator, descripcion)
        data = _next(ws)

    assert started == {"type": "start_ack", "id": operation_id}
    assert data == {
        "type": "data",
        "id": operation_id,
        "payload": {
            "data": {
                "onOrderCreated": {
                    "id": order["id"],
                    "descripcion": descripcion,
                    "estado": "recibida",
                }
            }
        },
    }


def test_the_filters_are_those_of_the_other_subscriptions(emulator: Emulator) -> None:
    watched = create(emulator, "vigilada en tiempo real")
    other = create(emulator, "otra en tiempo real")
    query = "subscription W($id: ID) { onOrderStateChanged(id: $id) { id estado } }"
    with realtime(emulator) as ws:
        _acknowledged(ws)
        operation_id = _start(ws, emulator, query, {"id": watched["id"]})
        assert _next(ws)["type"] == "start_ack"

        move(emulator, other["id"], "enproceso")
        move(emulator, watched["id"], "enproceso")
        data = _next(ws)

    assert data["id"] == operation_id
    assert data["payload"]["data"]["onOrderStateChanged"] == {
        "id": watched["id"],
        "estado": "enproceso",
    }


def test_stop_is_answered_with_complete_and_ends_the_deliveries(emulator: Emulator) -> None:
    with realtime(emulator) as ws:
        _acknowledged(ws)
        operation_id = _start(ws, emulator, CREATED)
        assert _next(ws)["type"] == "start_ack"

        ws.send_json({"type": "stop", "id": operation_id})
        completed = _next(ws)
        create(emulator, "después del stop")
        # a message the server must answer: had the order been delivered, `data` came first
        ws.send_json({"type": "not-a-type"})
        after = _next(ws)

    assert completed == {"type": "complete", "id": operation_id}
    assert after["type"] == "error"


@pytest.mark.parametrize("form", ["subprotocol", "query string"])
def test_a_wrong_key_in_the_handshake_gets_a_connection_error(
    emulator: Emulator, form: str
) -> None:
    with realtime(emulator, key="not-the-key", form=form) as ws:
        ws.send_json({"type": "connection_init"})
        refused = ws.receive_json(timeout=WAIT_SECONDS)
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json(timeout=WAIT_SECONDS)

    # AppSync's answer, as clients log it (aws-amplify/amplify-flutter#2763); Amplify JS
    # gives up on errorCode 401 instead of retrying (NON_RETRYABLE_CODES).
    assert refused == {
        "type": "connection_error",
        "payload": {
            "errors": [
                {
                    "errorType": "UnauthorizedException",
                    "message": "You are not authorized to make this call.",
                    "errorCode": 401,
                }
            ]
        },
    }


def test_a_start_with_a_wrong_key_is_refused_and_the_connection_stays(emulator: Emulator) -> None:
    with realtime(emulator) as ws:
        _acknowledged(ws)
        refused_id = _start(ws, emulator, CREATED, key="not-the-key")
        refused = _next(ws)
        accepted_id = _start(ws, emulator, CREATED)
        accepted = _next(ws)

    # Amplify treats an `error` whose errorType is UnauthorizedException as an auth failure
    # (AWSWebSocketProvider, AUTH_ERROR_TYPES).
    assert refused == {
        "type": "error",
        "id": refused_id,
        "payload": {
            "errors": [
                {
                    "errorType": "UnauthorizedException",
                    "message": "You are not authorized to make this call.",
                }
            ]
        },
    }
    assert accepted == {"type": "start_ack", "id": accepted_id}


def test_a_query_is_not_served_on_the_realtime_channel(emulator: Emulator) -> None:
    with realtime(emulator) as ws:
        _acknowledged(ws)
        operation_id = _start(ws, emulator, 'query { getOrder(id: "x") { id } }')
        refused = _next(ws)

    # AppSync's errorType for an operation the channel does not carry
    # (awslabs/aws-mobile-appsync-sdk-ios#372: "... not supported through the realtime channel").
    assert refused["type"] == "error"
    assert refused["id"] == operation_id
    assert refused["payload"]["errors"][0]["errorType"] == "UnsupportedOperation"
    assert (
        "not supported through the realtime channel" in refused["payload"]["errors"][0]["message"]
    )


def test_an_unknown_message_type_is_an_error_without_id(emulator: Emulator) -> None:
    with realtime(emulator) as ws:
        _acknowledged(ws)
        ws.send_json({"type": "subscribe", "id": "1", "payload": {}})
        answer = _next(ws)

    # What AppSync answers a graphql-transport-ws `subscribe` (enisdenjo/graphql-ws#602).
    assert answer == {
        "type": "error",
        "payload": {
            "errors": [
                {
                    "errorType": "UnsupportedOperation",
                    "message": "unknown not supported through the realtime channel",
                }
            ]
        },
    }


def test_a_subscription_the_schema_rejects_is_an_error_worded_as_over_http(
    emulator: Emulator,
) -> None:
    with realtime(emulator) as ws:
        _acknowledged(ws)
        operation_id = _start(ws, emulator, "subscription { onOrderCreated { nope } }")
        refused = _next(ws)

    assert refused["type"] == "error"
    assert refused["id"] == operation_id
    assert refused["payload"]["errors"][0]["message"].startswith(
        "Validation error of type FieldUndefined: Field 'nope' in type 'Order' is undefined"
    )


def test_keep_alives_repeat_over_wss_in_tls_mode(tls_emulator: Emulator) -> None:
    # The TLS emulator sends `ka` every TLS_KEEPALIVE_SECONDS; a client closes a connection
    # that stays silent for connectionTimeoutMs (the guide, step 4).
    with realtime(tls_emulator) as ws:
        ack = _acknowledged(ws)
        first = ws.receive_json(timeout=WAIT_SECONDS)
        second = ws.receive_json(timeout=WAIT_SECONDS)

    assert tls_emulator.ws_url.startswith("wss://")
    assert ack["payload"]["connectionTimeoutMs"] == 300000
    assert first == second == {"type": "ka"}
