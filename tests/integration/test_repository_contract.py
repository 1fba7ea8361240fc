"""One contract, two repositories: the in-memory FakeRepository the unit tests use and the
DynamoDB OrdersTable (on moto). Every test here runs against both, with the state index in
one shard and in four, so the fake cannot drift from the table it stands in for."""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime

import pytest

from harness.clocks import SteppingClock
from resolvers.adapters.orders_table import OrdersTable
from resolvers.domain.order import NewOrder, Order, StateChange, transition
from resolvers.domain.partitions import bucket
from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.domain.states import Estado
from resolvers.service import pages
from resolvers.service.ports import (
    OrderAlreadyStored,
    OrderRepository,
    ShardCursor,
    ShardRead,
    StaleOrder,
)
from tests.integration.conftest import Aws
from tests.unit.fakes import FakeRepository

Register = Callable[..., Order]


@pytest.fixture(params=["fake-N1", "dynamodb-N1", "fake-N4", "dynamodb-N4"])
def repository(request: pytest.FixtureRequest) -> Iterator[OrderRepository]:
    kind, shards = request.param.split("-N")
    if kind == "fake":
        yield FakeRepository(state_shards=int(shards))
    else:
        aws: Aws = request.getfixturevalue("aws")
        yield OrdersTable(aws.dynamodb, aws.names.orders_table, state_shards=int(shards))


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def register(repository: OrderRepository, clock: SteppingClock) -> Register:
    """Store a new order (arrival read from the stepping clock) and return it."""

    def stored(descripcion: str = "revisar caldera") -> Order:
        new = NewOrder(descripcion, date(2099, 1, 1))
        order = Order.register(new, order_id=new.order_id(), now=clock())
        repository.add(order)
        return order

    return stored


def test_an_added_order_loads_whole_and_reads_projected(
    repository: OrderRepository, register: Register
) -> None:
    # given
    order = register()
    # when / then: load is the whole order; get returns what was asked for
    assert repository.load(order.id) == order
    # (an attribute the order does not have yet is absent, as in a DynamoDB item)
    whole = {name: value for name, value in order.as_dict().items() if value is not None}
    assert repository.get(order.id, None) == whole
    projected = repository.get(order.id, frozenset({"descripcion", "version"}))
    assert projected is not None
    assert projected["descripcion"] == order.descripcion
    assert projected["version"] == 1
    assert set(projected) <= {"descripcion", "version"}
    assert repository.get("no-such-order", None) is None
    assert repository.load("no-such-order") is None


def test_adding_an_existing_id_is_refused(repository: OrderRepository, register: Register) -> None:
    order = register()
    with pytest.raises(OrderAlreadyStored):
        repository.add(replace(order, descripcion="otra"))
    assert repository.load(order.id) == order


def test_a_transition_is_written_only_over_the_state_it_was_computed_from(
    repository: OrderRepository, register: Register, clock: SteppingClock
) -> None:
    # given an order moved on once
    order = register()
    started = transition(order, StateChange(Estado.enproceso), now=clock())
    repository.save_transition(order, started)
    assert repository.load(order.id) == started
    # when a second writer computed its change from the old state
    cancelled = transition(order, StateChange(Estado.cancelada, "duplicado"), now=clock())
    with pytest.raises(StaleOrder) as stale:
        repository.save_transition(order, cancelled)
    # then it is refused and told what is stored now
    assert stale.value.current == started
    assert repository.load(order.id) == started


def test_a_transition_of_a_missing_order_is_stale_with_nothing_stored(
    repository: OrderRepository, clock: SteppingClock
) -> None:
    new = NewOrder("nunca guardada", date(2099, 1, 1))
    ghost = Order.register(new, order_id=new.order_id(), now=clock())
    started = transition(ghost, StateChange(Estado.enproceso), now=clock())
    with pytest.raises(StaleOrder) as stale:
        repository.save_transition(ghost, started)
    assert stale.value.current is None


def test_undoing_a_transition_restores_the_order_only_if_nothing_moved_since(
    repository: OrderRepository, register: Register, clock: SteppingClock
) -> None:
    order = register()
    started = transition(order, StateChange(Estado.enproceso), now=clock())
    repository.save_transition(order, started)
    # when undone: the order is as before, with no trace of the transition
    repository.revert_transition(order, started)
    assert repository.load(order.id) == order
    # and an undo of a transition that is no longer the stored state is refused
    repository.save_transition(order, started)
    done = transition(started, StateChange(Estado.completada), now=clock())
    repository.save_transition(started, done)
    with pytest.raises(StaleOrder):
        repository.revert_transition(order, started)
    assert repository.load(order.id) == done


def test_removing_a_new_order_leaves_one_that_moved_on(
    repository: OrderRepository, register: Register, clock: SteppingClock
) -> None:
    fresh, moved = register("una"), register("otra")
    repository.remove_new(fresh)
    assert repository.load(fresh.id) is None
    started = transition(moved, StateChange(Estado.enproceso), now=clock())
    repository.save_transition(moved, started)
    with pytest.raises(StaleOrder):
        repository.remove_new(moved)
    assert repository.load(moved.id) == started


def _read_all(repository: OrderRepository, query: StateQuery, limit: int) -> tuple[list[str], int]:
    """Every page, as the service reads them (resolvers/service/pages.py), checking what
    each shard answered."""
    ids: list[str] = []
    count = 0
    position = pages.start(repository.state_shards)
    while True:
        reads = pages.plan_reads(query, position)
        fetched = repository.read_state_shards(
            reads, limit=limit + 1, attributes=frozenset({"descripcion"})
        )
        for read, answer in zip(reads, fetched, strict=True):
            _check_shard_answer(repository, read, answer, limit + 1)
        page = pages.merge_page(query, position, fetched, limit=limit)
        count += 1
        assert len(page.items) <= limit
        ids.extend(item["id"] for item in page.items)
        if page.next is None:
            return ids, count
        assert len(page.items) == limit  # only a full page says more may follow
        position = page.next


def _check_shard_answer(
    repository: OrderRepository, read: ShardRead, answer: list[dict[str, object]], limit: int
) -> None:
    """At most `limit` orders of the read's shard and state, in its direction and bounds,
    after its cursor, each with the id and arrival a cursor is made of."""
    assert len(answer) <= limit
    keys = [(str(view["fecha_registro"]), str(view["id"])) for view in answer]
    descending = read.query.direction is SortDirection.DESC
    assert keys == sorted(keys, reverse=descending)
    for registered, order_id in keys:
        assert bucket(order_id, repository.state_shards) == read.shard
        assert read.query.includes(registered)
        if read.after is not None:
            after = (read.after.fecha_registro, read.after.id)
            assert (registered, order_id) < after if descending else (registered, order_id) > after
    assert all(set(view) <= {"descripcion", "id", "fecha_registro"} for view in answer)


@pytest.mark.parametrize("limit", [1, 4, 11, 100])
def test_pages_cover_one_state_once_in_arrival_order_both_ways(
    repository: OrderRepository, register: Register, clock: SteppingClock, limit: int
) -> None:
    # given 11 orders in recibida and 2 that moved on
    orders = [register(f"orden {i}") for i in range(13)]
    for order in orders[11:]:
        repository.save_transition(
            order, transition(order, StateChange(Estado.enproceso), now=clock())
        )
    expected = [o.id for o in orders[:11]]
    # when / then: each state's orders once, no gap, no empty last page
    for direction, wanted in (
        (SortDirection.ASC, expected),
        (SortDirection.DESC, expected[::-1]),
    ):
        ids, pages = _read_all(repository, StateQuery(Estado.recibida, direction), limit)
        assert ids == wanted
        assert pages == -(-len(wanted) // limit)
    moved, _ = _read_all(repository, StateQuery(Estado.enproceso), limit)
    assert moved == [o.id for o in orders[11:]]


def test_arrival_bounds_are_inclusive(repository: OrderRepository, register: Register) -> None:
    orders = [register(f"orden {i}") for i in range(8)]
    query = StateQuery(
        Estado.recibida,
        SortDirection.DESC,
        desde=orders[2].fecha_registro,
        hasta=orders[5].fecha_registro,
    )
    ids, _ = _read_all(repository, query, 3)
    assert ids == [o.id for o in orders[2:6]][::-1]


def test_a_page_of_a_state_with_no_orders_is_empty_and_last(
    repository: OrderRepository, register: Register
) -> None:
    register()
    query = StateQuery(Estado.cancelada)
    position = pages.start(repository.state_shards)
    fetched = repository.read_state_shards(
        pages.plan_reads(query, position), limit=6, attributes=None
    )
    assert fetched == [[] for _ in range(repository.state_shards)]
    assert pages.merge_page(query, position, fetched, limit=5) == pages.MergedPage([], None)


def test_a_shard_resumes_after_its_cursor_even_when_that_order_moved_on(
    repository: OrderRepository, register: Register, clock: SteppingClock
) -> None:
    # given: orders of one shard, and a cursor on one that has since left recibida
    shards = repository.state_shards
    orders = [register(f"orden {i}") for i in range(24)]
    shard = bucket(orders[0].id, shards)
    in_shard = [o for o in orders if bucket(o.id, shards) == shard]
    cursor_order = in_shard[1]
    repository.save_transition(
        cursor_order, transition(cursor_order, StateChange(Estado.enproceso), now=clock())
    )
    cursor = ShardCursor(cursor_order.fecha_registro, cursor_order.id)
    # when
    (answer,) = repository.read_state_shards(
        [ShardRead(shard, StateQuery(Estado.recibida), cursor)], limit=100, attributes=None
    )
    # then: DynamoDB's ExclusiveStartKey is a position, not an item that must exist
    assert [view["id"] for view in answer] == [o.id for o in in_shard[2:]]


def test_unpublished_orders_are_found_in_every_shard_until_marked_published(
    repository: OrderRepository, register: Register
) -> None:
    # given: orders spread over the state's shards, all marked unpublished by their write,
    # one of them since published
    orders = [register(f"pedido {n}") for n in range(12)]
    published = orders[0]
    repository.mark_published(published)
    # when
    until = "9999-12-31T23:59:59.999999Z"
    found = list(repository.unpublished(Estado.recibida, until=until))
    # then: every other order once, whichever shard it is in; none of another state
    assert sorted(found) == sorted(o.id for o in orders[1:])
    assert list(repository.unpublished(Estado.enproceso, until=until)) == []
    # and nothing is unpublished before the first write
    assert list(repository.unpublished(Estado.recibida, until="2000-01-01T00:00:00Z")) == []


def test_listed_orders_carry_neither_their_shard_nor_their_marker(
    repository: OrderRepository, register: Register
) -> None:
    orders = [register(f"pedido {n}") for n in range(6)]
    query = StateQuery(Estado.recibida)
    fetched = repository.read_state_shards(
        pages.plan_reads(query, pages.start(repository.state_shards)), limit=10, attributes=None
    )
    views = [view for shard in fetched for view in shard]
    assert sorted(v["id"] for v in views) == sorted(o.id for o in orders)
    for view in views:
        assert set(view) <= set(orders[0].as_dict())


def test_a_transition_writes_its_history_entry_and_its_undo_removes_it(
    repository: OrderRepository, register: Register, clock: SteppingClock
) -> None:
    # given an order moved on by a named caller
    order = register()
    started = transition(order, StateChange(Estado.enproceso, por="luis@example.com"), now=clock())
    repository.save_transition(order, started)
    # then the entry is stored with the state, and reads back with its version
    stored = repository.load(order.id)
    assert stored is not None
    assert stored.historial == started.historial
    assert [c.version for c in stored.historial] == [1, 2]
    history = [c.as_dict() for c in started.historial]
    assert repository.get(order.id, frozenset({"historial"})) == {"historial": history}
    assert repository.get(order.id, None) == {
        k: v for k, v in started.as_dict().items() if v is not None
    }
    # and undoing the transition takes its entry away with it
    repository.revert_transition(order, started)
    assert repository.load(order.id) == order


# --- a transition in one write (enter_state) -------------------------------------------


def published(repository: OrderRepository, order: Order) -> Order:
    """`order` once its message is sent: no unpublished marker (a transition needs that)."""
    repository.mark_published(order)
    return order


def test_entering_a_state_is_the_domains_transition_written_in_one_call(
    repository: OrderRepository, register: Register, clock: SteppingClock
) -> None:
    # given a published order
    order = published(repository, register())
    change = StateChange(Estado.cancelada, "duplicada", por="ana@example.com")
    # when it enters a state in one write
    now = clock()
    before = repository.enter_state(order.id, change, now=now)
    # then it returns the order it moved, and stores exactly what the domain computes
    assert before == order
    moved = transition(order, change, now=now)
    stored = repository.load(order.id)
    assert stored == moved
    assert stored is not None
    assert stored.unpublished_since == moved.entered_state_at
    assert [c.por for c in stored.historial] == ["api-key", "ana@example.com"]
    # and its undo takes it back, history entry included
    repository.revert_transition(before, moved)
    assert repository.load(order.id) == order


def test_entering_a_state_with_the_expected_version(
    repository: OrderRepository, register: Register, clock: SteppingClock
) -> None:
    order = published(repository, register())
    change = StateChange(Estado.enproceso, expected_version=1)
    assert repository.enter_state(order.id, change, now=clock()) == order
    stored = repository.load(order.id)
    assert stored is not None
    assert stored.version == 2


@pytest.mark.parametrize(
    "refusal",
    ["no such order", "state the target cannot follow", "stale version", "unpublished", "newer"],
)
def test_a_refused_entry_writes_nothing_and_returns_the_stored_order(
    repository: OrderRepository, register: Register, clock: SteppingClock, refusal: str
) -> None:
    # given a published order in enproceso, version 2
    order = published(repository, register())
    started = transition(order, StateChange(Estado.enproceso), now=clock())
    repository.save_transition(order, started)
    repository.mark_published(started)
    now = clock()
    order_id, change = started.id, StateChange(Estado.completada)
    if refusal == "no such order":
        order_id = "no-such-order"
    elif refusal == "state the target cannot follow":
        change = StateChange(Estado.enproceso)
    elif refusal == "stale version":
        change = StateChange(Estado.completada, expected_version=1)
    elif refusal == "unpublished":
        repository.save_transition(started, started)  # writes the marker again
    else:  # it entered its state at or after this request's instant
        now = datetime.fromisoformat(started.entered_state_at)
    stored_before = repository.load(started.id)
    # when
    with pytest.raises(StaleOrder) as refused:
        repository.enter_state(order_id, change, now=now)
    # then the store tells what it holds, as the same call read it, and holds it still
    assert refused.value.current == (None if refusal == "no such order" else started)
    assert repository.load(started.id) == stored_before
    if refusal == "unpublished":
        assert refused.value.current is not None
        assert refused.value.current.unpublished_since is not None
