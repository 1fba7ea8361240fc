"""SQS FIFO publisher: one queue per state; in it one message group per state, or G groups
(`queueGroups`, resolvers.domain.partitions.message_group)."""

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from resolvers.domain.order import Order
from resolvers.domain.partitions import message_group
from resolvers.domain.states import Estado

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_sqs import SQSClient


def deduplication_id(order: Order) -> str:
    """Unique per state an order enters, so a retried publish is delivered once."""
    return f"{order.id}:{order.estado.value}:{order.version}"


class StateQueues:
    def __init__(
        self, client: "SQSClient", queue_urls: Mapping[Estado, str], *, groups: int
    ) -> None:
        self._client = client
        self._queue_urls = dict(queue_urls)
        self._groups = groups

    def publish(self, order: Order) -> None:
        self._client.send_message(
            QueueUrl=self._queue_urls[order.estado],
            MessageBody=json.dumps(order.as_dict(), ensure_ascii=False, separators=(",", ":")),
            # Consumers see each group's orders in arrival order: the whole state's with
            # one group, a stable share of them with G.
            MessageGroupId=message_group(order.estado, order.id, self._groups),
            MessageDeduplicationId=deduplication_id(order),
        )
