"""An invocation killed (SIGKILL) between its write and its publish, against a moto server
shared by processes: at worst an order whose message is missing, which a retry with the
same clientToken, the order's next transition, or `orders repair` sends, once."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from api.emulator.provisioning import provision
from resolvers import bootstrap, resources
from resolvers.domain.states import Estado
from resolvers.handler import lambda_handler
from resolvers.runtime_context import LocalContext
from harness.appsync_events import appsync_event
from tests.integration.killed_invocation import STOPPED
from harness.serve_process import HOST, PROJECT_ROOT, free_port

STAGE = "crash"
REGION = "eu-west-1"
TOKEN_INPUT = {"descripcion": "Cambiar filtro", "fecha_entrega": "2099-05-05", "clientToken": "k"}
WAIT_SECONDS = 60


@dataclass
class SharedAws:
    """A moto server that the test, the killed child and the CLI all reach."""

    endpoint: str
    env: dict[str, str]
    names: resources.ResourceNames
    queue_urls: dict[Estado, str]

    def client(self, service: Literal["dynamodb", "sqs"]) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def orders(self) -> dict[str, dict[str, Any]]:
        # Test-side inspection; the code under test never scans.
        items = self.client("dynamodb").scan(TableName=self.names.orders_table)["Items"]
        return {item["id"]["S"]: item for item in items}

    def messages(self, estado: Estado) -> list[dict[str, Any]]:
        """Every message in `estado`'s queue (consumed)."""
        sqs, received = self.client("sqs"), []
        while batch := sqs.receive_message(
            QueueUrl=self.queue_urls[estado], MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", []):
            received.extend(batch)
            for message in batch:
                sqs.delete_message(
                    QueueUrl=self.queue_urls[estado], ReceiptHandle=message["ReceiptHandle"]
                )
        return received

    def dedup_ids(self, estado: Estado) -> list[str]:
        return [m["Attributes"]["MessageDeduplicationId"] for m in self.messages(estado)]

    def orders_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603  # our own CLI, fixed arguments
            [sys.executable, "-m", "api.cli", *args, "--endpoint-url", self.endpoint],
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=WAIT_SECONDS,
            check=True,
        )


@pytest.fixture
def shared_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[SharedAws]:
    port = free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    endpoint = f"http://{HOST}:{port}"
    # moto's backends live in this process, shared by every server it starts: start empty
    httpx.post(f"{endpoint}/moto-api/reset", timeout=WAIT_SECONDS).raise_for_status()
    names = resources.ResourceNames(STAGE)
    base = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    try:
        aws = SharedAws(endpoint, base, names, {})
        aws.queue_urls = provision(aws.client("dynamodb"), aws.client("sqs"), names).queue_urls
        aws.env = {
            **base,
            resources.ENV_STAGE: STAGE,
            resources.ENV_CACHE_TTL: "0",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
            **{resources.env_queue_url(e): url for e, url in aws.queue_urls.items()},
        }
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        for name, value in aws.env.items():
            monkeypatch.setenv(name, value)
        bootstrap.reset()
        yield aws
    finally:
        bootstrap.reset()
        server.stop()


def invoke(operation: str, arguments: dict[str, Any]) -> Any:
    """The real handler in this process (a fresh container's wiring, reading the env)."""
    return lambda_handler(appsync_event(operation, arguments), LocalContext())


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
    return [json.loads(line) for line in output.splitlines()]


def test_a_creation_killed_after_its_write_converges_on_retry(shared_aws: SharedAws) -> None:
    # given: the invocation dies between the write and the publish
    killed_at(shared_aws, "after-write", "create_order", {"input": TOKEN_INPUT})
    (order_id,) = shared_aws.orders()
    assert shared_aws.messages(Estado.recibida) == []
    # when: the client retries with its clientToken once the invocation has timed out
    let_the_invocation_time_out(shared_aws)
    created = invoke("create_order", {"input": TOKEN_INPUT})
    again = invoke("create_order", {"input": TOKEN_INPUT})
    # then: the same single order, with its one message, and nothing left to repair
    assert created["id"] == again["id"] == order_id
    assert list(shared_aws.orders()) == [order_id]
    assert shared_aws.dedup_ids(Estado.recibida) == [f"{order_id}:recibida:1"]
    assert repair(shared_aws) == []


@pytest.mark.parametrize("step", ["after-write", "after-publish"])
def test_repair_republishes_exactly_what_killed_invocations_left_unsent(
    shared_aws: SharedAws, step: str
) -> None:
    # given: one order published normally, one creation and one transition killed at `step`
    published = invoke("create_order", {"input": {**TOKEN_INPUT, "clientToken": "ok"}})["id"]
    moved = invoke("create_order", {"input": {**TOKEN_INPUT, "clientToken": "mv"}})["id"]
    shared_aws.messages(Estado.recibida)
    killed_at(shared_aws, step, "create_order", {"input": {**TOKEN_INPUT, "clientToken": "x"}})
    killed_at(shared_aws, step, "update_order_state", {"id": moved, "estado": "enproceso"})
    lost = next(i for i in shared_aws.orders() if i not in (published, moved))
    # when
    repaired = repair(shared_aws)
    # then: exactly the two killed writes are republished in the state they reached
    assert sorted((r["republished"], r["estado"], r["version"]) for r in repaired) == sorted(
        [(lost, "recibida", 1), (moved, "enproceso", 2)]
    )
    # and each state holds one message per order that entered it, counting one sent
    # before the kill: the second send carries the same deduplication id and is dropped
    # (SQS drops it for 5 minutes even once consumed; moto only while it is queued)
    assert shared_aws.dedup_ids(Estado.recibida) == [f"{lost}:recibida:1"]
    assert shared_aws.dedup_ids(Estado.enproceso) == [f"{moved}:enproceso:2"]
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
    moved = invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    # then both states have their message and nothing is left to repair
    assert moved["version"] == 2
    assert shared_aws.dedup_ids(Estado.recibida) == [f"{order_id}:recibida:1"]
    assert shared_aws.dedup_ids(Estado.enproceso) == [f"{order_id}:enproceso:2"]
    assert repair(shared_aws) == []
