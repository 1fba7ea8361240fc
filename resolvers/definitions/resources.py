"""Resource names, key schemas and queue attributes: defined here once and used by the
Lambda, the local emulator (which provisions them in moto) and the CDK stack."""

from dataclasses import dataclass
from typing import Any

from resolvers.definitions.scale import STATE_SHARDS_TAG
from resolvers.domain.order import UNPUBLISHED_SINCE
from resolvers.domain.states import Estado

SERVICE = "orders"
LOCAL_STAGE = "local"

# Orders table: one item per order, keyed by id.
ORDERS_PARTITION_KEY = "id"
# The attributes a conditional write checks: the order's state and its version.
STATE_ATTRIBUTE = "estado"
VERSION_ATTRIBUTE = "version"
# Written in the same conditional write as `estado`: `estado#k`, k the order's shard of the
# state index (resolvers.domain.partitions; `estado#0` when the index has one shard).
STATE_SHARD_ATTRIBUTE = "estado_shard"
# Global secondary index serving `ordersByState` as one Query per shard in arrival order.
STATE_INDEX_NAME = "by-estado"
STATE_INDEX_PARTITION_KEY = STATE_SHARD_ATTRIBUTE
STATE_INDEX_SORT_KEY = "fecha_registro"
# What DynamoDB needs to resume a Query on the index (its ExclusiveStartKey): the table's
# key and the index's. A nextToken carries the id and fecha_registro of each shard's last
# item; the shard's key follows from its position.
PAGE_KEY_ATTRIBUTES = (ORDERS_PARTITION_KEY, STATE_INDEX_PARTITION_KEY, STATE_INDEX_SORT_KEY)

# Sparse index of the orders whose current state's message may not be sent yet: the write
# that enters a state sets UNPUBLISHED_SINCE, the publish clears it, and only items that
# carry it are in the index. Keyed on the state's shard like the state index, so these
# writes spread the same way; `orders repair` queries it per shard of each state instead
# of scanning.
UNPUBLISHED_INDEX_NAME = "unpublished"
UNPUBLISHED_INDEX_PARTITION_KEY = STATE_INDEX_PARTITION_KEY
UNPUBLISHED_INDEX_SORT_KEY = UNPUBLISHED_SINCE

# Powertools idempotency table (its default attribute names).
IDEMPOTENCY_PARTITION_KEY = "id"
IDEMPOTENCY_TTL_ATTRIBUTE = "expiration"

# FIFO queues: one per state, each with its own FIFO dead-letter queue.
DLQ_MAX_RECEIVE_COUNT = 5
# SQS's longest retention, for state queues and dead-letter queues alike: a message waits
# 14 days for its consumer, and an alarm on its age fires well before (infra/alarms.py).
QUEUE_RETENTION_SECONDS = 14 * 24 * 3600
DLQ_RETENTION_SECONDS = QUEUE_RETENTION_SECONDS
# High-throughput FIFO: deduplication and throughput are per message group.
FIFO_QUEUE_ATTRIBUTES: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "messageGroup",
    "FifoThroughputLimit": "perMessageGroupId",
    "MessageRetentionPeriod": str(QUEUE_RETENTION_SECONDS),
}
DLQ_ATTRIBUTES: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS),
}


@dataclass(frozen=True)
class ResourceNames:
    """Physical names for one stage (`dev`, `prod`, `local`)."""

    stage: str

    @property
    def api(self) -> str:
        return f"{SERVICE}-{self.stage}"

    @property
    def user_pool(self) -> str:
        return f"{SERVICE}-{self.stage}"

    @property
    def function(self) -> str:
        return f"{SERVICE}-{self.stage}-resolvers"

    @property
    def orders_table(self) -> str:
        return f"{SERVICE}-{self.stage}"

    @property
    def idempotency_table(self) -> str:
        return f"{SERVICE}-{self.stage}-idempotency"

    def queue(self, estado: Estado) -> str:
        return f"{SERVICE}-{self.stage}-{estado.value}.fifo"

    def dead_letter_queue(self, estado: Estado) -> str:
        return f"{SERVICE}-{self.stage}-{estado.value}-dlq.fifo"


# Environment variables through which the Lambda receives its resources.
ENV_ORDERS_TABLE = "ORDERS_TABLE"
ENV_IDEMPOTENCY_TABLE = "ORDERS_IDEMPOTENCY_TABLE"
ENV_CACHE_TTL = "ORDERS_CACHE_TTL"
ENV_STAGE = "ORDERS_STAGE"


def env_queue_url(estado: Estado) -> str:
    """The variable holding the URL of `estado`'s queue, e.g. ORDERS_QUEUE_URL_RECIBIDA."""
    return f"ORDERS_QUEUE_URL_{estado.value.upper()}"


# CreateTable definitions: what the emulator and the tests provision; the CDK stack builds
# the same tables from the constants above.
def orders_table_definition(name: str, *, state_shards: int) -> dict[str, Any]:
    """The orders table, tagged with the shard count its items are written for."""
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": "S"}
            for attribute in (*PAGE_KEY_ATTRIBUTES, UNPUBLISHED_INDEX_SORT_KEY)
        ],
        "KeySchema": [{"AttributeName": ORDERS_PARTITION_KEY, "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": STATE_INDEX_NAME,
                "KeySchema": [
                    {"AttributeName": STATE_INDEX_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": STATE_INDEX_SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": UNPUBLISHED_INDEX_NAME,
                "KeySchema": [
                    {"AttributeName": UNPUBLISHED_INDEX_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": UNPUBLISHED_INDEX_SORT_KEY, "KeyType": "RANGE"},
                ],
                # Keys only: repair re-reads each order consistently before publishing it.
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        "Tags": [{"Key": STATE_SHARDS_TAG, "Value": str(state_shards)}],
    }


def idempotency_table_definition(name: str) -> dict[str, Any]:
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": IDEMPOTENCY_PARTITION_KEY, "AttributeType": "S"}
        ],
        "KeySchema": [{"AttributeName": IDEMPOTENCY_PARTITION_KEY, "KeyType": "HASH"}],
    }
