"""One contract, two repositories: the in-memory FakeRepository the unit tests use and the
DynamoDB OrdersTable (on moto). Every test here runs against both, so the fake cannot drift
from the table it stands in for."""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date

import pytest

from harness.clocks import SteppingClock
from resolvers.adapters.orders_table import OrdersTable
from resolvers.domain.order import NewOrder, Order, StateChange, transition
from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.domain.states import Estado
from resolvers.service.ports import (
    OrderAlreadyStored,
    OrderRepository,
    PageKey,
    StaleOrder,
)
from tests.integration.conftest import Aws
from tests.unit.fakes import FakeRepository

Register = Callable[..., Order]


@pytest.fixture(params=["fake", "dynamodb"])
def repository(request: pytest.FixtureRequest) -> Iterator[OrderRepository]:
    if request.param == "fake":
        yield FakeRepository()
    else:
        aws: Aws = request.getfixturevalue("aws")
        yield OrdersTable(aws.dynamodb, aws.names.orders_table)


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
    ids: list[str] = []
    pages = 0
    start: PageKey | None = None
    while True:
        page = repository.query_by_state(
            query, limit=limit, start=start, attributes=frozenset({"id"})
        )
        pages += 1
        assert len(page.items) <= limit
        ids.extend(item["id"] for item in page.items)
        if page.last_key is None:
            return ids, pages
        assert len(page.items) == limit  # only a full page says more may follow
        start = page.last_key


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
    page = repository.query_by_state(
        StateQuery(Estado.cancelada), limit=5, start=None, attributes=None
    )
    assert page.items == []
    assert page.last_key is None
