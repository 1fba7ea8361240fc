"""The four use cases behind the resolvers.

Invariant kept here: an order visible in state S always has its message in S's queue. A
write is published right after; when publishing fails the write is undone (conditionally,
so a concurrent change is never clobbered) and the caller gets an error to retry.

A write that fails, or whose answer is lost, may still have landed: the store is read
again and the truth reported (the write finished and published, or nothing changed),
never an error that blames the caller's own write. What no invocation can finish (it
was killed between write and publish) stays marked unpublished in the store, and is
announced by the next transition of that order or by `orders repair`."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from resolvers.domain.calendar import Clock, format_instant
from resolvers.domain.errors import ConflictError, NotFound, OrderError
from resolvers.domain.order import (
    NewOrder,
    Order,
    StateChange,
    before_last_change,
    completed_write,
    holds_write_of,
    transition,
)
from resolvers.domain.queries import StateQuery
from resolvers.domain.states import INITIAL_STATE, sources_of
from resolvers.service import pages
from resolvers.service.ports import (
    Deadline,
    IdempotentCreation,
    OrderAlreadyStored,
    OrderRepository,
    OrderView,
    PageTokens,
    Projection,
    StaleOrder,
    StatePublisher,
)

logger = logging.getLogger(__name__)

# No invocation writes for longer: AppSync drops a request after 30 s and the Lambda's
# timeout is below that (infra/function.py). An unpublished marker younger than this may
# belong to a write still on its way to publishing; an older one was left by a crash.
IN_FLIGHT_SECONDS = 30.0


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
    idempotent_creation: IdempotentCreation | None = None
    # A write starts only with this much of the invocation left: enough, at the clients'
    # worst, for the write, its publish and the undo (resolvers/adapters/aws_clients.py).
    deadline: Deadline | None = None
    seconds_to_write_and_undo: float = 0.0

    def create_order(self, new: NewOrder) -> OrderView:
        if new.client_token is None or self.idempotent_creation is None:
            return self._create(new).as_dict()
        return self.idempotent_creation.run(new, lambda: self._create(new).as_dict())

    def _create(self, new: NewOrder) -> Order:
        order = Order.register(new, order_id=new.order_id(), now=self.clock())
        self._ensure_time_to_undo()
        try:
            self.repository.add(order)
        except OrderAlreadyStored:
            return self._resume_creation(new, order)
        except Exception:
            # The store failed, or its answer was lost: carry on only if the order is there.
            if not self._landed(order):
                raise
        self._publish_or_undo(order, undo=lambda: self.repository.remove_new(order))
        return order

    def _landed(self, order: Order) -> bool:
        """Whether a creation whose call failed was stored anyway (whole: PutItem is
        atomic, but an order stored in part would be undone rather than published)."""
        stored = self.repository.load(order.id)
        if stored is None:
            return False
        if stored == order:
            return True
        if stored.is_same_write(order):
            self.repository.remove_new(stored)
        return False

    def _resume_creation(self, new: NewOrder, attempted: Order) -> Order:
        """A retry after a crash between write and publish (the idempotency record had
        expired): the id from the clientToken finds the stored order, and re-publishing
        its first message is harmless because the deduplication id is the same. Also a
        write of this call whose answer was lost and retried: then `attempted` is stored."""
        stored = self.repository.load(attempted.id)
        if stored is None or not self._created_from(stored, attempted, new):
            raise ConflictError("clientToken was already used for another order")
        if stored.estado is INITIAL_STATE and stored.unpublished_since is not None:
            # Only this call's own write is undone: an earlier call's order may have been
            # acknowledged to its client (its idempotency record has since expired).
            # No other call with this token is running: Powertools idempotency lets one
            # at a time through, until it ends or its invocation times out.
            ours = stored == attempted
            self._publish_or_undo(
                stored, undo=lambda: self.repository.remove_new(stored) if ours else None
            )
        return stored

    def _created_from(self, stored: Order, attempted: Order, new: NewOrder) -> bool:
        if stored == attempted:
            return True
        creation = self.idempotent_creation
        return creation is not None and creation.same_input(stored, new)

    def update_order_state(self, order_id: str, change: StateChange) -> OrderView:
        """A transition in one conditional write (the store judges the rule, the version
        and the marker, and tells why it refused); the path through a read is kept for
        what that write cannot do: leave a state whose message may be missing."""
        if not sources_of(change.estado):
            # Nothing enters the initial state; the read says NotFound or InvalidTransition.
            return self._transition_after_read(order_id, change, self.clock())
        now = self.clock()
        self._ensure_time_to_undo()
        try:
            before = self.repository.enter_state(order_id, change, now=now)
        except StaleOrder as refused:
            if refused.current is not None and holds_write_of(refused.current, change, now=now):
                # botocore retried a write whose answer was lost: the item is our write.
                return self._finish_write_found(refused.current, change, now)
            return self._after_refusal(order_id, refused.current, change, now)
        except Exception as failure:
            return self._after_failed_write(order_id, change, now, failure)
        updated = transition(before, change, now=now)
        self._publish_or_undo(
            updated, undo=lambda: self.repository.revert_transition(before, updated)
        )
        return updated.as_dict()

    def _after_refusal(
        self, order_id: str, current: Order | None, change: StateChange, now: datetime
    ) -> OrderView:
        """Why the store refused, from the item it returned (no second read), in the API's
        precedence: NotFound, InvalidTransition, ConflictError (the version, then a change
        made since this request began). Otherwise the order carries an unpublished marker:
        carry on through the path that announces the state being left."""
        if current is None:
            raise NotFound(f"no order has id {order_id}")
        transition(current, change, now=now)
        if current.entered_state_at >= format_instant(now):
            raise ConflictError(f"order {order_id} was changed concurrently; read it and retry")
        return self._transition_from(current, change, now)

    def _after_failed_write(
        self, order_id: str, change: StateChange, now: datetime, failure: Exception
    ) -> OrderView:
        """The write failed, or answered with an error after applying some or all of it:
        read the truth. Our write, whole or in part, is finished; no trace of it means the
        failure is reported, unless someone else changed the order meanwhile (told as the
        late request would have been told)."""
        stored = self.repository.load(order_id)
        if stored is not None and holds_write_of(stored, change, now=now):
            return self._finish_write_found(stored, change, now)
        if stored is None:
            raise NotFound(f"no order has id {order_id}")
        transition(stored, change, now=now)
        if stored.entered_state_at >= format_instant(now):
            raise ConflictError(f"order {order_id} was changed concurrently; read it and retry")
        raise failure

    def _finish_write_found(self, stored: Order, change: StateChange, now: datetime) -> OrderView:
        """`stored` holds this request's write: complete it if it landed in part (on the
        condition that it is still that write), then publish it like any other."""
        updated = completed_write(stored, change, now=now)
        if stored != updated:
            self.repository.save_transition(stored, updated)
        before = before_last_change(updated)
        self._publish_or_undo(updated, undo=lambda: self._revert_to(before, updated))
        return updated.as_dict()

    def _revert_to(self, before: Order | None, updated: Order) -> None:
        if before is None:
            raise StaleOrder(None)  # its history does not say what it was: repair sends it
        self.repository.revert_transition(before, updated)

    def _transition_after_read(
        self, order_id: str, change: StateChange, now: datetime
    ) -> OrderView:
        current = self.repository.load(order_id)
        if current is None:
            raise NotFound(f"no order has id {order_id}")
        return self._transition_from(current, change, now)

    def _transition_from(self, current: Order, change: StateChange, now: datetime) -> OrderView:
        """The transition of `current` as read: announce the state being left if its message
        may be missing, then one write conditioned on the state and version read."""
        updated = transition(current, change, now=now)
        self._ensure_time_to_undo()
        if current.unpublished_since is not None:
            self._announce_before_leaving(current)
        try:
            self.repository.save_transition(current, updated)
        except StaleOrder as stale:
            # A retried write whose first attempt landed (its answer was lost) finds our
            # own write: the transition happened, so it is published like any other.
            self._finish_own_write(updated, stale.current, change)
        except Exception:
            # Failed, or answered with an error after applying some or all of it: read
            # the truth. Unchanged means nothing happened, and the failure is reported.
            stored = self.repository.load(current.id)
            if stored == current:
                raise
            self._finish_own_write(updated, stored, change)
        self._publish_or_undo(
            updated, undo=lambda: self.repository.revert_transition(current, updated)
        )
        return updated.as_dict()

    def _finish_own_write(self, updated: Order, stored: Order | None, change: StateChange) -> None:
        """After a conditional write that did not answer success: `stored` is our write,
        whole (carry on), in part (complete it) or someone else's (report what they did)."""
        if stored is None or not stored.is_same_write(updated):
            raise self._explain_lost_write(updated.id, stored, change)
        if stored != updated:
            # Applied in part: complete it, on the condition that it is still that write.
            self.repository.save_transition(stored, updated)

    def _announce_before_leaving(self, current: Order) -> None:
        """The state being left may never have been published (its writer was killed after
        the write): publish it first, so that its consumers see it, and in order. A marker
        too fresh may be a write still publishing, which might yet be undone: wait for it."""
        if self._in_flight(current):
            raise ConflictError(
                f"order {current.id} is being changed by another request, or its last change "
                "is not published yet; read it again and retry shortly"
            )
        try:
            self.publisher.publish(current)
        except Exception as failure:
            raise OrderNotPublished(
                f"order {current.id} could not be published in {current.estado.value}; retry"
            ) from failure
        self._mark_published(current)

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
        shards = self.repository.state_shards
        position = (
            pages.start(shards)
            if next_token is None
            else self.page_tokens.decode(next_token, query, shards=shards)
        )
        fetched = self.repository.read_state_shards(
            pages.plan_reads(query, position), limit=limit + 1, attributes=attributes
        )
        page = pages.merge_page(query, position, fetched, limit=limit)
        token = None if page.next is None else self.page_tokens.encode(page.next, query)
        return {"items": page.items, "nextToken": token}

    def _in_flight(self, order: Order) -> bool:
        """Whether `order`'s unpublished marker may belong to a write still running."""
        cutoff = format_instant(self.clock() - timedelta(seconds=IN_FLIGHT_SECONDS))
        return order.unpublished_since is not None and order.unpublished_since > cutoff

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
                # The order stays visible without its message, still marked unpublished:
                # a retry, its next transition or `orders repair` sends it. Say so loudly.
                logger.exception(
                    "compensation failed", extra={"order_id": order.id, "estado": order.estado}
                )
            raise OrderNotPublished(
                f"order {order.id} could not be published in {order.estado.value}; retry"
            ) from failure
        self._mark_published(order)

    def _mark_published(self, order: Order) -> None:
        try:
            self.repository.mark_published(order)
        except Exception:
            # The message is sent; the marker only makes `orders repair` send it again,
            # with the same deduplication id. Not worth failing a finished write for.
            logger.warning(
                "published but still marked unpublished",
                extra={"order_id": order.id, "estado": order.estado, "version": order.version},
                exc_info=True,
            )
