"""Create what the CDK stack creates, if missing: the orders table with its state index, the
idempotency table and the eight FIFO queues. Names, keys and attributes come from
resolvers.resources, so the emulator cannot drift from the Lambda or the stack."""

import json
from dataclasses import dataclass
from typing import Final, Literal

from botocore.exceptions import ClientError

from api.emulator.local_aws import LocalAws
from resolvers import resources
from resolvers.domain.states import Estado
from resolvers.resources import ResourceNames

# Every key attribute in the design is a string (uuid id, state, fixed-width timestamp).
_STRING: Final[Literal["S"]] = "S"


@dataclass(frozen=True)
class Provisioned:
    names: ResourceNames
    queue_urls: dict[Estado, str]
    dead_letter_queue_urls: dict[Estado, str]


def provision(aws: LocalAws, names: ResourceNames) -> Provisioned:
    _orders_table(aws, names.orders_table)
    _idempotency_table(aws, names.idempotency_table)
    queue_urls: dict[Estado, str] = {}
    dead_letter_queue_urls: dict[Estado, str] = {}
    for estado in Estado:
        dead_letter_queue_urls[estado] = _queue(
            aws, names.dead_letter_queue(estado), resources.DLQ_ATTRIBUTES
        )
        dead_letter_arn = _queue_arn(aws, dead_letter_queue_urls[estado])
        redrive = {
            "deadLetterTargetArn": dead_letter_arn,
            "maxReceiveCount": str(resources.DLQ_MAX_RECEIVE_COUNT),
        }
        queue_urls[estado] = _queue(
            aws,
            names.queue(estado),
            {**resources.FIFO_QUEUE_ATTRIBUTES, "RedrivePolicy": json.dumps(redrive)},
        )
    return Provisioned(names, queue_urls, dead_letter_queue_urls)


def _table_exists(aws: LocalAws, name: str) -> bool:
    try:
        aws.dynamodb().describe_table(TableName=name)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise
    return True


def _orders_table(aws: LocalAws, name: str) -> None:
    if _table_exists(aws, name):
        return
    client = aws.dynamodb()
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": resources.ORDERS_PARTITION_KEY, "AttributeType": _STRING},
            {"AttributeName": resources.STATE_INDEX_PARTITION_KEY, "AttributeType": _STRING},
            {"AttributeName": resources.STATE_INDEX_SORT_KEY, "AttributeType": _STRING},
        ],
        KeySchema=[{"AttributeName": resources.ORDERS_PARTITION_KEY, "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": resources.STATE_INDEX_NAME,
                "KeySchema": [
                    {"AttributeName": resources.STATE_INDEX_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": resources.STATE_INDEX_SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    _wait_active(aws, name)


def _idempotency_table(aws: LocalAws, name: str) -> None:
    if _table_exists(aws, name):
        return
    client = aws.dynamodb()
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": resources.IDEMPOTENCY_PARTITION_KEY, "AttributeType": _STRING}
        ],
        KeySchema=[{"AttributeName": resources.IDEMPOTENCY_PARTITION_KEY, "KeyType": "HASH"}],
    )
    _wait_active(aws, name)
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={
            "Enabled": True,
            "AttributeName": resources.IDEMPOTENCY_TTL_ATTRIBUTE,
        },
    )


def _wait_active(aws: LocalAws, name: str) -> None:
    # moto is active at once; DynamoDB Local and LocalStack may take a moment.
    aws.dynamodb().get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )


def _queue(aws: LocalAws, name: str, attributes: dict[str, str]) -> str:
    client = aws.sqs()
    try:
        return client.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if "NonExistentQueue" not in error.response["Error"]["Code"]:
            raise
    return client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]


def _queue_arn(aws: LocalAws, url: str) -> str:
    attributes = aws.sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]
