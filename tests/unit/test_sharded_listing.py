"""ordersByState over N shards of the state index, against the fake that models them: the
merged pages are the single-shard answer, each page costs one read of `limit + 1` per shard,
and where an order lands (its shard, its message group) depends only on its id."""

import uuid
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.domain.order import Order
from resolvers.domain.partitions import estado_shard_for, message_group, shard_number
from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.domain.states import Estado
from resolvers.service.orders import OrderService
from tests.unit.fakes import FakeRepository, order_service


def instant(second: int) -> str:
    return f"2030-01-01T00:00:{second:02d}.000000Z"


def stored(order_id: str, second: int, estado: Estado) -> Order:
    return Order(
        id=order_id,
        descripcion=f"orden {order_id}",
        fecha_entrega="2030-02-01",
        estado=estado,
        fecha_registro=instant(second),
        timestamp=0,
        version=1,
    )


def service_over(orders: list[Order], shards: int) -> tuple[OrderService, FakeRepository]:
    repository = FakeRepository(state_shards=shards)
    repository.orders = {o.id: o for o in orders}
    return order_service(repository), repository


def read_pages(service: OrderService, query: StateQuery, limit: int) -> list[list[str]]:
    pages: list[list[str]] = []
    token = None
    while True:
        page: dict[str, Any] = service.orders_by_state(
            query, limit=limit, next_token=token, attributes=frozenset({"descripcion"})
        )
        pages.append([item["id"] for item in page["items"]])
        token = page["nextToken"]
        if token is None:
            return pages
        assert len(pages) <= 200, "the listing never ends"


# Few distinct seconds, so several orders share a fecha_registro (ties across shards).
orders_strategy = st.lists(
    st.tuples(st.uuids().map(str), st.integers(0, 12), st.sampled_from(list(Estado))),
    max_size=40,
    unique_by=lambda entry: entry[0],
).map(lambda entries: [stored(*entry) for entry in entries])


@settings(max_examples=60, deadline=None)
@given(
    orders=orders_strategy,
    shards=st.integers(min_value=2, max_value=7),
    limit=st.integers(min_value=1, max_value=12),
    direction=st.sampled_from(list(SortDirection)),
    desde=st.none() | st.integers(0, 12).map(instant),
    hasta=st.none() | st.integers(0, 12).map(instant),
)
def test_merged_pages_equal_the_single_shard_answer(
    orders: list[Order],
    shards: int,
    limit: int,
    direction: SortDirection,
    desde: str | None,
    hasta: str | None,
) -> None:
    # given
    query = StateQuery(Estado.recibida, direction, desde, hasta)
    single, _ = service_over(orders, 1)
    sharded, repository = service_over(orders, shards)
    # when
    single_pages = read_pages(single, query, limit)
    sharded_pages = read_pages(sharded, query, limit)
    # then: page for page the same orders, in the same order
    assert sharded_pages == single_pages
    # and that answer is every matching order once, in (fecha_registro, id) order
    expected = sorted(
        (o for o in orders if o.estado is Estado.recibida and query.includes(o.fecha_registro)),
        key=lambda o: (o.fecha_registro, o.id),
        reverse=direction is SortDirection.DESC,
    )
    assert [i for page in sharded_pages for i in page] == [o.id for o in expected]
    # and only full pages say more may follow (no empty last page, unless nothing matched)
    assert all(len(page) == limit for page in sharded_pages[:-1])
    assert sharded_pages[-1] or len(sharded_pages) == 1
    # and each page read every shard once, at most limit + 1 orders each
    assert len(repository.shard_reads) == shards * len(sharded_pages)
    assert {read_limit for _, read_limit in repository.shard_reads} == {limit + 1}


def test_a_page_costs_one_read_per_shard_and_no_more_orders_than_it_bounds() -> None:
    # given: 50 orders over 4 shards
    orders = [stored(str(uuid.UUID(int=i)), i % 50, Estado.recibida) for i in range(50)]
    service, repository = service_over(orders, 4)
    # when
    page = service.orders_by_state(
        StateQuery(Estado.recibida), limit=10, next_token=None, attributes=None
    )
    # then
    assert len(page["items"]) == 10
    assert sorted(read.shard for read, _ in repository.shard_reads) == [0, 1, 2, 3]
    assert all(limit == 11 for _, limit in repository.shard_reads)


def test_an_order_written_into_an_unread_shard_after_page_one_does_not_jump_the_queue() -> None:
    # given: a DESC listing over 4 shards whose first page took nothing from one shard
    orders = [stored(str(uuid.UUID(int=i)), 10 + i % 40, Estado.recibida) for i in range(40)]
    service, repository = service_over(orders, 4)
    query = StateQuery(Estado.recibida, SortDirection.DESC)
    first = service.orders_by_state(query, limit=3, next_token=None, attributes=None)
    shown = {shard_number(item["id"], 4) for item in first["items"]}
    unread = next(shard for shard in range(4) if shard not in shown)
    # when: a newer order lands in that shard, then the next page is read
    newcomer = next(
        str(uuid.UUID(int=1000 + i))
        for i in range(100)
        if shard_number(str(uuid.UUID(int=1000 + i)), 4) == unread
    )
    repository.orders[newcomer] = stored(newcomer, 59, Estado.recibida)
    second = service.orders_by_state(query, limit=3, next_token=first["nextToken"], attributes=None)
    # then: as with one shard, the listing goes on from where it was, never back up
    assert newcomer not in [item["id"] for item in second["items"]]
    last_shown = first["items"][-1]["fecha_registro"]
    assert all(item["fecha_registro"] <= last_shown for item in second["items"])


def test_the_shard_hash_is_stable_across_processes_and_releases() -> None:
    # Pinned: N is fixed with the table, so an order's shard must never move. Computed
    # outside Python, as the first 8 bytes of SHA-256 modulo 4:
    #   printf order-0 | sha256sum | cut -c1-16   (Python's hash() would differ per process)
    assert [shard_number(f"order-{i}", 4) for i in range(8)] == [3, 0, 3, 3, 2, 1, 2, 3]
    assert shard_number("order-0", 1) == 0
    assert estado_shard_for(Estado.enproceso, "order-0", 4) == "enproceso#3"
    assert estado_shard_for(Estado.enproceso, "order-0", 1) == "enproceso#0"


def test_ids_spread_evenly_over_the_shards() -> None:
    counts = Counter(shard_number(str(uuid.UUID(int=i * 7919)), 8) for i in range(8000))
    assert set(counts) == set(range(8))
    assert all(900 <= count <= 1100 for count in counts.values())


def test_the_message_group_is_the_state_with_one_group_and_estado_hash_with_more() -> None:
    order_id = str(uuid.UUID(int=42))
    assert message_group(Estado.recibida, order_id, 1) == "recibida"
    assert message_group(Estado.recibida, order_id, 4) == f"recibida#{shard_number(order_id, 4)}"
    # an order keeps its group number in every state it enters
    assert {message_group(e, order_id, 16).split("#")[1] for e in Estado} == {
        str(shard_number(order_id, 16))
    }


def test_the_cold_start_baseline_writes_the_shard_the_handler_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # bench/cold_start_child.py inlines the hash so that its raw mode imports nothing of
    # the package; its items must still land where ordersByState reads them
    from bench import cold_start_child

    monkeypatch.setenv("ORDERS_STATE_SHARDS", "4")
    ids = [f"o-{n}" for n in range(64)]
    assert [cold_start_child._shard_number(i) for i in ids] == [shard_number(i, 4) for i in ids]
    assert {cold_start_child._shard_number(i) for i in ids} == {0, 1, 2, 3}
