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

pytestmark = [
    pytest.mark.e2e,
    # AppSync's real-time endpoint speaks its own protocol on another host.
    pytest.mark.emulator_only("graphql-transport-ws on /graphql is the emulator's own"),
]

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


def _registered(ws: WebSocketSession) -> None:
    # the subscription is registered once the server has processed `subscribe`
    ws.send_json({"type": "ping"})
    assert ws.receive_json(timeout=WAIT_SECONDS)["type"] == "pong"


def test_an_aliased_field_does_not_match_a_filter_on_its_name(emulator: Emulator) -> None:
    # AppSync publishes the mutation's response as its client shaped it: with `st: estado`
    # there is no `estado` in it, so a subscription filtered on estado does not match
    # (docs/frontends.md; AppSync's real-time guide describes subscription fields as coming
    # from the mutation's selection set; the alias case itself is not documented by AWS).
    order = create(emulator, "alias")
    target = f'id: "{order["id"]}"'
    aliased = f"mutation {{ updateOrderState({target}, estado: enproceso) {{ id st: estado }} }}"
    plain = (
        f'mutation {{ updateOrderState(id: "{order["id"]}", estado: completada) {{ id estado }} }}'
    )
    query = (
        f'subscription {{ onOrderStateChanged(id: "{order["id"]}", estado: enproceso) {{ id }} }}'
    )
    watch_all = f'subscription {{ onOrderStateChanged(id: "{order["id"]}") {{ id }} }}'
    with subscription(emulator, query) as filtered, subscription(emulator, watch_all) as everything:
        _registered(filtered)
        _registered(everything)

        assert "errors" not in emulator.graphql(aliased).json()
        emulator.data(plain)

        # the unfiltered subscriber gets both
        first = _next_order(everything)["onOrderStateChanged"]
        second = _next_order(everything)["onOrderStateChanged"]
        # the filtered one gets nothing: a ping is answered before any `next`
        filtered.send_json({"type": "ping"})
        assert filtered.receive_json(timeout=WAIT_SECONDS)["type"] == "pong"
    assert first == second == {"id": order["id"]}


def test_every_missing_non_null_field_is_reported(emulator: Emulator) -> None:
    # AppSync reports one "Cannot return null for non-nullable type: '<T>' within parent
    # '<Parent>' (/<field>/<sub>)" error per non-null field the mutation did not select,
    # and the subscription field is null (aws-amplify/amplify-category-api#1338,
    # aws-amplify/amplify-cli#5542).
    query = "subscription { onOrderCreated { id descripcion fecha_entrega version } }"
    with subscription(emulator, query) as ws:
        _registered(ws)

        emulator.data(
            'mutation { createOrder(input: {descripcion: "sin campos", '
            'fecha_entrega: "2099-12-31"}) { id } }'
        )

        message = ws.receive_json(timeout=WAIT_SECONDS)
    assert message["type"] == "next", message
    payload = message["payload"]
    assert payload["data"] == {"onOrderCreated": None}
    assert [(e["message"], e["path"]) for e in payload["errors"]] == [
        (
            "Cannot return null for non-nullable type: 'String' within parent 'Order' "
            "(/onOrderCreated/descripcion)",
            ["onOrderCreated", "descripcion"],
        ),
        (
            "Cannot return null for non-nullable type: 'AWSDate' within parent 'Order' "
            "(/onOrderCreated/fecha_entrega)",
            ["onOrderCreated", "fecha_entrega"],
        ),
        (
            "Cannot return null for non-nullable type: 'Int' within parent 'Order' "
            "(/onOrderCreated/version)",
            ["onOrderCreated", "version"],
        ),
    ]
