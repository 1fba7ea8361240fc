"""`orders consume` against a real `orders serve` with four message groups per state queue
(ORDERS_QUEUE_GROUPS=4): per-group order, partial batch failures, the dead-letter queue
after maxReceiveCount and `orders redrive`, as Lambda's SQS event source on a FIFO queue
behaves ("Using Lambda with Amazon SQS", docs.aws.amazon.com/lambda/latest/dg/with-sqs.html;
"Handling errors for an SQS event source in Lambda", services-sqs-errorhandling.html)."""

import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from api.emulator import queues
from api.emulator.local_aws import LocalAws
from harness.serve_process import PROJECT_ROOT
from resolvers.adapters.state_queues import StateQueues
from resolvers.definitions import resources, scale
from resolvers.domain.order import NewOrder, Order
from resolvers.domain.partitions import message_group
from resolvers.domain.states import Estado
from tests.e2e.aws_store import Store
from tests.e2e.conftest import Emulator, running_emulator
from tests.e2e.orders_api import FUTURE_DATE, create

G = 4
HANDLER = "tests.e2e.consumer_handlers:handler"
# Short, so a failed message comes back within the test (the queue's own is 30 s).
VISIBILITY = "1"
# The state queues' visibility timeout: SQS's default, which they keep.
QUEUE_VISIBILITY = "30"
# Where only how many times a message was received matters, not what waits behind it in
# flight: a failed message is visible again at once.
NO_VISIBILITY = "0"
# Per-group order needs each group to span several batches (of 10, mixing groups in queue
# order): about 10 orders a group, a few in each of four batches, catches a message handed
# out before an earlier one of its group, within a batch or across two.
ORDERED_ORDERS = 40

pytestmark = pytest.mark.emulator_only(
    "starts its own orders serve with ORDERS_QUEUE_GROUPS=4 and reads its queues"
)


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    yield from running_emulator(tmp_path_factory, {scale.ENV_QUEUE_GROUPS: str(G)})


@pytest.fixture(scope="module")
def publisher(grouped: Emulator) -> StateQueues:
    """The Lambda's own publisher (resolvers/adapters/state_queues.py) on the server's queues:
    where a test is about the consumer, its orders' messages are sent as createOrder sends
    them, without a GraphQL request and a Lambda invocation each."""
    store = Store.of(grouped)
    return StateQueues(store.sqs, store.queue_urls, groups=G)


def _publish(publisher: StateQueues, descripcion: str) -> str:
    """An order registered now, its message published as createOrder publishes it; its id."""
    new = NewOrder(descripcion, date.fromisoformat(FUTURE_DATE))
    order = Order.register(new, order_id=new.order_id(), now=datetime.now(UTC))
    publisher.publish(order)
    return order.id


def _orders(emulator: Emulator, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own CLI, fixed arguments
        [
            sys.executable,
            "-m",
            "api.cli",
            *args,
            "--endpoint-url",
            f"http://{emulator.host}:{emulator.aws_port}",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "POWERTOOLS_LOG_LEVEL": "WARNING", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _consume(
    emulator: Emulator, log: Path, visibility: str = VISIBILITY, **env: str
) -> list[dict[str, Any]]:
    """`orders consume recibida --until-empty`; the handler's log, one dict per line."""
    done = _orders(
        emulator,
        "consume",
        "recibida",
        "--handler",
        HANDLER,
        "--until-empty",
        "--visibility-timeout",
        visibility,
        ORDERS_TEST_CONSUMER_LOG=str(log),
        **env,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _group(order_id: str) -> str:
    return message_group(Estado.recibida, order_id, G)


def _processed_by_group(log: list[dict[str, Any]]) -> dict[str, list[str]]:
    by_group: dict[str, list[str]] = defaultdict(list)
    for line in log:
        if "processed" in line:
            by_group[_group(line["processed"])].append(line["processed"])
    return by_group


def _created_by_group(ids: list[str]) -> dict[str, list[str]]:
    by_group: dict[str, list[str]] = defaultdict(list)
    for order_id in ids:
        by_group[_group(order_id)].append(order_id)
    return by_group


def test_orders_over_4_groups_arrive_in_per_group_order(
    grouped: Emulator, publisher: StateQueues, tmp_path: Path
) -> None:
    # given orders published one after the other
    ids = [_publish(publisher, f"orden {n}") for n in range(ORDERED_ORDERS)]
    # when a consumer runs until the queue is empty
    log = _consume(grouped, tmp_path / "log.jsonl")
    # then each group's orders were processed once each, in the order they were published
    assert _processed_by_group(log) == _created_by_group(ids)
    assert len(_created_by_group(ids)) == G
    records = [line for line in log if "record" in line]
    assert {(r["group"], r["estado"], r["eventSource"]) for r in records} == {
        (g, "recibida", "aws:sqs") for g in _created_by_group(ids)
    }
    assert {r["receiveCount"] for r in records} == {1}


def test_a_failed_message_comes_back_with_its_groups_later_ones_and_no_other_group(
    grouped: Emulator, publisher: StateQueues, tmp_path: Path
) -> None:
    # given orders in the four groups, and an action that fails once on one of them that
    # has later orders in its group (of 12 orders over 4 groups, one group has 3 or more)
    ids = [_publish(publisher, f"reintento {n}") for n in range(12)]
    created = _created_by_group(ids)
    failing_group = next(g for g, members in created.items() if len(members) >= 3)
    failing = created[failing_group][0]
    # when a consumer runs until the queue is empty
    log = _consume(grouped, tmp_path / "log.jsonl", ORDERS_TEST_CONSUMER_FAIL=failing)
    # then it failed once and was handed out again, and then the whole group in order
    assert [line for line in log if "failed" in line] == [{"failed": failing}]
    assert _processed_by_group(log) == created
    records = [line for line in log if "record" in line]
    deliveries: dict[str, list[int]] = defaultdict(list)
    for record in records:
        deliveries[record["record"]].append(record["receiveCount"])
    assert deliveries[failing] == [1, 2]
    # its group's later orders that came in the same batch came back too, after it
    redelivered = {i for i, counts in deliveries.items() if counts != [1]}
    assert failing in redelivered
    assert {_group(i) for i in redelivered} == {failing_group}
    # and the other groups were handed out once each
    for group, members in created.items():
        if group != failing_group:
            assert all(deliveries[i] == [1] for i in members), group


def test_a_message_failed_max_receive_count_times_is_a_dead_letter_until_redriven(
    grouped: Emulator, tmp_path: Path
) -> None:
    # given orders created through the API, and an action that always fails on the last one
    # of a group
    ids = [create(grouped, f"veneno {n}")["id"] for n in range(4)]
    poison = ids[-1]
    # when a consumer runs until the queue is empty
    log = _consume(
        grouped,
        tmp_path / "failing.jsonl",
        NO_VISIBILITY,
        ORDERS_TEST_CONSUMER_FAIL=poison,
        ORDERS_TEST_CONSUMER_FAIL_TIMES="99",
    )
    # then it was tried maxReceiveCount times and now waits in the dead-letter queue
    attempts = [line["receiveCount"] for line in log if line.get("record") == poison]
    assert attempts == list(range(1, resources.DLQ_MAX_RECEIVE_COUNT + 1))
    counts = _queue_counts(grouped)
    dead = counts["orders-local-recibida-dlq.fifo"]
    assert dead["messages"] == 1
    # and `orders queues` shows how old the oldest message is, as CloudWatch's
    # ApproximateAgeOfOldestMessage would (an emptied queue has none)
    assert isinstance(dead["oldest_age_seconds"], int)
    assert counts["orders-local-recibida.fifo"]["oldest_age_seconds"] is None
    assert all(line.get("processed") != poison for line in log)
    # when it is redriven and consumed by a consumer that no longer fails
    redriven = _orders(grouped, "redrive", "recibida")
    assert redriven.returncode == 0, redriven.stderr
    (moved,) = [json.loads(line) for line in redriven.stdout.splitlines()]
    assert moved["messageGroupId"] == _group(poison)
    # with the deduplication id SQS gives a dead letter, the original message's id ("Learn
    # how to configure a dead-letter queue redrive in Amazon SQS", SQS Developer Guide), so
    # that its first send's id, still inside the 5-minute window, does not drop it
    assert moved["messageDeduplicationId"] == moved["redriven"]
    after = _consume(grouped, tmp_path / "fixed.jsonl")
    # then it is processed and both queues are empty (asked of SQS itself: `orders queues`
    # was checked above, and another run of it would cost a second of CPU)
    assert [line["processed"] for line in after if "processed" in line] == [poison]
    sqs = Store.of(grouped).sqs
    for name in ("orders-local-recibida.fifo", "orders-local-recibida-dlq.fifo"):
        attributes = sqs.get_queue_attributes(
            QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"],
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
            ],
        )["Attributes"]
        assert attributes == {
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
        }, name


def _queue_counts(emulator: Emulator) -> dict[str, dict[str, Any]]:
    lines = emulator.orders_cli().stdout.splitlines()
    return {json.loads(line)["queue"]: json.loads(line) for line in lines}


def test_looking_at_the_queues_is_no_receive_and_sends_nothing_to_the_dead_letters(
    grouped: Emulator, publisher: StateQueues, tmp_path: Path
) -> None:
    # given an order waiting in recibida's queue
    waiting = _publish(publisher, "mirada")
    aws = LocalAws.at(f"http://{grouped.host}:{grouped.aws_port}", embedded=False)
    # when `orders queues` looks more times than the queue's maxReceiveCount (its code, in
    # this process: a CLI run is a second of CPU each)
    for _ in range(resources.DLQ_MAX_RECEIVE_COUNT + 1):
        counts = _looked(aws)
    # then it told the age of the oldest message, as CloudWatch's ApproximateAgeOfOldestMessage
    assert isinstance(counts["orders-local-recibida.fifo"]["oldest_age_seconds"], int)
    # and a consumer still gets that message as its first receive, not as a dead letter
    # (the queue's own visibility timeout: a slow batch is not received a second time)
    log = _consume(grouped, tmp_path / "looked.jsonl", QUEUE_VISIBILITY)
    assert [line["receiveCount"] for line in log if line.get("record") == waiting] == [1]
    assert waiting in [line.get("processed") for line in log]
    assert _looked(aws)["orders-local-recibida-dlq.fifo"]["messages"] == 0


def _looked(aws: LocalAws) -> dict[str, dict[str, Any]]:
    out = io.StringIO()
    queues.print_counts(aws, out)
    return {line["queue"]: line for line in map(json.loads, out.getvalue().splitlines())}
