"""Every resolver through the real Lambda entry against moto: the life of an order, its
messages, and what is sent to DynamoDB."""

import json
from typing import Any

import pytest

from resolvers.domain.order import ORDER_ATTRIBUTES
from resolvers.domain.states import Estado
from tests.integration.conftest import Aws, Invoke, Wiring

ALL_ATTRIBUTES = sorted(ORDER_ATTRIBUTES)
LEGAL_PATHS = [
    [Estado.enproceso, Estado.completada],
    [Estado.cancelada],
    [Estado.enproceso, Estado.cancelada],
]
ILLEGAL = [
    ([], Estado.recibida),
    ([], Estado.completada),
    ([Estado.enproceso], Estado.recibida),
    ([Estado.enproceso], Estado.enproceso),
    ([Estado.enproceso, Estado.completada], Estado.cancelada),
    ([Estado.enproceso, Estado.completada], Estado.enproceso),
    ([Estado.cancelada], Estado.enproceso),
    ([Estado.cancelada], Estado.cancelada),
]


def move(invoke: Invoke, order_id: str, estado: Estado, **extra: Any) -> Any:
    arguments = {"id": order_id, "estado": estado.value, **extra}
    if estado is Estado.cancelada:
        arguments.setdefault("motivo", "el cliente anuló el pedido")
    return invoke("update_order_state", arguments)


def projected_names(params: dict[str, Any]) -> set[str] | None:
    if "ProjectionExpression" not in params:
        return None
    names = params["ExpressionAttributeNames"]
    return {names[p.strip()] for p in params["ProjectionExpression"].split(",")}


@pytest.mark.parametrize("path", LEGAL_PATHS, ids=lambda p: "-".join(e.value for e in p))
def test_create_get_and_each_legal_transition(invoke: Invoke, aws: Aws, path: list[Estado]) -> None:
    # given
    created = invoke("create_order")
    assert created["estado"] == "recibida"
    assert created["fecha_actualizacion"] is None
    # when
    results = [move(invoke, created["id"], estado) for estado in path]
    # then
    for version, (estado, result) in enumerate(zip(path, results, strict=True), start=2):
        assert result["estado"] == estado.value
        assert result["version"] == version
        assert result["fecha_actualizacion"] is not None
    final = invoke("get_order", {"id": created["id"]}, ALL_ATTRIBUTES)
    assert final == {k: v for k, v in results[-1].items() if v is not None}
    assert (final.get("motivo_cancelacion") is not None) == (path[-1] is Estado.cancelada)
    for version, estado in enumerate([Estado.recibida, *path], start=1):
        (message,) = aws.messages(estado)
        assert json.loads(message["Body"])["order"]["version"] == version
        assert message["Attributes"]["MessageGroupId"] == estado.value
        assert message["Attributes"]["MessageDeduplicationId"] == (
            f"{created['id']}:{estado.value}:{version}"
        )


@pytest.mark.parametrize(
    ("path", "target"), ILLEGAL, ids=lambda v: v.value if isinstance(v, Estado) else None
)
def test_each_illegal_transition_is_refused_and_changes_nothing(
    invoke: Invoke, aws: Aws, path: list[Estado], target: Estado
) -> None:
    # given
    order_id = invoke("create_order")["id"]
    for estado in path:
        move(invoke, order_id, estado)
    before = invoke("get_order", {"id": order_id}, ALL_ATTRIBUTES)
    sent_before = {e: len(aws.messages(e)) for e in Estado}
    # when
    result = move(invoke, order_id, target)
    # then
    assert result["error"]["type"] == "InvalidTransition"
    assert invoke("get_order", {"id": order_id}, ALL_ATTRIBUTES) == before
    assert all(aws.messages(e) == [] for e in Estado), sent_before


def test_unknown_ids(invoke: Invoke) -> None:
    assert invoke("get_order", {"id": "no-such-order"}) is None
    result = move(invoke, "no-such-order", Estado.enproceso)
    assert result["error"]["type"] == "NotFound"


def test_a_stale_expected_version_is_a_conflict(invoke: Invoke, aws: Aws) -> None:
    order_id = invoke("create_order")["id"]
    move(invoke, order_id, Estado.enproceso, expectedVersion=1)
    result = move(invoke, order_id, Estado.completada, expectedVersion=1)
    assert result["error"]["type"] == "ConflictError"
    assert invoke("get_order", {"id": order_id}, ["estado", "version"]) == {
        "estado": "enproceso",
        "version": 2,
    }


def test_bad_input_reaches_no_table_and_no_queue(invoke: Invoke, wiring: Wiring) -> None:
    bad = {"input": {"descripcion": "ok", "fecha_entrega": "2000-01-01"}}
    assert invoke("create_order", bad)["error"]["type"] == "ValidationError"
    assert move(invoke, "x", Estado.cancelada, motivo=" ")["error"]["type"] == "ValidationError"
    assert wiring.calls == []


def test_messages_in_each_queue_follow_arrival_order(invoke: Invoke, aws: Aws) -> None:
    ids = [invoke("create_order")["id"] for _ in range(12)]
    for order_id in ids[::2]:
        move(invoke, order_id, Estado.enproceso)
    received = aws.messages(Estado.recibida)
    assert [json.loads(m["Body"])["order"]["id"] for m in received] == ids
    enproceso = aws.messages(Estado.enproceso)
    assert [json.loads(m["Body"])["order"]["id"] for m in enproceso] == ids[::2]
    body = json.loads(received[0]["Body"])
    assert set(body["order"]) == set(ALL_ATTRIBUTES)


def test_uncached_reads_project_the_selection_set(invoke: Invoke, wiring: Wiring) -> None:
    # given: ORDERS_CACHE_TTL=0 in these tests, so no read is cached
    order_id = invoke("create_order")["id"]
    # when
    got = invoke("get_order", {"id": order_id}, ["descripcion", "__typename", "version"])
    page = invoke(
        "orders_by_state",
        {"estado": "recibida"},
        ["items", "items/descripcion", "items/timestamp", "nextToken"],
    )
    # then
    (get_call,) = [c for c in wiring.calls if c.operation == "GetItem"]
    assert projected_names(get_call.params) == {"descripcion", "version"}
    assert set(got) == {"descripcion", "version"}
    (query_call,) = [c for c in wiring.calls if c.operation == "Query"]
    # Pages merge and resume each shard on (fecha_registro, id), so both are always read
    # with the items (the shard's key follows from the shard).
    assert projected_names(query_call.params) == {
        "descripcion",
        "timestamp",
        "id",
        "fecha_registro",
    }
    assert {"descripcion", "timestamp"} <= set(page["items"][0])


def test_cached_reads_fetch_whole_items(
    invoke: Invoke, wiring: Wiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    wiring.serve_with_cache_ttl(30)
    order_id = invoke("create_order")["id"]
    got = invoke("get_order", {"id": order_id}, ["descripcion"])
    invoke("orders_by_state", {"estado": "recibida"}, ["items", "items/id"])
    reads = [c for c in wiring.calls if c.operation in {"GetItem", "Query"}]
    assert [c.operation for c in reads] == ["GetItem", "Query"]
    assert all(projected_names(c.params) is None for c in reads)
    assert set(got) >= {"id", "descripcion", "estado", "version"}
