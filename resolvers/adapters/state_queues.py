"""SQS FIFO publisher: one queue per state; in it one message group per state, or G groups
(`queueGroups`, resolvers.domain.partitions.message_group). Each message is the versioned
envelope of resolvers.domain.messages, with its routing attributes."""

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from resolvers.domain.messages import OrderEnteredState
from resolvers.domain.order import Order
from resolvers.domain.partitions import message_group
from resolvers.domain.states import Estado

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef


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
        message = OrderEnteredState.of(order)
        self._client.send_message(
            QueueUrl=self._queue_urls[order.estado],
            MessageBody=json.dumps(message.body(), ensure_ascii=False, separators=(",", ":")),
            MessageAttributes=sqs_attributes(message.attributes()),
            # Consumers see each group's orders in arrival order: the whole state's with
            # one group, a stable share of them with G.
            MessageGroupId=message_group(order.estado, order.id, self._groups),
            MessageDeduplicationId=deduplication_id(order),
        )


def sqs_attributes(
    attributes: Mapping[str, int | str],
) -> dict[str, "MessageAttributeValueTypeDef"]:
    """Message attributes as SQS takes them: numbers as `Number`, the rest as `String`."""
    return {
        name: {
            "DataType": "Number" if isinstance(value, int) else "String",
            "StringValue": str(value),
        }
        for name, value in attributes.items()
    }
