"""Re-send the messages that a killed invocation left unsent (`orders repair`).

An invocation killed between its write and its publish leaves the order in a state whose
message was never sent, still marked unpublished. Repair finds those through the sparse
unpublished index (a Query per shard of each state, never a Scan), re-reads each order
consistently and publishes its current state with the usual deduplication id
(id:estado:version), so a message that did go out after all is not delivered twice (within
SQS's five minutes; consumers deduplicate on the same id beyond)."""

from dataclasses import dataclass
from datetime import timedelta

from resolvers.domain.calendar import Clock, format_instant
from resolvers.domain.order import Order
from resolvers.domain.states import Estado
from resolvers.service.orders import IN_FLIGHT_SECONDS
from resolvers.service.ports import OrderRepository, StatePublisher


@dataclass
class PublicationRepair:
    repository: OrderRepository
    publisher: StatePublisher
    clock: Clock

    def run(self, *, older_than_seconds: float = IN_FLIGHT_SECONDS) -> list[Order]:
        """Publish every order marked unpublished for at least `older_than_seconds`; the
        default leaves alone the writes that may still be publishing (or be undone)."""
        cutoff = format_instant(self.clock() - timedelta(seconds=older_than_seconds))
        repaired: list[Order] = []
        for estado in Estado:
            for order_id in self.repository.unpublished(estado, until=cutoff):
                order = self.repository.load(order_id)
                # The index lags the table: skip what was published, moved on or undone.
                if order is None or order.unpublished_since is None:
                    continue
                if order.unpublished_since > cutoff:
                    continue
                self.publisher.publish(order)
                self.repository.mark_published(order)
                repaired.append(order)
        return repaired
