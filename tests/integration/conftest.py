"""Emulated AWS (moto, in-process) provisioned like the stack, and the real handler serving
an application built from the environment, exactly as Lambda would, on clients the test
can watch and break."""

import dataclasses
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.core.botocore_stubber import MockRawResponse

from api.emulator.lambda_context import LambdaContext
from api.emulator.provisioning import provision
from harness.appsync_events import appsync_event
from harness.clocks import SteppingClock
from harness.serve_process import PROJECT_ROOT
from resolvers import bootstrap
from resolvers.adapters import aws_clients
from resolvers.definitions import resources, scale
from resolvers.definitions.settings import Settings
from resolvers.domain.states import Estado
from resolvers.handler import Handler, handler_for
from tests.integration.moto_server import AtomicMotoServer
from tests.message_contract import check_message

STAGE = "test"
REGION = "eu-west-1"


@dataclass
class Aws:
    dynamodb: Any
    sqs: Any
    queue_urls: dict[Estado, str]
    names: resources.ResourceNames

    def messages(self, estado: Estado) -> list[dict[str, Any]]:
        """Consume every message in `estado`'s queue, in delivery order. Deleted as a
        consumer would: a FIFO group delivers nothing more while a message is in flight."""
        received: list[dict[str, Any]] = []
        while True:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_urls[estado],
                MaxNumberOfMessages=10,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            batch = response.get("Messages", [])
            if not batch:
                return received
            received.extend(check_message(m) for m in batch)
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_urls[estado],
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                ],
            )

    def stored_orders(self) -> list[dict[str, Any]]:
        # Test-side inspection of the whole table; the code under test never scans.
        return list(self.dynamodb.scan(TableName=self.names.orders_table)["Items"])


# The environment every test of a module shares; each test adds its own stage's variables.
_SHARED_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


@dataclass
class _ModuleAws:
    dynamodb: Any
    sqs: Any
    provisioned: "itertools.count[int]"


@pytest.fixture(scope="module")
def _module_aws() -> Iterator[_ModuleAws]:
    """One moto per test module: starting it and building clients (botocore loads its
    service models once per session) is most of a test's set-up."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        for name, value in _SHARED_ENVIRONMENT.items():
            patch.setenv(name, value)
        with mock_aws():
            yield _ModuleAws(boto3.client("dynamodb"), boto3.client("sqs"), itertools.count())


@dataclass(frozen=True)
class Scale:
    """The stage's `stateShards` (N) and `queueGroups` (G)."""

    state_shards: int = scale.DEFAULT_STATE_SHARDS
    queue_groups: int = scale.DEFAULT_QUEUE_GROUPS


SHARDED = Scale(state_shards=4, queue_groups=4)


@pytest.fixture
def scaled() -> Scale:
    """What the stack would set; a test parametrizes `scaled` to run sharded."""
    return Scale()


@pytest.fixture
def aws(_module_aws: _ModuleAws, monkeypatch: pytest.MonkeyPatch, scaled: Scale) -> Aws:
    """Tables and queues of this test's own stage: tests of a module share moto, never
    data, queues or their deduplication state."""
    names = resources.ResourceNames(f"{STAGE}{next(_module_aws.provisioned)}")
    monkeypatch.setenv(resources.ENV_STAGE, names.stage)
    # 0: reads are not cached, so they project (the cached path has its own test).
    monkeypatch.setenv(resources.ENV_CACHE_TTL, "0")
    monkeypatch.setenv(scale.ENV_STATE_SHARDS, str(scaled.state_shards))
    monkeypatch.setenv(scale.ENV_QUEUE_GROUPS, str(scaled.queue_groups))
    queue_urls = provision(
        _module_aws.dynamodb, _module_aws.sqs, names, state_shards=scaled.state_shards
    ).queue_urls
    for estado, url in queue_urls.items():
        monkeypatch.setenv(resources.env_queue_url(estado), url)
    return Aws(_module_aws.dynamodb, _module_aws.sqs, queue_urls, names)


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]


class Wiring:
    """The real adapters on clients this test can watch and break."""

    def __init__(self) -> None:
        self.clock = SteppingClock(datetime(2030, 1, 1, tzinfo=UTC))
        self.calls: list[Call] = []
        self.attempts: dict[str, int] = {}
        self._faults: dict[str, tuple[int, str, int | None]] = {}
        dynamodb = aws_clients.dynamodb_client()
        sqs = aws_clients.sqs_client()
        for client in (dynamodb, sqs):
            client.meta.events.register("before-parameter-build", self._record)
            # First, so it answers before moto does; retries go through it again.
            client.meta.events.register_first("before-send", self._inject)
        self.application = bootstrap.build(
            Settings.from_env(), dynamodb=dynamodb, sqs=sqs, clock=self.clock
        )
        self.dynamodb, self.sqs = dynamodb, sqs
        self.handler: Handler = handler_for(lambda: self.application)

    def serve_with_cache_ttl(self, seconds: int) -> None:
        """Serve as if the stack had set ORDERS_CACHE_TTL=`seconds`: same adapters."""
        self.application = dataclasses.replace(self.application, cache_ttl_seconds=seconds)
        self.handler = handler_for(lambda: self.application)

    def fail(self, operation: str, code: str, status: int = 400, times: int | None = None) -> None:
        """Make `operation` (e.g. "SendMessage") answer `code`, `times` times or always."""
        self._faults[operation] = (status, code, times)

    def heal(self, operation: str) -> None:
        self._faults.pop(operation, None)

    def operations(self, service: str | None = None) -> list[str]:
        return [c.operation for c in self.calls if service is None or c.service == service]

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(Call(model.service_model.service_name, model.name, dict(params)))

    def _inject(self, request: Any, **_: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).split(".")[-1]
        fault = self._faults.get(operation)
        if fault is None:
            return None
        self.attempts[operation] = self.attempts.get(operation, 0) + 1
        status, code, times = fault
        if times is not None:
            if times == 0:
                return None
            self._faults[operation] = (status, code, times - 1)
        # botocore calls every before-send handler and uses the first response; moto's comes
        # after ours, so the request is pointed nowhere for moto to leave it unexecuted.
        request.url = "https://injected-fault.invalid/"
        body = json.dumps({"__type": code, "message": "injected fault"}).encode()
        # A plain dict, as moto answers: botocore only reads it like a mapping.
        headers: Any = {
            "x-amzn-RequestId": "injected",
            "Content-Type": "application/x-amz-json-1.0",
        }
        return AWSResponse(request.url, status, headers, MockRawResponse(body))


@pytest.fixture
def wiring(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Wiring]:
    # Injected faults are retried with backoff; the attempts count, the waiting does not.
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)
    wired = Wiring()
    yield wired
    # docs/design.md, "A Query, never a Scan": ordersByState is a Query; no code path may Scan.
    assert "Scan" not in wired.operations()


Invoke = Callable[..., Any]


@pytest.fixture
def invoke(wiring: Wiring) -> Invoke:
    """Call the real Lambda entry with a recorded event: invoke("get_order", {...})."""

    def call(
        name: str, arguments: dict[str, Any] | None = None, selection: list[str] | None = None
    ) -> Any:
        return wiring.handler(appsync_event(name, arguments, selection), LambdaContext())

    return call


SHARED_STAGE = "shared"
CLI_SECONDS = 60


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

    def invoke(self, operation: str, arguments: dict[str, Any]) -> Any:
        """The real handler in this process, as a fresh container: its application built
        from the environment on this first invocation."""
        handler = handler_for(bootstrap.from_environment)
        return handler(appsync_event(operation, arguments), LambdaContext())

    def orders(self) -> dict[str, dict[str, Any]]:
        # Test-side inspection; the code under test never scans.
        items = self.client("dynamodb").scan(TableName=self.names.orders_table)["Items"]
        return {item["id"]["S"]: item for item in items}

    def messages(self, estado: Estado) -> list[dict[str, Any]]:
        """Every message in `estado`'s queue (consumed)."""
        sqs, received = self.client("sqs"), list[dict[str, Any]]()
        while batch := sqs.receive_message(
            QueueUrl=self.queue_urls[estado],
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", []):
            received.extend(check_message(m) for m in batch)
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
            timeout=CLI_SECONDS,
            check=True,
        )


@pytest.fixture
def shared_aws(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[SharedAws]:
    # (stateShards, queueGroups): one and one unless a test asks otherwise (indirect)
    shards, groups = getattr(request, "param", (1, 1))
    server = AtomicMotoServer()
    server.start()
    endpoint = server.endpoint
    names = resources.ResourceNames(SHARED_STAGE)
    base = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    try:
        aws = SharedAws(endpoint, base, names, {})
        aws.queue_urls = provision(
            aws.client("dynamodb"), aws.client("sqs"), names, state_shards=shards
        ).queue_urls
        aws.env = {
            **base,
            resources.ENV_STAGE: SHARED_STAGE,
            resources.ENV_CACHE_TTL: "0",
            scale.ENV_STATE_SHARDS: str(shards),
            scale.ENV_QUEUE_GROUPS: str(groups),
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
            **{resources.env_queue_url(e): url for e, url in aws.queue_urls.items()},
        }
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        for name, value in aws.env.items():
            monkeypatch.setenv(name, value)
        yield aws
    finally:
        server.stop()
