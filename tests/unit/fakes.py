"""In-memory stand-ins for the service's interfaces, defined once for every unit test."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from harness.clocks import SteppingClock
from resolvers.adapters.idempotent_creation import same_input
from resolvers.adapters.page_tokens import StateQueryTokens
from resolvers.domain.calendar import format_instant
from resolvers.domain.errors import ConflictError
from resolvers.domain.order import NewOrder, Order, StateChange, transition
from resolvers.domain.partitions import shard_number
from resolvers.domain.queries import SortDirection
from resolvers.domain.states import INITIAL_STATE, Estado, sources_of
from resolvers.service.orders import OrderService
from resolvers.service.ports import (
    OrderAlreadyStored,
    OrderView,
    Projection,
    ShardRead,
    StaleOrder,
)


def _stored_view(order: Order) -> OrderView:
    # As DynamoDB returns an item: an attribute the order does not have is absent, not null.
    return {name: value for name, value in order.as_dict().items() if value is not None}


class FakeRepository:
    """Orders in a dict; the state index modelled as DynamoDB keeps it: N shards, each
    sorted by fecha_registro (ties by id), read after a key position whether or not an
    item is still there."""

    def __init__(self, state_shards: int = 1) -> None:
        self.state_shards = state_shards
        self.orders: dict[str, Order] = {}
        # Every shard Query, as (read, limit): what a page cost.
        self.shard_reads: list[tuple[ShardRead, int]] = []
        # Called inside save_transition before the condition is checked: lets a test
        # slip a concurrent write in between a read and the conditional write.
        self.before_conditional_write: Callable[[], None] | None = None
        # Every conditional transition write, as (method, order id): what a request cost.
        self.writes: list[tuple[str, str]] = []
        # Every whole-order read (`load`), by order id.
        self.loads: list[str] = []
        # The time of the world this store lives in: services over one store share it, as
        # Lambda containers share (synchronised) time, so no write predates the last one.
        self.clock = SteppingClock()

    def add(self, order: Order) -> None:
        if order.id in self.orders:
            raise OrderAlreadyStored(order.id)
        self.orders[order.id] = replace(order, unpublished_since=order.entered_state_at)

    def load(self, order_id: str) -> Order | None:
        self.loads.append(order_id)
        return self.orders.get(order_id)

    def get(self, order_id: str, attributes: Projection) -> OrderView | None:
        order = self.orders.get(order_id)
        if order is None:
            return None
        view = _stored_view(order)
        return view if attributes is None else {k: view[k] for k in attributes if k in view}

    def read_state_shards(
        self, reads: Sequence[ShardRead], *, limit: int, attributes: Projection
    ) -> list[list[OrderView]]:
        return [self._read_shard(read, limit, attributes) for read in reads]

    def _read_shard(self, read: ShardRead, limit: int, attributes: Projection) -> list[OrderView]:
        self.shard_reads.append((read, limit))
        query = read.query
        descending = query.direction is SortDirection.DESC
        in_shard = sorted(
            (
                o
                for o in self.orders.values()
                if o.estado is query.estado
                and shard_number(o.id, self.state_shards) == read.shard
                and query.includes(o.fecha_registro)
            ),
            key=lambda o: (o.fecha_registro, o.id),
            reverse=descending,
        )
        if read.after is not None:
            after = (read.after.fecha_registro, read.after.id)
            in_shard = [
                o
                for o in in_shard
                if (
                    (o.fecha_registro, o.id) < after
                    if descending
                    else (o.fecha_registro, o.id) > after
                )
            ]
        views = [_stored_view(o) for o in in_shard[:limit]]
        if attributes is not None:
            wanted = attributes | {"id", "fecha_registro"}
            views = [{k: v[k] for k in wanted if k in v} for v in views]
        return views

    def enter_state(self, order_id: str, change: StateChange, *, now: datetime) -> Order:
        if self.before_conditional_write is not None:
            self.before_conditional_write()
        self.writes.append(("enter_state", order_id))
        stored = self.orders.get(order_id)
        if (
            stored is None
            or stored.estado not in sources_of(change.estado)
            or stored.unpublished_since is not None
            or stored.entered_state_at >= format_instant(now)
            or change.expected_version not in (None, stored.version)
        ):
            raise StaleOrder(stored)
        moved = transition(stored, change, now=now)
        self.orders[order_id] = replace(moved, unpublished_since=moved.entered_state_at)
        return stored

    def save_transition(self, before: Order, after: Order) -> None:
        if self.before_conditional_write is not None:
            self.before_conditional_write()
        self.writes.append(("save_transition", before.id))
        stored = self.orders.get(before.id)
        if stored is None or (stored.estado, stored.version) != (before.estado, before.version):
            raise StaleOrder(stored)
        self.orders[after.id] = replace(after, unpublished_since=after.entered_state_at)

    def remove_new(self, order: Order) -> None:
        stored = self.orders.get(order.id)
        if stored is None or stored.estado is not INITIAL_STATE or stored.version != 1:
            raise StaleOrder(None)
        del self.orders[order.id]

    def revert_transition(self, before: Order, after: Order) -> None:
        stored = self.orders.get(after.id)
        if stored is None or (stored.estado, stored.version) != (after.estado, after.version):
            raise StaleOrder(None)
        self.orders[before.id] = replace(before, unpublished_since=None)

    def mark_published(self, order: Order) -> None:
        stored = self.orders.get(order.id)
        if stored is not None and (stored.estado, stored.version) == (order.estado, order.version):
            self.orders[order.id] = replace(stored, unpublished_since=None)

    def unpublished(self, estado: Estado, *, until: str) -> Iterator[str]:
        # The sparse index is keyed on the state's shard, like the state index: one read
        # per shard.
        for shard in range(self.state_shards):
            for order in list(self.orders.values()):
                since = order.unpublished_since
                if (
                    order.estado is estado
                    and shard_number(order.id, self.state_shards) == shard
                    and since is not None
                    and since <= until
                ):
                    yield order.id


class FakePublisher:
    def __init__(self) -> None:
        self.published: list[Order] = []
        self.failing = False

    def publish(self, order: Order) -> None:
        if self.failing:
            raise ConnectionError("queue unavailable")
        self.published.append(order)


class FakeIdempotentCreation:
    """Idempotency as Powertools does it: one stored result per token, the input checked."""

    def __init__(self) -> None:
        self.records: dict[str | None, tuple[tuple[str, date], OrderView]] = {}

    same_input = staticmethod(same_input)

    def run(self, new: NewOrder, create: Callable[[], OrderView]) -> OrderView:
        token = new.client_token
        request = (new.descripcion, new.fecha_entrega)
        if token in self.records:
            stored_request, result = self.records[token]
            if stored_request != request:
                raise ConflictError("clientToken was already used with a different input")
            return result
        result = create()
        self.records[token] = (request, result)
        return result


@dataclass
class FakeDeadline:
    seconds: float

    def seconds_left(self) -> float:
        return self.seconds


def order_service(
    repository: FakeRepository | None = None,
    publisher: FakePublisher | None = None,
    idempotent_creation: FakeIdempotentCreation | None = None,
    deadline: FakeDeadline | None = None,
    seconds_to_write_and_undo: float = 0.0,
    clock: SteppingClock | None = None,
) -> OrderService:
    return OrderService(
        repository=repository or FakeRepository(),
        publisher=publisher or FakePublisher(),
        clock=clock or (repository.clock if repository is not None else SteppingClock()),
        page_tokens=StateQueryTokens(),
        idempotent_creation=idempotent_creation,
        deadline=deadline,
        seconds_to_write_and_undo=seconds_to_write_and_undo,
    )
