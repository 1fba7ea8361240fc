"""Subscriptions over graphql-transport-ws, fed by the mutations as @aws_subscribe does."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from httpx_ws import WebSocketDisconnect, WebSocketSession, connect_ws

from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import create, move

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 10
PROTOCOL = "graphql-transport-ws"


@contextmanager
def subscription(
    emulator: Emulator, query: str, key: str | None = None
) -> Iterator[WebSocketSession]:
    url = f"ws://{emulator.host}:{emulator.port}/graphql"
    with (
        httpx.Client() as client,
        connect_ws(url, client, subprotocols=[PROTOCOL], session_class=WebSocketSession) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"x-api-key": key or emulator.api_key}})
        assert ws.receive_json(timeout=WAIT_SECONDS)["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        yield ws


def _next_order(ws: WebSocketSession) -> dict[str, Any]:
    message = ws.receive_json(timeout=WAIT_SECONDS)
    assert message["type"] == "next", message
    order: dict[str, Any] = message["payload"]["data"]
    return order


def test_a_subscriber_receives_the_orders_created(emulator: Emulator) -> None:
    descripcion = f"suscrita {uuid.uuid4().hex[:6]}"
    with subscription(
        emulator, "subscription { onOrderCreated(estado: recibida) { id descripcion } }"
    ) as ws:
        # the subscription is registered once the server has processed `subscribe`;
        # a ping round trip proves that
        ws.send_json({"type": "ping"})
        assert ws.receive_json(timeout=WAIT_SECONDS)["type"] == "pong"

        order = create(emulator, descripcion)

        received = _next_order(ws)["onOrderCreated"]
    assert received == {"id": order["id"], "descripcion": descripcion}


def test_a_state_change_reaches_only_the_subscribers_of_that_order(emulator: Emulator) -> None:
    watched = create(emulator, "vigilada")
    other = create(emulator, "otra")
    query = f'subscription {{ onOrderStateChanged(id: "{watched["id"]}") {{ id estado version }} }}'
    with subscription(emulator, query) as ws:
        ws.send_json({"type": "ping"})
        assert ws.receive_json(timeout=WAIT_SECONDS)["type"] == "pong"

        move(emulator, other["id"], "enproceso")
        move(emulator, watched["id"], "enproceso")

        received = _next_order(ws)["onOrderStateChanged"]
    assert received == {"id": watched["id"], "estado": "enproceso", "version": 2}


def test_a_websocket_without_the_key_is_closed(emulator: Emulator) -> None:
    url = f"ws://{emulator.host}:{emulator.port}/graphql"
    with (
        httpx.Client() as client,
        connect_ws(url, client, subprotocols=[PROTOCOL], session_class=WebSocketSession) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"x-api-key": "wrong"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json(timeout=WAIT_SECONDS)
    assert closed.value.code == 4403
