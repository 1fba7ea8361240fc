"""An invocation killed (SIGKILL) between its write and its publish, against a moto server
shared by processes: at worst an order whose message is missing, which a retry with the
same clientToken, the order's next transition, or `orders repair` sends, once."""

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from harness.serve_process import PROJECT_ROOT
from resolvers.definitions import scale
from resolvers.domain.partitions import message_group
from resolvers.domain.states import Estado
from tests.integration.conftest import SHARED_STAGE as STAGE
from tests.integration.conftest import SharedAws
from tests.integration.killed_invocation import STOPPED
from tests.soak import figures

SECTION = "Killed invocations (SIGKILL) and orders repair"

TOKEN_INPUT = {"descripcion": "Cambiar filtro", "fecha_entrega": "2099-05-05", "clientToken": "k"}
WAIT_SECONDS = 60


def create(aws: SharedAws, token: str) -> str:
    order_id: str = aws.invoke("create_order", {"input": {**TOKEN_INPUT, "clientToken": token}})[
        "id"
    ]
    return order_id


def killed_at(aws: SharedAws, step: str, operation: str, arguments: dict[str, Any]) -> None:
    """Run one invocation in a child process and SIGKILL it when it reaches `step`."""
    child = subprocess.Popen(  # noqa: S603  # our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "tests.integration.killed_invocation",
            step,
            operation,
            json.dumps(arguments),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **aws.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == STOPPED, f"{line}\n{child.stderr.read() if child.stderr else ''}"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=WAIT_SECONDS)
    assert child.returncode == -signal.SIGKILL
    figures.count(SECTION, f"invocations killed {step}")


def let_the_invocation_time_out(aws: SharedAws) -> None:
    """What the passing of the killed invocation's timeout does to its in-progress token
    record (Powertools stores the deadline; the test does not wait 30 s for it)."""
    dynamodb = aws.client("dynamodb")
    expired = str(int(time.time() * 1000) - 1)
    for item in dynamodb.scan(TableName=aws.names.idempotency_table)["Items"]:
        dynamodb.update_item(
            TableName=aws.names.idempotency_table,
            Key={"id": item["id"]},
            UpdateExpression="SET in_progress_expiration = :expired",
            ExpressionAttributeValues={":expired": {"N": expired}},
        )


def repair(aws: SharedAws) -> list[dict[str, Any]]:
    # --older-than 0: the killed write is seconds old; the default waits out the 30 s in
    # which a write may still be running
    output = aws.orders_cli("repair", "--stage", STAGE, "--older-than", "0").stdout
    # one JSON line per message republished, then how many in words
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_a_creation_killed_after_its_write_converges_on_retry(shared_aws: SharedAws) -> None:
    # given: the invocation dies between the write and the publish
    killed_at(shared_aws, "after-write", "create_order", {"input": TOKEN_INPUT})
    (order_id,) = shared_aws.orders()
    assert shared_aws.messages(Estado.recibida) == []
    # when: the client retries with its clientToken once the invocation has timed out
    let_the_invocation_time_out(shared_aws)
    created = shared_aws.invoke("create_order", {"input": TOKEN_INPUT})
    again = shared_aws.invoke("create_order", {"input": TOKEN_INPUT})
    # then: the same single order, with its one message, and nothing left to repair
    assert created["id"] == again["id"] == order_id
    assert list(shared_aws.orders()) == [order_id]
    assert shared_aws.dedup_ids(Estado.recibida) == [f"{order_id}:recibida:1"]
    assert repair(shared_aws) == []


@pytest.mark.parametrize(
    "shared_aws",
    # (stateShards, queueGroups): repair reads N from the table's tag, one Query per shard
    # of the sparse index, and republishes into the message group the handler would
    [(1, 1), (4, 4)],
    indirect=True,
    ids=["N1-G1", "N4-G4"],
)
@pytest.mark.parametrize("step", ["after-write", "after-publish"])
def test_repair_republishes_exactly_what_killed_invocations_left_unsent(
    shared_aws: SharedAws, step: str
) -> None:
    # given: one order published normally, one creation and one transition killed at `step`
    published = shared_aws.invoke("create_order", {"input": {**TOKEN_INPUT, "clientToken": "ok"}})[
        "id"
    ]
    moved = shared_aws.invoke("create_order", {"input": {**TOKEN_INPUT, "clientToken": "mv"}})["id"]
    shared_aws.messages(Estado.recibida)
    killed_at(shared_aws, step, "create_order", {"input": {**TOKEN_INPUT, "clientToken": "x"}})
    killed_at(shared_aws, step, "update_order_state", {"id": moved, "estado": "enproceso"})
    lost = next(i for i in shared_aws.orders() if i not in (published, moved))
    # when
    repaired = repair(shared_aws)
    figures.count(SECTION, "messages republished by orders repair", len(repaired))
    # then: exactly the two killed writes are republished in the state they reached
    assert sorted((r["republished"], r["estado"], r["version"]) for r in repaired) == sorted(
        [(lost, "recibida", 1), (moved, "enproceso", 2)]
    )
    # and each state holds one message per order that entered it, counting one sent
    # before the kill: the second send carries the same deduplication id and is dropped
    # (SQS drops it for 5 minutes even once consumed; moto only while it is queued)
    groups = int(shared_aws.env[scale.ENV_QUEUE_GROUPS])
    (recibida,) = shared_aws.messages(Estado.recibida)
    (enproceso,) = shared_aws.messages(Estado.enproceso)
    assert recibida["Attributes"]["MessageDeduplicationId"] == f"{lost}:recibida:1"
    assert enproceso["Attributes"]["MessageDeduplicationId"] == f"{moved}:enproceso:2"
    # in the message group its order's other messages are in
    assert recibida["Attributes"]["MessageGroupId"] == message_group(Estado.recibida, lost, groups)
    assert enproceso["Attributes"]["MessageGroupId"] == message_group(
        Estado.enproceso, moved, groups
    )
    # and a second run finds nothing
    assert repair(shared_aws) == []


def test_a_transition_out_of_a_state_left_unsent_sends_it_first(shared_aws: SharedAws) -> None:
    # given: a creation killed after its write, long enough ago
    killed_at(shared_aws, "after-write", "create_order", {"input": TOKEN_INPUT})
    (order_id,) = shared_aws.orders()
    dynamodb = shared_aws.client("dynamodb")
    dynamodb.update_item(
        TableName=shared_aws.names.orders_table,
        Key={"id": {"S": order_id}},
        UpdateExpression="SET unpublished_since = :long_ago",
        ExpressionAttributeValues={":long_ago": {"S": "2000-01-01T00:00:00.000000Z"}},
    )
    # when the order moves on
    moved = shared_aws.invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    # then both states have their message and nothing is left to repair
    assert moved["version"] == 2
    assert shared_aws.dedup_ids(Estado.recibida) == [f"{order_id}:recibida:1"]
    assert shared_aws.dedup_ids(Estado.enproceso) == [f"{order_id}:enproceso:2"]
    assert repair(shared_aws) == []
