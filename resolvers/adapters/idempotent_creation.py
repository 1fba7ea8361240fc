"""createOrder's clientToken through Powertools idempotency (its own DynamoDB table).

The key is the clientToken alone; the validated input is hashed for payload validation, so
a token reused with a different input is a ConflictError instead of the first order.
Imported on the first clientToken only (resolvers.adapters.idempotency)."""

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers.adapters.idempotency import (
    KEY_PREFIX,
    RECORD_TTL_SECONDS,
    SAME_INPUT_FIELDS,
    input_of,
)
from resolvers.contract import resources
from resolvers.domain.errors import ConflictError
from resolvers.domain.order import NewOrder
from resolvers.service.ports import OrderView

# A call that finds the token's first call still running waits for its result: a createOrder
# takes milliseconds, so concurrent retries of one request all get the order. Doubling
# waits, 3.15 s in all, well inside the time a write keeps in reserve (aws_clients.py).
IN_PROGRESS_WAITS_SECONDS = tuple(0.05 * 2**attempt for attempt in range(6))

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_dynamodb import DynamoDBClient


class IdempotentCreation:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._config = IdempotencyConfig(
            event_key_jmespath="clientToken",
            payload_validation_jmespath=f"[{', '.join(SAME_INPUT_FIELDS)}]",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=RECORD_TTL_SECONDS,
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=table_name,
            key_attr=resources.IDEMPOTENCY_PARTITION_KEY,
            expiry_attr=resources.IDEMPOTENCY_TTL_ATTRIBUTE,
            boto3_client=client,
        )
        self._once = idempotent_function(
            self._create,
            data_keyword_argument="request",
            persistence_store=persistence,
            config=self._config,
            key_prefix=KEY_PREFIX,
        )

    def register_lambda_context(self, context: LambdaContext) -> None:
        """Lets an in-progress record expire with the invocation: a retry after a timeout
        is then run again instead of being refused until the record's TTL."""
        self._config.register_lambda_context(context)

    @staticmethod
    def _create(*, request: dict[str, Any], create: Callable[[], OrderView]) -> OrderView:
        return create()

    def run(self, new: NewOrder, create: Callable[[], OrderView]) -> OrderView:
        request = {"clientToken": new.client_token, **input_of(new)}
        for wait in (*IN_PROGRESS_WAITS_SECONDS, None):
            try:
                result: OrderView = self._once(request=request, create=create)
            except IdempotencyValidationError:
                raise ConflictError(
                    "clientToken was already used with a different input; use a new clientToken"
                ) from None
            except IdempotencyAlreadyInProgressError:
                if wait is None:
                    break
                # The first call's result (or its failure, which frees the token) is near.
                time.sleep(wait)
            else:
                return result
        raise ConflictError("a createOrder with this clientToken is still running; retry shortly")
