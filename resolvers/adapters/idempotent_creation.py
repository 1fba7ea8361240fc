"""createOrder's clientToken: one order and one message however often a call is retried,
through Powertools idempotency (its own DynamoDB table).

The key is the clientToken alone; the validated input is hashed for payload validation, so
a token reused with a different input is a ConflictError instead of the first order. Most
createOrder calls carry no clientToken and Powertools' import is a visible share of a cold
start (bench/report.md), so it is imported on the first call that needs it (or before a
SnapStart snapshot, resolvers/snapstart.py). This module is the one definition of "the same
input": Powertools compares it while its record lives, and `same_input` compares a stored
order with it after the record has expired."""

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from resolvers.definitions import resources
from resolvers.domain.errors import ConflictError
from resolvers.domain.order import NewOrder, Order
from resolvers.service.ports import OrderView

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from mypy_boto3_dynamodb import DynamoDBClient

# Fixed, so the record key does not depend on the Lambda's physical function name (which
# differs between stages and the local emulator).
KEY_PREFIX = "createOrder"
RECORD_TTL_SECONDS = 24 * 3600
# The createOrder input two calls with one clientToken must share.
SAME_INPUT_FIELDS = ("descripcion", "fecha_entrega")
# A call that finds the token's first call still running waits for its result: a createOrder
# takes milliseconds, so concurrent retries of one request all get the order. Doubling
# waits, 3.15 s in all, well inside the time a write keeps in reserve (aws_clients.py).
IN_PROGRESS_WAITS_SECONDS = tuple(0.05 * 2**attempt for attempt in range(6))


def input_of(new: NewOrder) -> dict[str, Any]:
    return {"descripcion": new.descripcion, "fecha_entrega": new.fecha_entrega.isoformat()}


def same_input(order: Order, new: NewOrder) -> bool:
    """True when `order` was created from the same input as `new`."""
    stored = order.as_dict()
    return all(stored[name] == value for name, value in input_of(new).items())


def import_powertools_idempotency() -> None:
    """Pay Powertools idempotency's import now (before a SnapStart snapshot)."""
    import aws_lambda_powertools.utilities.idempotency  # noqa: F401


class PowertoolsIdempotentCreation:
    """The service's idempotent creation; Powertools is set up on the first `run`."""

    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table_name = table_name
        self._context: Any = None
        self._config: IdempotencyConfig | None = None
        self._once: Callable[..., OrderView] | None = None

    def register_lambda_context(self, context: Any) -> None:
        """Lets an in-progress record expire with the invocation: a retry after a timeout
        is then run again instead of being refused until the record's TTL."""
        self._context = context
        if self._config is not None:
            self._config.register_lambda_context(context)

    @staticmethod
    def same_input(order: Order, new: NewOrder) -> bool:
        return same_input(order, new)

    def prepare(self) -> Callable[..., OrderView]:
        """Powertools idempotency, imported and configured once (also before a snapshot)."""
        if self._once is None:
            from aws_lambda_powertools.utilities.idempotency import (
                DynamoDBPersistenceLayer,
                IdempotencyConfig,
                idempotent_function,
            )

            self._config = IdempotencyConfig(
                event_key_jmespath="clientToken",
                payload_validation_jmespath=f"[{', '.join(SAME_INPUT_FIELDS)}]",
                raise_on_no_idempotency_key=True,
                expires_after_seconds=RECORD_TTL_SECONDS,
            )
            if self._context is not None:
                self._config.register_lambda_context(self._context)
            persistence = DynamoDBPersistenceLayer(
                table_name=self._table_name,
                key_attr=resources.IDEMPOTENCY_PARTITION_KEY,
                expiry_attr=resources.IDEMPOTENCY_TTL_ATTRIBUTE,
                boto3_client=self._client,
            )
            self._once = idempotent_function(
                _create,
                data_keyword_argument="request",
                persistence_store=persistence,
                config=self._config,
                key_prefix=KEY_PREFIX,
            )
        return self._once

    def run(self, new: NewOrder, create: Callable[[], OrderView]) -> OrderView:
        once = self.prepare()
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        request = {"clientToken": new.client_token, **input_of(new)}
        for wait in (*IN_PROGRESS_WAITS_SECONDS, None):
            try:
                return once(request=request, create=create)
            except IdempotencyValidationError:
                raise ConflictError(
                    "clientToken was already used with a different input; use a new clientToken"
                ) from None
            except IdempotencyAlreadyInProgressError:
                if wait is None:
                    break
                # The first call's result (or its failure, which frees the token) is near.
                time.sleep(wait)
        raise ConflictError("a createOrder with this clientToken is still running; retry shortly")


def _create(*, request: dict[str, Any], create: Callable[[], OrderView]) -> OrderView:
    return create()
