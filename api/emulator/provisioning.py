"""Create what the CDK stack creates, if missing: the orders table with its state index, the
idempotency table and the eight FIFO queues. Names, keys and attributes come from
resolvers.contract.resources, so the emulator cannot drift from the Lambda or the stack."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from resolvers.contract import resources
from resolvers.contract.resources import ResourceNames
from resolvers.domain.states import Estado

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class Provisioned:
    names: ResourceNames
    queue_urls: dict[Estado, str]
    dead_letter_queue_urls: dict[Estado, str]


def provision(dynamodb: "DynamoDBClient", sqs: "SQSClient", names: ResourceNames) -> Provisioned:
    """Create what is missing; leave what exists (a restart keeps its data)."""
    for definition in (
        resources.orders_table_definition(names.orders_table),
        resources.idempotency_table_definition(names.idempotency_table),
    ):
        if not _table_exists(dynamodb, definition["TableName"]):
            dynamodb.create_table(**definition)
            _wait_active(dynamodb, definition["TableName"])
    dynamodb.update_time_to_live(
        TableName=names.idempotency_table,
        TimeToLiveSpecification={
            "Enabled": True,
            "AttributeName": resources.IDEMPOTENCY_TTL_ATTRIBUTE,
        },
    )
    queue_urls: dict[Estado, str] = {}
    dead_letter_queue_urls: dict[Estado, str] = {}
    for estado in Estado:
        dead_letter_queue_urls[estado] = _queue(
            sqs, names.dead_letter_queue(estado), resources.DLQ_ATTRIBUTES
        )
        dead_letter_arn = _queue_arn(sqs, dead_letter_queue_urls[estado])
        redrive = {
            "deadLetterTargetArn": dead_letter_arn,
            "maxReceiveCount": str(resources.DLQ_MAX_RECEIVE_COUNT),
        }
        queue_urls[estado] = _queue(
            sqs,
            names.queue(estado),
            {**resources.FIFO_QUEUE_ATTRIBUTES, "RedrivePolicy": json.dumps(redrive)},
        )
    return Provisioned(names, queue_urls, dead_letter_queue_urls)


def _table_exists(dynamodb: "DynamoDBClient", name: str) -> bool:
    try:
        dynamodb.describe_table(TableName=name)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise
    return True


def _wait_active(dynamodb: "DynamoDBClient", name: str) -> None:
    # moto is active at once; DynamoDB Local and LocalStack may take a moment.
    dynamodb.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )


def _queue(client: "SQSClient", name: str, attributes: dict[str, str]) -> str:
    try:
        return client.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if "NonExistentQueue" not in error.response["Error"]["Code"]:
            raise
    return client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]


def _queue_arn(sqs: "SQSClient", url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]
