"""`orders consume` against a real `orders serve` with four message groups per state queue
(ORDERS_QUEUE_GROUPS=4): per-group order, partial batch failures, the dead-letter queue
after maxReceiveCount and `orders redrive`, as Lambda's SQS event source on a FIFO queue
behaves ("Using Lambda with Amazon SQS", docs.aws.amazon.com/lambda/latest/dg/with-sqs.html;
"Handling errors for an SQS event source in Lambda", services-sqs-errorhandling.html)."""

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.serve_process import PROJECT_ROOT
from resolvers.definitions import resources, scale
from resolvers.domain.partitions import message_group
from resolvers.domain.states import Estado
from tests.e2e.conftest import Emulator, running_emulator
from tests.e2e.orders_api import create

G = 4
HANDLER = "tests.e2e.consumer_handlers:handler"
# Short, so a failed message comes back within the test (the queue's own is 30 s).
VISIBILITY = "1"

pytestmark = pytest.mark.emulator_only(
    "starts its own orders serve with ORDERS_QUEUE_GROUPS=4 and reads its queues"
)


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    yield from running_emulator(tmp_path_factory, {scale.ENV_QUEUE_GROUPS: str(G)})


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


def _consume(emulator: Emulator, log: Path, **env: str) -> list[dict[str, Any]]:
    """`orders consume recibida --until-empty`; the handler's log, one dict per line."""
    done = _orders(
        emulator,
        "consume",
        "recibida",
        "--handler",
        HANDLER,
        "--until-empty",
        "--visibility-timeout",
        VISIBILITY,
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


def test_200_orders_over_4_groups_arrive_in_per_group_order(
    grouped: Emulator, tmp_path: Path
) -> None:
    # given 200 orders created one after the other
    ids = [create(grouped, f"orden {n}")["id"] for n in range(200)]
    # when a consumer runs until the queue is empty
    log = _consume(grouped, tmp_path / "log.jsonl")
    # then each group's orders were processed once each, in the order they were created
    assert _processed_by_group(log) == _created_by_group(ids)
    assert len(_created_by_group(ids)) == G
    records = [line for line in log if "record" in line]
    assert {(r["group"], r["estado"], r["eventSource"]) for r in records} == {
        (g, "recibida", "aws:sqs") for g in _created_by_group(ids)
    }
    assert {r["receiveCount"] for r in records} == {1}


def test_a_failed_message_comes_back_with_its_groups_later_ones_and_no_other_group(
    grouped: Emulator, tmp_path: Path
) -> None:
    # given orders in the four groups, and an action that fails once on one of them that
    # has later orders in its group
    ids = [create(grouped, f"reintento {n}")["id"] for n in range(24)]
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
    # given orders, and an action that always fails on the last one of a group
    ids = [create(grouped, f"veneno {n}")["id"] for n in range(8)]
    poison = ids[-1]
    # when a consumer runs until the queue is empty
    log = _consume(
        grouped,
        tmp_path / "failing.jsonl",
        ORDERS_TEST_CONSUMER_FAIL=poison,
        ORDERS_TEST_CONSUMER_FAIL_TIMES="99",
    )
    # then it was tried maxReceiveCount times and now waits in the dead-letter queue
    attempts = [line["receiveCount"] for line in log if line.get("record") == poison]
    assert attempts == list(range(1, resources.DLQ_MAX_RECEIVE_COUNT + 1))
    dead = _queue_counts(grouped)["orders-local-recibida-dlq.fifo"]
    assert dead["messages"] == 1
    # and `orders queues` shows how old the oldest message is, as CloudWatch's
    # ApproximateAgeOfOldestMessage would (an emptied queue has none)
    assert isinstance(dead["oldest_age_seconds"], int)
    assert _queue_counts(grouped)["orders-local-recibida.fifo"]["oldest_age_seconds"] is None
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
    # then it is processed and both queues are empty
    assert [line["processed"] for line in after if "processed" in line] == [poison]
    counts = _queue_counts(grouped)
    for name in ("orders-local-recibida.fifo", "orders-local-recibida-dlq.fifo"):
        assert (counts[name]["messages"], counts[name]["in_flight"]) == (0, 0), name


def _queue_counts(emulator: Emulator) -> dict[str, dict[str, Any]]:
    lines = emulator.orders_cli().stdout.splitlines()
    return {json.loads(line)["queue"]: json.loads(line) for line in lines}
