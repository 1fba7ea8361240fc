"""A consumer for `orders consume --handler tests.e2e.consumer_handlers:handler` in the e2e
tests: the reference consumer (consumers/reference.py) with an action that fails chosen
orders, and a log of every record it is handed, one JSON line each, in the file
ORDERS_TEST_CONSUMER_LOG. ORDERS_TEST_CONSUMER_FAIL lists order ids whose action fails,
ORDERS_TEST_CONSUMER_FAIL_TIMES how many times each (then it succeeds)."""

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from consumers.processed import InMemoryProcessed
from consumers.reference import ReferenceConsumer
from tests.message_contract import check_body

LOG = Path(os.environ["ORDERS_TEST_CONSUMER_LOG"])
FAIL = set(filter(None, os.environ.get("ORDERS_TEST_CONSUMER_FAIL", "").split(",")))
FAIL_TIMES = int(os.environ.get("ORDERS_TEST_CONSUMER_FAIL_TIMES", "1"))
failures: Counter[str] = Counter()


def _write(line: dict[str, Any]) -> None:
    with LOG.open("a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")


def _act(envelope: dict[str, Any]) -> None:
    order_id = envelope["order"]["id"]
    if order_id in FAIL and failures[order_id] < FAIL_TIMES:
        failures[order_id] += 1
        _write({"failed": order_id})
        raise RuntimeError(f"action failed on {order_id}")
    _write({"processed": order_id})


consumer = ReferenceConsumer(_act, InMemoryProcessed())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    for record in event["Records"]:
        body = check_body(json.loads(record["body"]))
        _write(
            {
                "record": body["order"]["id"],
                "group": record["attributes"]["MessageGroupId"],
                "receiveCount": int(record["attributes"]["ApproximateReceiveCount"]),
                "estado": record["messageAttributes"]["estado"]["stringValue"],
                "eventSource": record["eventSource"],
            }
        )
    return consumer.handle(event, context)
