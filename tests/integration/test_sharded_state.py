"""The stage settings stateShards = 4 and queueGroups = 4 through the real handler against
moto: every listing property of one shard holds across four, a page costs one Query per
shard, a token from another shard count is refused, messages carry their group, and the
shard key moves only in the conditional write that moves the state."""

import dataclasses
import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from api.emulator.lambda_context import LambdaContext
from harness.appsync_events import appsync_event
from resolvers import bootstrap
from resolvers.definitions import resources
from resolvers.definitions.settings import Settings
from resolvers.domain.order import NewOrder, Order
from resolvers.domain.partitions import estado_shard_for, shard_number
from resolvers.domain.states import Estado
from resolvers.handler import InternalError, handler_for
from tests.integration.conftest import SHARDED, Aws, Invoke, Scale, Wiring

pytestmark = pytest.mark.parametrize("scaled", [SHARDED], ids=["N4-G4"])

N = SHARDED.state_shards
G = SHARDED.queue_groups
TOTAL = 45
SELECTION = ["items", "items/id", "items/fecha_registro", "items/estado", "nextToken"]


def seed(wiring: Wiring, count: int) -> list[dict[str, Any]]:
    """`count` orders stored straight through the table adapter (no publish: cheaper)."""
    stored = []
    for i in range(count):
        new = NewOrder(f"orden {i}", date(2099, 1, 1))
        order = Order.register(new, order_id=new.order_id(), now=wiring.clock())
        wiring.application.service.repository.add(order)
        stored.append(order.as_dict())
    return stored


def create(invoke: Invoke, count: int) -> list[dict[str, Any]]:
    return [
        invoke(
            "create_order", {"input": {"descripcion": f"orden {i}", "fecha_entrega": "2099-01-01"}}
        )
        for i in range(count)
    ]


def read_all(
    invoke: Invoke, wiring: Wiring, limit: int, **arguments: Any
) -> tuple[list[dict[str, Any]], int]:
    """Every page of recibida; checks that each page cost one Query per shard."""
    items: list[dict[str, Any]] = []
    pages = 0
    token = None
    while True:
        before = len(wiring.calls)
        page = invoke(
            "orders_by_state",
            {"estado": "recibida", "limit": limit, "nextToken": token, **arguments},
            SELECTION,
        )
        assert "error" not in page, page
        queries = [c.params for c in wiring.calls[before:] if c.operation == "Query"]
        # Cost per page: N Queries of at most limit + 1 items (resolvers/service/pages.py).
        assert sorted(q["ExpressionAttributeValues"][":e"]["S"] for q in queries) == [
            f"recibida#{k}" for k in range(N)
        ]
        assert all(q["Limit"] == limit + 1 for q in queries)
        pages += 1
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        token = page["nextToken"]
        if token is None:
            return items, pages
        assert len(page["items"]) == limit  # only a full page says more may follow


def test_pages_cover_every_order_once_across_shards(
    invoke: Invoke, wiring: Wiring, aws: Aws, scaled: Scale
) -> None:
    # given: 45 orders in recibida and 3 moved on, written over the 4 shards
    orders = seed(wiring, TOTAL)
    moved = create(invoke, 3)
    for order in moved:
        invoke("update_order_state", {"id": order["id"], "estado": "enproceso"})
    expected = [o["id"] for o in orders]
    stored = {i["id"]["S"]: i for i in aws.stored_orders()}
    for order_id, item in stored.items():
        estado = Estado(item["estado"]["S"])
        assert item[resources.STATE_SHARD_ATTRIBUTE]["S"] == estado_shard_for(estado, order_id, N)
    assert {shard_number(order_id, N) for order_id in expected} == set(range(N))
    # when / then: both directions, limit 1 and 100 and in between
    for direction, limit in (("ASC", 1), ("DESC", 1), ("ASC", 7), ("DESC", 7), (None, 100)):
        arguments = {} if direction is None else {"sortDirection": direction}
        items, pages = read_all(invoke, wiring, limit, **arguments)
        wanted = list(reversed(expected)) if direction == "DESC" else expected
        assert [item["id"] for item in items] == wanted
        assert {item["estado"] for item in items} == {"recibida"}
        assert pages == -(-TOTAL // limit)  # no empty last page

    # a date range is inclusive at both ends
    desde, hasta = orders[5]["fecha_registro"], orders[30]["fecha_registro"]
    items, _ = read_all(invoke, wiring, 4, desde=desde, hasta=hasta, sortDirection="DESC")
    assert [i["id"] for i in items] == list(reversed(expected[5:31]))
    items, _ = read_all(invoke, wiring, 4, desde=desde, hasta=hasta)
    assert [i["id"] for i in items] == expected[5:31]

    # a bound with an offset is normalised to the fixed-width UTC sort key
    tenth = datetime.fromisoformat(orders[10]["fecha_registro"])
    local = tenth.astimezone(timezone(timedelta(hours=2))).isoformat()
    items, _ = read_all(invoke, wiring, 100, desde=local)
    assert [i["id"] for i in items] == expected[10:]

    # the other state's orders never leak in
    page = invoke("orders_by_state", {"estado": "enproceso", "limit": 100}, SELECTION)
    assert [i["id"] for i in page["items"]] == [o["id"] for o in moved]
    assert page["nextToken"] is None


def test_tokens_are_bound_to_their_query_and_to_the_shard_count(
    invoke: Invoke, wiring: Wiring, scaled: Scale
) -> None:
    created = create(invoke, 8)
    first = invoke("orders_by_state", {"estado": "recibida", "limit": 5}, SELECTION)
    token = first["nextToken"]
    for other in (
        {"estado": "enproceso"},
        {"estado": "recibida", "sortDirection": "DESC"},
        {"estado": "recibida", "desde": "2030-01-01T00:00:00Z"},
    ):
        result = invoke("orders_by_state", {**other, "nextToken": token}, SELECTION)
        assert result["error"]["type"] == "ValidationError"
        assert "another query" in result["error"]["message"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    result = invoke("orders_by_state", {"estado": "recibida", "nextToken": tampered}, SELECTION)
    assert result["error"]["type"] == "ValidationError"

    # a token from the same table served with one shard is refused by four, saying why.
    # One shard reads only the key recibida#0: two orders there give it a second page.
    while sum(shard_number(o["id"], N) == 0 for o in created) < 2:
        created += create(invoke, 1)
    one_shard = bootstrap.build(
        dataclasses.replace(Settings.from_env(), state_shards=1),
        dynamodb=wiring.dynamodb,
        sqs=wiring.sqs,
    )
    single = handler_for(lambda: one_shard)(
        appsync_event("orders_by_state", {"estado": "recibida", "limit": 1}, SELECTION),
        LambdaContext(),
    )
    assert single["nextToken"]
    refused = invoke("orders_by_state", {"estado": "recibida", "nextToken": single["nextToken"]})
    assert refused["error"]["type"] == "ValidationError"
    assert refused["error"]["message"] == (
        "nextToken was issued when the state index had 1 shard(s); it has 4 now: "
        "start the listing again without nextToken"
    )


def test_each_message_carries_its_group_and_groups_keep_arrival_order(
    invoke: Invoke, aws: Aws, scaled: Scale
) -> None:
    # given
    ids = [order["id"] for order in create(invoke, 24)]
    for order_id in ids[::2]:
        invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    for estado, sent in ((Estado.recibida, ids), (Estado.enproceso, ids[::2])):
        # when
        received = aws.messages(estado)
        # then: the group is estado#j, j the id's stable hash modulo G
        by_group: dict[str, list[str]] = defaultdict(list)
        for message in received:
            order = json.loads(message["Body"])["order"]
            group = message["Attributes"]["MessageGroupId"]
            assert group == f"{estado.value}#{shard_number(order['id'], G)}"
            assert message["Attributes"]["MessageDeduplicationId"] == (
                f"{order['id']}:{estado.value}:{order['version']}"
            )
            by_group[group].append(order["id"])
        assert sorted(i for group in by_group.values() for i in group) == sorted(sent)
        # and within each group, arrival order
        for group, got in by_group.items():
            assert got == [i for i in sent if f"{estado.value}#{shard_number(i, G)}" == group]
        assert len(by_group) > 1


def _assignments(params: dict[str, Any]) -> dict[str, str]:
    """attribute -> value (as a string) of the SET clause of a recorded UpdateItem (its plain
    assignments: not `#version = #version + :one` nor a list_append)."""
    names, values = params["ExpressionAttributeNames"], params["ExpressionAttributeValues"]
    set_clause = params["UpdateExpression"].removeprefix("SET ").split(" REMOVE ")[0]
    return {
        names[name]: next(iter(values[value].values()))
        for name, value in re.findall(r"(#\w+) = (:\w+)(?=, |$)", set_clause)
    }


def test_the_shard_key_moves_only_in_the_conditional_write_that_moves_the_state(
    invoke: Invoke, wiring: Wiring, aws: Aws, scaled: Scale
) -> None:
    # given: an order that moves on, then a cancellation whose publish fails (undone)
    order_id = create(invoke, 1)[0]["id"]
    invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    wiring.fail("SendMessage", "InternalError", status=500)
    with pytest.raises(InternalError):
        invoke("update_order_state", {"id": order_id, "estado": "cancelada", "motivo": "x"})
    # then: every write of the orders table that sets the shard key sets the state with it,
    # in one conditional request, and no write sets one without the other
    writes = [
        c
        for c in wiring.calls
        if c.operation in {"PutItem", "UpdateItem"}
        and c.params["TableName"] == aws.names.orders_table
    ]
    # the writes that clear the unpublished marker once a state's message is sent touch
    # neither the state nor its shard
    marker_writes = [c for c in writes if c.params.get("UpdateExpression") == "REMOVE #unpublished"]
    assert len(marker_writes) == 2  # after the creation's publish and after enproceso's
    for write in marker_writes:
        assert set(write.params["ExpressionAttributeNames"].values()) == {
            "unpublished_since",
            "estado",
            "version",
        }
    state_writes = [c for c in writes if c not in marker_writes]
    assert [c.operation for c in state_writes] == [
        "PutItem",
        "UpdateItem",
        "UpdateItem",
        "UpdateItem",
    ]
    put = state_writes[0].params
    assert put["Item"][resources.STATE_SHARD_ATTRIBUTE]["S"] == estado_shard_for(
        Estado.recibida, order_id, N
    )
    assert "ConditionExpression" in put
    moved = [_assignments(c.params) for c in state_writes[1:]]
    assert [(m["estado"], m["estado_shard"]) for m in moved] == [
        ("enproceso", estado_shard_for(Estado.enproceso, order_id, N)),
        ("cancelada", estado_shard_for(Estado.cancelada, order_id, N)),
        ("enproceso", estado_shard_for(Estado.enproceso, order_id, N)),  # the undo
    ]
    # (each on the state: the one it was read in, or the ones the target may be entered from)
    assert all(
        "#estado = :was_estado" in c.params["ConditionExpression"]
        or "#estado IN (" in c.params["ConditionExpression"]
        for c in state_writes[1:]
    )
    (item,) = aws.stored_orders()
    assert item["estado"]["S"] == "enproceso"
    assert item[resources.STATE_SHARD_ATTRIBUTE]["S"] == estado_shard_for(
        Estado.enproceso, order_id, N
    )
