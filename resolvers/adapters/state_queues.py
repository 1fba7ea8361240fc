"""SQS FIFO publisher: one queue per state, one message group per state."""

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from resolvers.domain.order import Order
from resolvers.domain.states import Estado

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_sqs import SQSClient


def deduplication_id(order: Order) -> str:
    """Unique per state an order enters, so a retried publish is delivered once."""
    return f"{order.id}:{order.estado.value}:{order.version}"


class StateQueues:
    def __init__(self, client: "SQSClient", queue_urls: Mapping[Estado, str]) -> None:
        self._client = client
        self._queue_urls = dict(queue_urls)

    def publish(self, order: Order) -> None:
        self._client.send_message(
            QueueUrl=self._queue_urls[order.estado],
            MessageBody=json.dumps(order.as_dict(), ensure_ascii=False, separators=(",", ":")),
            # One group per state: consumers of a state see its orders in arrival order.
            MessageGroupId=order.estado.value,
            MessageDeduplicationId=deduplication_id(order),
        )
