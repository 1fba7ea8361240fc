"""The reference consumer: a Powertools batch handler for a state queue's FIFO event source.

Each record's body is checked against the committed message schema, skipped when its
`id:estado:version` was processed already, and otherwise handed to the action. A failure
stops the rest of its message group in that batch (`SqsFifoPartialProcessor` with
`skip_group_on_error`): those records are reported in `batchItemFailures` and come back
after the visibility timeout in order, while the other groups of the batch go on
(docs.aws.amazon.com/powertools/python/latest/utilities/batch/, "FIFO queues")."""

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.validation import validate

from consumers.processed import DynamoDBProcessed, InMemoryProcessed, ProcessedStore

SCHEMA_FILE = "order-message.schema.json"
# The Lambda asset carries the schema beside this module; the repository at its top level.
SCHEMA_PLACES = (Path(__file__).parent / SCHEMA_FILE, Path(__file__).parents[1] / SCHEMA_FILE)
ENV_PROCESSED_TABLE = "ORDERS_PROCESSED_TABLE"

Action = Callable[[dict[str, Any]], None]
"""What the consumer does with an envelope it has not processed yet; raising fails it."""

logger = Logger(service="orders-consumer")


def message_schema() -> dict[str, Any]:
    for place in SCHEMA_PLACES:
        if place.exists():
            schema: dict[str, Any] = json.loads(place.read_text(encoding="utf-8"))
            return schema
    raise FileNotFoundError(f"{SCHEMA_FILE} is in none of {[str(p) for p in SCHEMA_PLACES]}")


def processed_key(envelope: dict[str, Any]) -> str:
    """What identifies a message across redeliveries: `id:estado:version`."""
    order = envelope["order"]
    return f"{order['id']}:{envelope['estado']}:{order['version']}"


class ReferenceConsumer:
    def __init__(
        self, action: Action, store: ProcessedStore, schema: dict[str, Any] | None = None
    ) -> None:
        self.action = action
        self.store = store
        self.schema = message_schema() if schema is None else schema

    def process(self, record: SQSRecord) -> None:
        """One record; raising makes it (and the rest of its group) fail."""
        envelope = validate(event=json.loads(record.body), schema=self.schema)
        key = processed_key(envelope)
        if self.store.seen(key):
            logger.info("already processed", extra={"key": key})
            return
        self.action(envelope)
        self.store.remember(key)

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        # A processor per batch: it keeps the batch's state.
        processor = SqsFifoPartialProcessor(skip_group_on_error=True)
        response = process_partial_response(
            event=event, record_handler=self.process, processor=processor, context=context
        )
        return dict(response)


def log_action(envelope: dict[str, Any]) -> None:
    """The default action: say what happened. A team puts its own here."""
    order = envelope["order"]
    logger.info(
        "order entered state",
        extra={"id": order["id"], "estado": envelope["estado"], "desde": envelope["desde"]},
    )


def _store() -> ProcessedStore:
    table = os.environ.get(ENV_PROCESSED_TABLE)
    if not table:
        return InMemoryProcessed()
    import boto3

    return DynamoDBProcessed(boto3.client("dynamodb"), table, now=time.time)


_consumer = ReferenceConsumer(log_action, _store())


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry (and `orders consume --handler consumers.reference:handler`)."""
    return _consumer.handle(event, context)
