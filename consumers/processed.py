"""Where a consumer remembers what it has processed, keyed `id:estado:version`: SQS
deduplicates for five minutes only and delivers at least once, so a redelivered or
redriven message is recognised here. In memory for tests and `orders consume`, a DynamoDB
table in the cloud."""

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Longer than a message can live: 14 days in its queue, then 14 in its dead-letter queue.
REMEMBER_SECONDS = 28 * 24 * 3600
KEY_ATTRIBUTE = "id"
EXPIRES_ATTRIBUTE = "expires"


class ProcessedStore(Protocol):
    def seen(self, key: str) -> bool:
        """True when the message `key` was processed already."""
        ...

    def remember(self, key: str) -> None:
        """Record `key` as processed (after its action succeeded)."""


class InMemoryProcessed:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def seen(self, key: str) -> bool:
        return key in self.keys

    def remember(self, key: str) -> None:
        if key not in self.keys:
            self.keys.append(key)


class DynamoDBProcessed:
    """One item per processed message, expired by the table's TTL on `expires`."""

    def __init__(self, client: "DynamoDBClient", table: str, *, now: "Clock") -> None:
        self._client = client
        self._table = table
        self._now = now

    def seen(self, key: str) -> bool:
        item = self._client.get_item(
            TableName=self._table, Key={KEY_ATTRIBUTE: {"S": key}}, ConsistentRead=True
        )
        return "Item" in item

    def remember(self, key: str) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                KEY_ATTRIBUTE: {"S": key},
                EXPIRES_ATTRIBUTE: {"N": str(int(self._now()) + REMEMBER_SECONDS)},
            },
        )


class Clock(Protocol):
    def __call__(self) -> float:
        """Epoch seconds."""
        ...
