"""Every marked example of README.md and docs/ runs as written, against `orders serve`
(docs/contributing.md describes the convention; tests/doc_examples.py reads the Markdown).
The blocks of a page run in order, in a directory that looks like the repository's root to
them (`.venv` and `node_modules` linked in, `.orders` the TLS server's data).

One plain `orders serve --ephemeral` serves every page (a start costs seconds), emptied
before each page through its embedded AWS: no order, idempotency record, message or user
another page left, so a page prints what it would print against a fresh server. Its API
cache is not emptied: no two pages ask the same query. A page that needs the TLS server
gets its own, stopped with the page (`orders queues` on a page finds the one plain server)."""

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from httpx_ws import WebSocketSession, connect_ws

from api.emulator.local_aws import LocalAws
from harness.serve_process import ServeProcess
from tests.doc_examples import PROJECT_ROOT, Example, documents, examples

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = [pytest.mark.e2e, pytest.mark.emulator_only("starts its own servers")]

WRITTEN_ADDRESS = "127.0.0.1:8000"
RUN_SECONDS = 90
WAIT_SECONDS = 20
_ID = re.compile(r'"id"\s*:\s*"([^"]+)"')


def _pages() -> list[Path]:
    return [path for path in documents() if any(_runs(e) for e in examples(path))]


def _runs(example: Example) -> bool:
    return example.kind is not None and example.marker is not None and not example.skip_reason


def _serve(log: Path, runtime_dir: Path, data_dir: Path | None = None) -> ServeProcess:
    """A server registered in `runtime_dir`; TLS mode with a `data_dir` (its CA is there)."""
    return ServeProcess(
        api_key=None,
        cache_ttl_seconds=30,
        log=log,
        data_dir=data_dir,
        settings={
            "ORDERS_RUNTIME_DIR": str(runtime_dir),
            **({"ORDERS_TLS": "1"} if data_dir else {}),
            # SQS allows one PurgeQueue a minute per queue, and moto enforces it; emptying
            # the queues before each page purges more often (read by the embedded AWS).
            "MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false",
        },
    )


class SharedServer:
    """The plain server of every page, started when a block first needs one, and the
    directory where the servers register (`orders queues` finds them there)."""

    def __init__(self, directory: Path, stack: ExitStack) -> None:
        self._directory = directory
        self._stack = stack
        self.runtime_dir = directory / "running"
        self.runtime_dir.mkdir()
        self._process: ServeProcess | None = None
        self._own_users: set[str] = set()

    def process(self) -> ServeProcess:
        if self._process is None:
            process = _serve(self._directory / "plain.log", self.runtime_dir)
            self._stack.callback(process.stop)
            process.wait_healthy()
            self._process = process
            self._own_users = _users(process)
        return self._process

    def empty(self) -> None:
        """Back to what a fresh server holds: no orders, idempotency records or messages
        (dead letters too), no users but those it started with."""
        if self._process is None:
            return
        health = self._process.health()
        aws = LocalAws.at(self._process.aws_endpoint, embedded=True)
        dynamodb, sqs, cognito = aws.dynamodb(), aws.sqs(), aws.cognito()
        for table in (health["orders_table"], health["idempotency_table"]):
            _delete_items(dynamodb, table)
        for name in [*health["queues"].values(), *health["dead_letter_queues"].values()]:
            sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])
        pool = health["cognito"]["userPoolId"]
        for user in _users(self._process) - self._own_users:
            cognito.admin_delete_user(UserPoolId=pool, Username=user)


def _delete_items(dynamodb: "DynamoDBClient", table: str) -> None:
    schema = dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]
    keys = [key["AttributeName"] for key in schema]
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            dynamodb.delete_item(TableName=table, Key={key: item[key] for key in keys})


def _users(process: ServeProcess) -> set[str]:
    cognito = LocalAws.at(process.aws_endpoint, embedded=True).cognito()
    pool = process.health()["cognito"]["userPoolId"]
    pages = cognito.get_paginator("list_users").paginate(UserPoolId=pool)
    return {user["Username"] for page in pages for user in page["Users"]}


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServer]:
    with ExitStack() as stack:
        yield SharedServer(tmp_path_factory.mktemp("doc-examples"), stack)


class Page:
    """One page's servers (the shared plain one, emptied first, and a TLS server of its own,
    started when a block first needs it) and what its blocks left."""

    def __init__(self, workdir: Path, stack: ExitStack, shared: SharedServer) -> None:
        self.workdir = workdir
        self._stack = stack
        self._shared = shared
        self._tls: ServeProcess | None = None
        self.last_id: str | None = None
        self.runtime_dir = shared.runtime_dir
        shared.empty()

    def server(self, mode: str) -> ServeProcess:
        if mode == "plain":
            return self._shared.process()
        if self._tls is None:
            process = _serve(
                self.workdir.parent / f"{self.workdir.name}-tls.log",
                self.runtime_dir,
                data_dir=self.workdir / ".orders",
            )
            self._stack.callback(process.stop)
            process.wait_healthy()
            self._tls = process
        return self._tls


@contextmanager
def _page(tmp_path: Path, shared: SharedServer) -> Iterator[Page]:
    workdir = tmp_path / "repository"
    workdir.mkdir()
    # `.venv/bin/orders` is the interpreter's own; packages `npm ci` installed resolve.
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    if (PROJECT_ROOT / "node_modules").exists():
        (workdir / "node_modules").symlink_to(PROJECT_ROOT / "node_modules")
    with ExitStack() as stack:
        yield Page(workdir, stack, shared)


def _code(example: Example, page: Page, server: ServeProcess) -> str:
    code = example.code.replace(WRITTEN_ADDRESS, f"{server.host}:{server.port}")
    if "<id>" in code:
        assert page.last_id, f"{example.where} uses <id>, but no block before it printed an id"
        code = code.replace("<id>", page.last_id)
    return code


def _environment(page: Page, server: ServeProcess) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "ORDERS_", "POWERTOOLS_"))
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["KEY"] = server.api_key  # as README.md tells a user to set it
    env["ORDERS_RUNTIME_DIR"] = str(page.runtime_dir)
    if server.ca_cert:
        env["ORDERS_TLS"] = "1"
        env["NODE_EXTRA_CA_CERTS"] = str(server.ca_cert)
    return env


def _command(example: Example) -> list[str]:
    if example.kind == "shell":
        return ["bash", "-e", "-o", "pipefail", "-s"]
    if example.kind == "python":
        return [sys.executable, "-"]
    node = shutil.which("node")
    assert node, "Node.js runs the JavaScript examples (README.md, 'The two commands')"
    return [node, "--input-type=module", "-"]


def _run(example: Example, page: Page, server: ServeProcess) -> str:
    finished = subprocess.run(  # noqa: S603  # the docs' own examples, as a reader runs them
        _command(example),
        input=_code(example, page, server),
        cwd=page.workdir,
        env=_environment(page, server),
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        check=False,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, f"{example.where} exited {finished.returncode}:\n{output}"
    return finished.stdout


def _post(example: Example, page: Page, server: ServeProcess) -> str:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": _code(example, page, server)},
        headers={"x-api-key": server.api_key},
        verify=server.verify(),
        timeout=RUN_SECONDS,
    )
    assert response.status_code == 200, f"{example.where}: HTTP {response.status_code}"
    return response.text


def _graphql_answers(output: str) -> list[dict[str, Any]]:
    """The GraphQL answers a block printed: JSON objects with `data` or `errors`."""
    decoder, answers, index = json.JSONDecoder(), [], 0
    while (start := output.find("{", index)) != -1:
        try:
            value, index = decoder.raw_decode(output, start)
        except ValueError:
            index = start + 1
            continue
        if isinstance(value, dict) and ("data" in value or "errors" in value):
            answers.append(value)
    return answers


def _check(example: Example, output: str) -> None:
    failed = [a for a in _graphql_answers(output) if a.get("errors")]
    if "error" in example.options:
        assert failed, f"{example.where} should show a GraphQL error; it printed:\n{output}"
    else:
        assert not failed, f"{example.where} answered with errors:\n{output}"


@contextmanager
def _subscribed(example: Example, page: Page, server: ServeProcess) -> Iterator[WebSocketSession]:
    """A subscription block, registered over graphql-transport-ws (a ping round trip proves
    the server processed `subscribe`)."""
    url = f"{'wss' if server.ca_cert else 'ws'}://{server.host}:{server.port}/graphql"
    with (
        httpx.Client(verify=server.verify()) as client,
        connect_ws(
            url, client, subprotocols=["graphql-transport-ws"], session_class=WebSocketSession
        ) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"x-api-key": server.api_key}})
        assert ws.receive_json(timeout=WAIT_SECONDS)["type"] == "connection_ack"
        query = _code(example, page, server)
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        ws.send_json({"type": "ping"})
        assert ws.receive_json(timeout=WAIT_SECONDS)["type"] == "pong", example.where
        yield ws


def _received(example: Example, ws: WebSocketSession) -> None:
    message = ws.receive_json(timeout=WAIT_SECONDS)
    assert message["type"] == "next", f"{example.where}: {message}"
    (event,) = message["payload"]["data"].values()
    # AppSync sends subscribers the mutation's selection (aws-appsync-community#109): a field
    # the trigger did not select arrives null.
    missing = sorted(name for name, value in event.items() if value is None)
    assert not missing, f"{example.where} receives {missing} as null: select them in the trigger"


def _execute(example: Example, page: Page, mode: str) -> str:
    server = page.server(mode)
    if example.kind == "graphql":
        return _post(example, page, server)
    return _run(example, page, server)


@pytest.mark.parametrize("path", _pages(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_the_pages_examples_run_as_written(
    path: Path, tmp_path: Path, shared_server: SharedServer
) -> None:
    runnable = [e for e in examples(path) if _runs(e)]
    with _page(tmp_path, shared_server) as page, ExitStack() as subscriptions:
        waiting: tuple[Example, WebSocketSession] | None = None
        for example in runnable:
            for mode in sorted(example.options & {"plain", "tls"}):
                if example.kind == "graphql" and example.code.lstrip().startswith("subscription"):
                    ws: WebSocketSession = subscriptions.enter_context(
                        _subscribed(example, page, page.server(mode))
                    )
                    waiting = (example, ws)
                    continue
                output = _execute(example, page, mode)
                _check(example, output)
                if found := _ID.search(output):
                    page.last_id = found.group(1)
                if waiting:
                    _received(*waiting)
                    waiting = None
        assert waiting is None, f"{waiting[0].where}: no block after it triggers it"
