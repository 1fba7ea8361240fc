"""The emulator's own AWS (its moto endpoint), read from the test side: counts of what the
tables and queues hold, and the state queues drained in delivery order."""

from dataclasses import dataclass
from typing import Any, Literal

import boto3

from resolvers.definitions.resources import LOCAL_STAGE, ResourceNames
from resolvers.domain.states import Estado
from tests.e2e.conftest import Emulator
from tests.message_contract import check_message


@dataclass
class Store:
    dynamodb: Any
    sqs: Any
    names: ResourceNames
    queue_urls: dict[Estado, str]

    @classmethod
    def of(cls, emulator: Emulator) -> "Store":
        def client(service: Literal["dynamodb", "sqs"]) -> Any:
            return boto3.client(
                service,
                endpoint_url=f"http://{emulator.host}:{emulator.aws_port}",
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )

        names = ResourceNames(LOCAL_STAGE)
        sqs = client("sqs")
        urls = {e: sqs.get_queue_url(QueueName=names.queue(e))["QueueUrl"] for e in Estado}
        return cls(client("dynamodb"), sqs, names, urls)

    def counts(self) -> dict[str, int]:
        """Orders, idempotency records and messages per state queue (visible or not)."""
        counts = {
            table: self.dynamodb.scan(TableName=table, Select="COUNT")["Count"]
            for table in (self.names.orders_table, self.names.idempotency_table)
        }
        for estado, url in self.queue_urls.items():
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            counts[estado.value] = sum(int(v) for v in attributes.values())
        return counts

    def drain(self, estado: Estado) -> list[dict[str, Any]]:
        """Every message of `estado`'s queue, in FIFO delivery order, deleted as read."""
        url, received = self.queue_urls[estado], list[dict[str, Any]]()
        while batch := self.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", []):
            received.extend(check_message(m) for m in batch)
            self.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                ],
            )
        return received
