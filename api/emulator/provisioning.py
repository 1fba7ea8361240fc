"""Create what the CDK stack creates, if missing: the orders table with its state index, the
idempotency table and the eight FIFO queues. Names, keys and attributes come from
resolvers.definitions.resources, so the emulator cannot drift from the Lambda or the stack.

An orders table that exists already (a persisted data directory, an external endpoint) is
served only if its items were written for the same number of state index shards: N is
fixed when the table is created, and the table records it in a tag."""

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from resolvers.definitions import resources, scale
from resolvers.definitions.resources import ResourceNames
from resolvers.domain.states import Estado

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

logger = logging.getLogger(__name__)


class TableMismatch(Exception):
    """The existing orders table was created for another shard count or key schema."""


@dataclass(frozen=True)
class Provisioned:
    names: ResourceNames
    queue_urls: dict[Estado, str]
    dead_letter_queue_urls: dict[Estado, str]
    # What the orders table's items are written for (checked against an existing table).
    state_shards: int = scale.DEFAULT_STATE_SHARDS


def provision(
    dynamodb: "DynamoDBClient",
    sqs: "SQSClient",
    names: ResourceNames,
    *,
    state_shards: int = scale.DEFAULT_STATE_SHARDS,
) -> Provisioned:
    """Create what is missing; leave what exists (a restart keeps its data). Raises
    TableMismatch when the orders table exists with another shard count."""
    for definition in (
        resources.orders_table_definition(names.orders_table, state_shards=state_shards),
        resources.idempotency_table_definition(names.idempotency_table),
    ):
        if not _table_exists(dynamodb, definition["TableName"]):
            dynamodb.create_table(**definition)
            _wait_active(dynamodb, definition["TableName"])
    _check_orders_table(dynamodb, names.orders_table, state_shards)
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
    return Provisioned(names, queue_urls, dead_letter_queue_urls, state_shards)


def _check_orders_table(dynamodb: "DynamoDBClient", name: str, state_shards: int) -> None:
    table = dynamodb.describe_table(TableName=name)["Table"]
    index_keys = {
        key["KeyType"]: key["AttributeName"]
        for index in table.get("GlobalSecondaryIndexes", [])
        if index["IndexName"] == resources.STATE_INDEX_NAME
        for key in index["KeySchema"]
    }
    if index_keys.get("HASH") != resources.STATE_INDEX_PARTITION_KEY:
        raise TableMismatch(
            f"table {name} has no state index {resources.STATE_INDEX_NAME} keyed on "
            f"{resources.STATE_INDEX_PARTITION_KEY} (it was created by an older version): "
            "start with a fresh data directory, or delete the table"
        )
    recorded = _recorded_shards(dynamodb, table["TableArn"])
    if recorded is None:
        logger.warning(
            "table %s carries no %s tag: cannot check that it was created for %d state "
            "index shard(s)",
            name,
            scale.STATE_SHARDS_TAG,
            state_shards,
        )
    elif recorded != str(state_shards):
        raise TableMismatch(
            f"table {name} was created with {recorded} state index shard(s), not "
            f"{state_shards}: the shard count is fixed when the table is created. Start "
            f"with {scale.ENV_STATE_SHARDS}={recorded}, or with a fresh data directory"
        )


def recorded_state_shards(dynamodb: "DynamoDBClient", name: str) -> int | None:
    """N as the orders table `name` records it in its tag, or None without the tag."""
    table_arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    recorded = _recorded_shards(dynamodb, table_arn)
    return None if recorded is None else scale.checked_state_shards(int(recorded))


def _recorded_shards(dynamodb: "DynamoDBClient", table_arn: str) -> str | None:
    try:
        tags = dynamodb.list_tags_of_resource(ResourceArn=table_arn).get("Tags", [])
    except ClientError:
        # Some AWS-compatible endpoints (DynamoDB Local) keep no tags.
        return None
    return next((t["Value"] for t in tags if t["Key"] == scale.STATE_SHARDS_TAG), None)


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
