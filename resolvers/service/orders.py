"""The four use cases behind the resolvers.

Invariant kept here: an order visible in state S always has its message in S's queue. A
write is published right after; when publishing fails the write is undone (conditionally,
so a concurrent change is never clobbered) and the caller gets an error to retry."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from resolvers.domain.calendar import Clock
from resolvers.domain.errors import ConflictError, NotFound, OrderError
from resolvers.domain.order import NewOrder, Order, StateChange, transition
from resolvers.domain.queries import StateQuery
from resolvers.domain.states import INITIAL_STATE
from resolvers.service.ports import (
    CreationGuard,
    Deadline,
    OrderAlreadyStored,
    OrderRepository,
    OrderView,
    PageTokens,
    Projection,
    StaleOrder,
    StatePublisher,
)

logger = logging.getLogger(__name__)


class NoTimeToUndo(Exception):
    """Too little of the invocation is left to undo a write should its publish fail: the
    write is not started, nothing changes, and the client may retry."""


class OrderNotPublished(Exception):
    """Publishing failed and the write was undone; the client may retry. Not a domain
    error: it surfaces as an unhandled resolver error, like any other infrastructure fault."""


@dataclass
class OrderService:
    repository: OrderRepository
    publisher: StatePublisher
    clock: Clock
    page_tokens: PageTokens
    # None: createOrder ignores clientToken (unit tests that do not exercise retries).
    creation_guard: CreationGuard | None = None
    # A write starts only with this much of the invocation left: enough, at the clients'
    # worst, for the write, its publish and the undo (resolvers/adapters/aws_clients.py).
    deadline: Deadline | None = None
    seconds_to_write_and_undo: float = 0.0

    def create_order(self, new: NewOrder) -> OrderView:
        if new.client_token is None or self.creation_guard is None:
            return self._create(new).as_dict()
        return self.creation_guard.run(new, lambda: self._create(new).as_dict())

    def _create(self, new: NewOrder) -> Order:
        order = Order.register(new, order_id=new.order_id(), now=self.clock())
        self._ensure_time_to_undo()
        try:
            self.repository.add(order)
        except OrderAlreadyStored:
            return self._resume_creation(new, order)
        self._publish_or_undo(order, undo=lambda: self.repository.remove_new(order))
        return order

    def _resume_creation(self, new: NewOrder, attempted: Order) -> Order:
        """A retry after a crash between write and publish (the idempotency record had
        expired): the id from the clientToken finds the stored order, and re-publishing
        its first message is harmless because the deduplication id is the same. Also a
        write of this call whose answer was lost and retried: then `attempted` is stored."""
        stored = self.repository.load(attempted.id)
        if stored is None or not self._created_from(stored, attempted, new):
            raise ConflictError("clientToken was already used for another order")
        if stored.estado is INITIAL_STATE and stored.version == 1:
            # Only this call's own write is undone: an earlier call's order may have been
            # acknowledged to its client (its idempotency record has since expired).
            ours = stored == attempted
            self._publish_or_undo(
                stored, undo=lambda: self.repository.remove_new(stored) if ours else None
            )
        return stored

    def _created_from(self, stored: Order, attempted: Order, new: NewOrder) -> bool:
        if stored == attempted:
            return True
        return self.creation_guard is not None and self.creation_guard.same_input(stored, new)

    def update_order_state(self, order_id: str, change: StateChange) -> OrderView:
        current = self.repository.load(order_id)
        if current is None:
            raise NotFound(f"no order has id {order_id}")
        updated = transition(current, change, now=self.clock())
        self._ensure_time_to_undo()
        try:
            self.repository.save_transition(current, updated)
        except StaleOrder as stale:
            # A retried write whose first attempt landed (its answer was lost) finds our
            # own write: the transition happened, so it is published like any other.
            if stale.current != updated:
                raise self._explain_lost_write(order_id, stale.current, change) from None
        self._publish_or_undo(
            updated, undo=lambda: self.repository.revert_transition(current, updated)
        )
        return updated.as_dict()

    def _explain_lost_write(
        self, order_id: str, now_stored: Order | None, change: StateChange
    ) -> OrderError:
        """The error the client would have got had it arrived after the winning write."""
        if now_stored is None:
            return NotFound(f"no order has id {order_id}")
        try:
            transition(now_stored, change, now=self.clock())
        except OrderError as error:
            return error
        return ConflictError(f"order {order_id} was changed concurrently; read it and retry")

    def get_order(self, order_id: str, attributes: Projection) -> OrderView | None:
        return self.repository.get(order_id, attributes)

    def orders_by_state(
        self, query: StateQuery, *, limit: int, next_token: str | None, attributes: Projection
    ) -> dict[str, Any]:
        start = None if next_token is None else self.page_tokens.decode(next_token, query)
        page = self.repository.query_by_state(
            query, limit=limit, start=start, attributes=attributes
        )
        token = None if page.last_key is None else self.page_tokens.encode(page.last_key, query)
        return {"items": page.items, "nextToken": token}

    def _ensure_time_to_undo(self) -> None:
        if self.deadline is None:
            return
        left = self.deadline.seconds_left()
        if left < self.seconds_to_write_and_undo:
            raise NoTimeToUndo(
                f"{left:.1f} s left, a write needs {self.seconds_to_write_and_undo:.1f} s "
                "to be undone at worst; not started"
            )

    def _publish_or_undo(self, order: Order, *, undo: Callable[[], None]) -> None:
        try:
            self.publisher.publish(order)
        except Exception as failure:
            try:
                undo()
            except Exception:
                # The order stays visible without its message: say so loudly, it needs
                # an operator (the message can be re-sent with the same deduplication id).
                logger.exception(
                    "compensation failed", extra={"order_id": order.id, "estado": order.estado}
                )
            raise OrderNotPublished(
                f"order {order.id} could not be published in {order.estado.value}; retry"
            ) from failure
