"""ordersByState over many orders: pages in both directions and within a date range, with
no duplicate and no gap, with the state index in one shard and in four."""

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from resolvers.domain.order import NewOrder, Order
from resolvers.domain.states import Estado
from tests.integration.conftest import SHARDED, Invoke, Scale, Wiring

pytestmark = pytest.mark.parametrize("scaled", [Scale(), SHARDED], ids=["N1-G1", "N4-G4"])

TOTAL = 130
SELECTION = ["items", "items/id", "items/fecha_registro", "items/estado", "nextToken"]


@pytest.fixture
def orders(invoke: Invoke, wiring: Wiring) -> list[dict[str, Any]]:
    """130 orders in recibida plus a few in enproceso, in arrival order. The 130 are stored
    straight through the table adapter (a listing reads only the table): seeding them through
    the handler, with a publish each, was most of this module's time."""
    table = wiring.application.service.repository
    stored = []
    for i in range(TOTAL):
        new = NewOrder(f"orden {i}", date(2099, 1, 1))
        order = Order.register(new, order_id=new.order_id(), now=wiring.clock())
        table.add(order)
        stored.append(order.as_dict())
    for _ in range(5):
        order_id = invoke("create_order")["id"]
        invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    return stored


def read_all(invoke: Invoke, limit: int, **arguments: Any) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    pages = 0
    token = None
    while True:
        page = invoke(
            "orders_by_state",
            {"estado": "recibida", "limit": limit, "nextToken": token, **arguments},
            SELECTION,
        )
        pages += 1
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        token = page["nextToken"]
        if token is None:
            return items, pages
        assert len(page["items"]) == limit  # only a full page says more may follow


def test_pages_cover_every_order_once_in_both_directions_and_ranges(
    invoke: Invoke, orders: list[dict[str, Any]]
) -> None:
    # One seeding of 135 orders serves every reading below. moto's Query reads every item of
    # the index for each page, so the module's cost grows with the square of the orders.
    expected = [o["id"] for o in orders]
    for direction, limit in (("ASC", 37), ("DESC", 100), (None, 20), ("ASC", 26)):
        # when
        arguments = {} if direction is None else {"sortDirection": direction}
        items, pages = read_all(invoke, limit, **arguments)
        # then
        wanted = list(reversed(expected)) if direction == "DESC" else expected
        assert [item["id"] for item in items] == wanted
        assert {item["estado"] for item in items} == {"recibida"}
        assert pages == -(-TOTAL // limit)  # 130 / 26 = 5 pages: no empty 6th page

    # a date range is inclusive at both ends
    desde, hasta = orders[20]["fecha_registro"], orders[99]["fecha_registro"]
    items, _ = read_all(invoke, 25, desde=desde, hasta=hasta, sortDirection="DESC")
    assert [i["id"] for i in items] == list(reversed(expected[20:100]))

    # a bound with an offset is normalised to the fixed-width UTC sort key
    tenth = datetime.fromisoformat(orders[10]["fecha_registro"])
    local = tenth.astimezone(timezone(timedelta(hours=2))).isoformat()
    items, _ = read_all(invoke, 100, desde=local)
    assert [i["id"] for i in items] == expected[10:]

    # the other state's orders never leak in
    page = invoke("orders_by_state", {"estado": Estado.enproceso.value, "limit": 100}, SELECTION)
    assert len(page["items"]) == 5
    assert page["nextToken"] is None


def test_a_token_replayed_with_other_arguments_is_a_validation_error(invoke: Invoke) -> None:
    for _ in range(8):
        invoke("create_order")
    first = invoke("orders_by_state", {"estado": "recibida", "limit": 5}, SELECTION)
    token = first["nextToken"]
    for other in (
        {"estado": "enproceso"},
        {"estado": "recibida", "sortDirection": "DESC"},
        {"estado": "recibida", "desde": "2030-01-01T00:00:00Z"},
    ):
        result = invoke("orders_by_state", {**other, "nextToken": token}, SELECTION)
        assert result["error"]["type"] == "ValidationError"
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    result = invoke("orders_by_state", {"estado": "recibida", "nextToken": tampered}, SELECTION)
    assert result["error"]["type"] == "ValidationError"
