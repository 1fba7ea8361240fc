"""`orders repair`: publish the orders whose current state's message a killed invocation
never sent, with the Lambda package's own adapters (resolvers.service.repair)."""

import json
from typing import TYPE_CHECKING, TextIO

from resolvers.adapters.orders_table import OrdersTable
from resolvers.adapters.state_queues import StateQueues
from resolvers.contract.resources import ResourceNames
from resolvers.domain.calendar import system_clock
from resolvers.domain.states import Estado
from resolvers.service.repair import PublicationRepair

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


def repair(
    dynamodb: "DynamoDBClient",
    sqs: "SQSClient",
    names: ResourceNames,
    *,
    older_than_seconds: float,
    out: TextIO,
) -> int:
    """Publish what is missing; one JSON line per message sent. Returns how many."""
    queue_urls = {e: sqs.get_queue_url(QueueName=names.queue(e))["QueueUrl"] for e in Estado}
    use_case = PublicationRepair(
        repository=OrdersTable(dynamodb, names.orders_table),
        publisher=StateQueues(sqs, queue_urls),
        clock=system_clock,
    )
    repaired = use_case.run(older_than_seconds=older_than_seconds)
    for order in repaired:
        line = {"republished": order.id, "estado": order.estado.value, "version": order.version}
        print(json.dumps(line), file=out)
    return len(repaired)
