"""The interfaces the use cases need. Real adapters live in resolvers/adapters; the tests
swap in in-memory fakes."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from resolvers.domain.order import NewOrder, Order, StateChange
from resolvers.domain.queries import StateQuery
from resolvers.domain.states import Estado

OrderView = dict[str, Any]
"""An order as a read returns it: every attribute, or only the projected ones."""

Projection = frozenset[str] | None
"""The attributes a read must return, or None for whole items."""


class OrderAlreadyStored(Exception):
    """`add` found an item with the same id (a retried creation)."""


class StaleOrder(Exception):
    """A conditional write found the order changed; `current` is what is stored now."""

    def __init__(self, current: Order | None) -> None:
        super().__init__("the order changed since it was read")
        self.current = current


@dataclass(frozen=True)
class ShardCursor:
    """Where a listing stopped in one shard of the state index: the last item it returned
    from that shard (the index key follows from the shard and the state)."""

    fecha_registro: str
    id: str


Position = tuple[ShardCursor | None, ...]
"""Where a listing stands, one cursor per shard (None: nothing returned from it yet). What
a nextToken carries."""


@dataclass(frozen=True)
class ShardRead:
    """One Query of a page: shard `shard` of `query.estado`, within `query`'s bounds, in its
    direction, after `after` (or from the start)."""

    shard: int
    query: StateQuery
    after: ShardCursor | None


class OrderRepository(Protocol):
    def add(self, order: Order) -> None:
        """Store a new order, marked unpublished; raise OrderAlreadyStored when its id
        exists."""

    def load(self, order_id: str) -> Order | None:
        """The whole order with its unpublished marker, read consistently (for a write
        that follows)."""

    def get(self, order_id: str, attributes: Projection) -> OrderView | None: ...

    @property
    def state_shards(self) -> int:
        """N: the shards the state index spreads each state over (fixed with the table)."""
        ...

    def read_state_shards(
        self, reads: Sequence[ShardRead], *, limit: int, attributes: Projection
    ) -> list[list[OrderView]]:
        """For each read, in order, up to `limit` orders of its shard in its query's
        direction (fewer only when the shard has no more). Each view carries at least `id`
        and `fecha_registro`, whatever `attributes` asks."""

    def enter_state(self, order_id: str, change: StateChange, *, now: datetime) -> Order:
        """A transition in one conditional write, without reading the order first: move it
        into `change.estado` at `now`, append its history entry and mark it unpublished,
        only if, as stored, it exists, its state may enter `change.estado`, it is at
        `change.expected_version` (when given), it carries no unpublished marker and it
        entered its state before `now`. Return the order as it was before, of which the
        stored one is `transition(before, change, now=now)`. Otherwise raise StaleOrder
        with the stored order (None when there is none), as the same call read it."""
        ...

    def save_transition(self, before: Order, after: Order) -> None:
        """Write `after`, marked unpublished, only if the stored order is still `before`
        (state and version); otherwise raise StaleOrder."""

    def remove_new(self, order: Order) -> None:
        """Undo `add`, only if the order was not changed since; otherwise leave it and
        raise StaleOrder."""

    def revert_transition(self, before: Order, after: Order) -> None:
        """Undo `save_transition`, only if the order is still `after` (otherwise leave it
        and raise StaleOrder); `before` was published, so the marker goes."""

    def mark_published(self, order: Order) -> None:
        """Clear the unpublished marker if the order is still at `order`'s version."""

    def unpublished(self, estado: Estado, *, until: str) -> Iterable[str]:
        """Ids of the orders in `estado` marked unpublished at `until` or before, from
        every shard of the state (from an index that may lag: re-read before acting)."""


class PageTokens(Protocol):
    """The opaque nextToken: a position bound to the query and the shard count that
    produced it."""

    def encode(self, position: Position, query: StateQuery) -> str: ...

    def decode(self, token: str, query: StateQuery, *, shards: int) -> Position:
        """The position (one cursor per shard), or ValidationError when the token is
        malformed, tampered with, replayed with other arguments or issued for another
        shard count."""


class StatePublisher(Protocol):
    def publish(self, order: Order) -> None:
        """Send `order` to the queue of its state (deduplicated on id:estado:version)."""


class IdempotentCreation(Protocol):
    def run(self, new: NewOrder, create: Callable[[], OrderView]) -> OrderView:
        """Run `create` at most once per `new.client_token` and return its result to every
        retry; raise ConflictError for a token reused with another input, or one whose
        first call is still running."""

    def same_input(self, order: Order, new: NewOrder) -> bool:
        """True when the stored `order` was created from the same input as `new` (a retry
        whose idempotency record has expired)."""


class Deadline(Protocol):
    def seconds_left(self) -> float:
        """Time left in this invocation."""
        ...
