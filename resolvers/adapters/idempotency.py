"""createOrder's clientToken: one order and one message however often a call is retried.

Powertools idempotency does the bookkeeping (resolvers.adapters.idempotent_creation), but
most createOrder calls carry no clientToken and its import is a visible share of a cold
start (bench/report.md), so it is imported on the first call that needs it. This module is
the one definition of "the same input": Powertools compares it while its record lives, and
`same_input` compares a stored order with it after the record has expired."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from resolvers.domain.order import NewOrder, Order
from resolvers.service.ports import OrderView

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_dynamodb import DynamoDBClient

    from resolvers.adapters.idempotent_creation import IdempotentCreation

# Fixed, so the record key does not depend on the Lambda's physical function name (which
# differs between stages and the local emulator).
KEY_PREFIX = "createOrder"
RECORD_TTL_SECONDS = 24 * 3600
# The createOrder input two calls with one clientToken must share.
SAME_INPUT_FIELDS = ("descripcion", "fecha_entrega")


def input_of(new: NewOrder) -> dict[str, Any]:
    return {"descripcion": new.descripcion, "fecha_entrega": new.fecha_entrega.isoformat()}


def same_input(order: Order, new: NewOrder) -> bool:
    """True when `order` was created from the same input as `new`."""
    stored = order.as_dict()
    return all(stored[name] == value for name, value in input_of(new).items())


class ClientTokens:
    """The service's creation guard; Powertools is set up on the first `run`."""

    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table_name = table_name
        self._context: Any = None
        self._creation: IdempotentCreation | None = None

    def register_lambda_context(self, context: Any) -> None:
        """Lets an in-progress record expire with the invocation: a retry after a timeout
        is then run again instead of being refused until the record's TTL."""
        self._context = context
        if self._creation is not None:
            self._creation.register_lambda_context(context)

    @staticmethod
    def same_input(order: Order, new: NewOrder) -> bool:
        return same_input(order, new)

    def prepare(self) -> "IdempotentCreation":
        """Powertools idempotency, imported and configured once (also before a snapshot)."""
        if self._creation is None:
            from resolvers.adapters.idempotent_creation import IdempotentCreation

            self._creation = IdempotentCreation(self._client, self._table_name)
            if self._context is not None:
                self._creation.register_lambda_context(self._context)
        return self._creation

    def run(self, new: NewOrder, create: Callable[[], OrderView]) -> OrderView:
        return self.prepare().run(new, create)
