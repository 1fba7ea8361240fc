"""The reference consumer (consumers/reference.py) on batches shaped as Lambda delivers
them from a FIFO queue: order within a group, a failure that stops the rest of its group
only (Powertools' SqsFifoPartialProcessor with skip_group_on_error:
docs.aws.amazon.com/powertools/python/latest/utilities/batch/), an invalid message
refused, and a redelivered message not processed twice."""

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from api.emulator.lambda_context import LambdaContext
from consumers.processed import InMemoryProcessed
from consumers.reference import ReferenceConsumer, processed_key
from resolvers.domain.messages import OrderEnteredState
from resolvers.domain.order import NewOrder, Order

NOW = datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)


def _body(order_id: str) -> dict[str, Any]:
    new = NewOrder(descripcion=f"orden {order_id}", fecha_entrega=date(2099, 12, 31))
    return OrderEnteredState.of(Order.register(new, order_id=order_id, now=NOW)).body()


def _record(order_id: str, group: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One record as Lambda's FIFO event shows it (docs.aws.amazon.com/lambda/latest/dg/
    with-sqs.html)."""
    return {
        "messageId": f"m-{order_id}",
        "receiptHandle": f"r-{order_id}",
        "body": json.dumps(_body(order_id) if body is None else body),
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1",
            "SequenceNumber": "1",
            "MessageGroupId": group,
            "SenderId": "local",
            "MessageDeduplicationId": f"{order_id}:recibida:1",
            "ApproximateFirstReceiveTimestamp": "1",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:orders-local-recibida.fifo",
        "awsRegion": "us-east-1",
    }


class Recorder:
    def __init__(self, failing: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.failing = failing
        self.seen: list[str] = []

    def __call__(self, envelope: dict[str, Any]) -> None:
        order_id = envelope["order"]["id"]
        if order_id in self.failing:
            raise RuntimeError(f"cannot process {order_id}")
        self.seen.append(order_id)


def _failed(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


BATCH = [("a1", "g-a"), ("b1", "g-b"), ("a2", "g-a"), ("b2", "g-b"), ("a3", "g-a")]


def test_a_batch_is_processed_in_order() -> None:
    action = Recorder()
    consumer = ReferenceConsumer(action, InMemoryProcessed())
    response = consumer.handle({"Records": [_record(*r) for r in BATCH]}, LambdaContext())
    assert _failed(response) == []
    assert action.seen == ["a1", "b1", "a2", "b2", "a3"]


def test_a_failure_stops_the_rest_of_its_group_only() -> None:
    # given an action that fails on a2
    action = Recorder(failing={"a2"})
    consumer = ReferenceConsumer(action, InMemoryProcessed())
    # when
    response = consumer.handle({"Records": [_record(*r) for r in BATCH]}, LambdaContext())
    # then a2 and a3 (after it in group g-a) come back; group g-b went on
    assert _failed(response) == ["m-a2", "m-a3"]
    assert action.seen == ["a1", "b1", "b2"]


def test_a_redelivered_message_is_not_processed_twice() -> None:
    # given a batch of which a2 failed once
    store = InMemoryProcessed()
    consumer = ReferenceConsumer(Recorder(failing={"a2"}), store)
    consumer.handle({"Records": [_record(*r) for r in BATCH]}, LambdaContext())
    # when the failed ones come back with one processed before (at-least-once delivery)
    action = Recorder()
    consumer = ReferenceConsumer(action, store)
    again = [_record("a1", "g-a"), _record("a2", "g-a"), _record("a3", "g-a")]
    response = consumer.handle({"Records": again}, LambdaContext())
    # then only those not processed yet reach the action
    assert _failed(response) == []
    assert action.seen == ["a2", "a3"]
    assert store.keys == [processed_key(_body(i)) for i in ("a1", "b1", "b2", "a2", "a3")]
    assert store.keys[0] == "a1:recibida:1"


def test_a_message_that_breaks_the_contract_fails_without_reaching_the_action() -> None:
    action = Recorder()
    consumer = ReferenceConsumer(action, InMemoryProcessed())
    broken = {**_body("a1"), "schemaVersion": 2}
    records = [_record("a1", "g-a", broken), _record("b1", "g-b")]
    response = consumer.handle({"Records": records}, LambdaContext())
    assert _failed(response) == ["m-a1"]
    assert action.seen == ["b1"]


@pytest.mark.parametrize("missing", ["estado", "order", "por"])
def test_an_envelope_without_a_field_is_refused(missing: str) -> None:
    action = Recorder()
    consumer = ReferenceConsumer(action, InMemoryProcessed())
    body = {k: v for k, v in _body("a1").items() if k != missing}
    # when every record of a batch fails, Powertools raises, so the whole batch is retried
    with pytest.raises(BatchProcessingError, match="All records failed"):
        consumer.handle({"Records": [_record("a1", "g-a", body)]}, LambdaContext())
    assert action.seen == []
