"""The data directory: what `orders serve` keeps across a restart and a crash, and the lock
that keeps a second server out. Each test runs its own servers on its own directory."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from api.emulator.persistence import MAX_LOSS_SECONDS
from harness.serve_process import PROJECT_ROOT, ServeProcess, free_port
from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import CREATE, FUTURE_DATE, GET
from tests.message_contract import check_body

pytestmark = pytest.mark.e2e


def _start(data_dir: Path, log: Path, ports: tuple[int, int] | None = None) -> ServeProcess:
    process = ServeProcess(
        api_key=None, cache_ttl_seconds=0, log=log, data_dir=data_dir, ports=ports
    )
    process.wait_healthy()
    return process


def _create(emulator: Emulator, descripcion: str, client_token: str) -> dict[str, Any]:
    order_input = {
        "descripcion": descripcion,
        "fecha_entrega": FUTURE_DATE,
        "clientToken": client_token,
    }
    order: dict[str, Any] = emulator.data(CREATE, {"input": order_input})["createOrder"]
    return order


def _orders_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own CLI, fixed arguments
        [sys.executable, "-m", "api.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _drained(data_dir: Path) -> list[dict[str, Any]]:
    finished = _orders_cli("queues", "--data-dir", str(data_dir), "--drain", "recibida")
    assert finished.returncode == 0, finished.stderr
    drained = [json.loads(line) for line in finished.stdout.splitlines()]
    return [m for m in drained if check_body(m["body"])]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_restart_keeps_orders_idempotency_messages_and_the_key(
    stop_signal: signal.Signals, tmp_path: Path
) -> None:
    # given a server that made its key and registered three orders
    data_dir = tmp_path / "data"
    first = _start(data_dir, tmp_path / "first.log")
    key = first.printed_api_key()
    created = [_create(Emulator.of(first), f"antes {n}", f"token-{n}") for n in range(3)]
    assert first.stop(stop_signal) == 0, first.log.read_text()

    # when it starts again on the same directory and the same ports
    second = _start(data_dir, tmp_path / "second.log", ports=(first.port, first.aws_port))
    try:
        emulator = Emulator.of(second)
        # then the key is the same one
        assert second.printed_api_key() == key
        # and every order is there
        for order in created:
            assert emulator.data(GET, {"id": order["id"]})["getOrder"]["id"] == order["id"]
        # and a retried create finds its idempotency record: the same order, no new message
        assert _create(emulator, "antes 0", "token-0")["id"] == created[0]["id"]
        # and a re-sent message is still a duplicate: SQS drops a MessageDeduplicationId it
        # saw within 5 minutes (SQS developer guide, "Exactly-once processing"); moto checks
        # it against the messages still queued, which the restart kept
        sqs = boto3.client(
            "sqs",
            endpoint_url=second.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        url = sqs.get_queue_url(QueueName="orders-local-recibida.fifo")["QueueUrl"]
        sqs.send_message(
            QueueUrl=url,
            MessageBody=json.dumps({"id": created[0]["id"]}),
            MessageGroupId="recibida",
            MessageDeduplicationId=f"{created[0]['id']}:recibida:1",
        )
        # and the queue holds the three messages, in FIFO order, once each
        messages = _drained(data_dir)
        assert [m["body"]["order"]["id"] for m in messages] == [o["id"] for o in created]
    finally:
        assert second.stop() == 0, second.log.read_text()


def test_a_crash_loses_at_most_the_stated_interval_and_the_next_start_is_clean(
    tmp_path: Path,
) -> None:
    # given orders registered longer ago than the interval docs/emulator.md states
    data_dir = tmp_path / "data"
    first = _start(data_dir, tmp_path / "first.log")
    created = [_create(Emulator.of(first), f"antes {n}", f"token-{n}") for n in range(2)]
    time.sleep(MAX_LOSS_SECONDS)
    # when the server is killed, as if mid-write: a temporary file left beside the state
    first.kill()
    (data_dir / "aws-state.pickle.tmp-99999").write_bytes(b"half a pickle")
    # then nothing claims the directory any more
    gone = _orders_cli("queues", "--data-dir", str(data_dir))
    assert gone.returncode == 1
    assert "no orders serve is running" in gone.stderr
    # and the next start is clean, on the same ports, with every order and message
    second = _start(data_dir, tmp_path / "second.log", ports=(first.port, first.aws_port))
    try:
        emulator = Emulator.of(second)
        for order in created:
            assert emulator.data(GET, {"id": order["id"]})["getOrder"]["id"] == order["id"]
        drained = _drained(data_dir)
        assert [m["body"]["order"]["id"] for m in drained] == [o["id"] for o in created]
        assert not list(data_dir.glob("*.tmp-*"))
    finally:
        assert second.stop() == 0, second.log.read_text()


def test_a_second_server_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    # given a running server
    data_dir = tmp_path / "data"
    first = _start(data_dir, tmp_path / "first.log")
    try:
        # when another starts on the same directory (on free ports)
        refused = _orders_cli(
            "serve",
            *("--data-dir", str(data_dir)),
            *("--port", str(free_port())),
            *("--aws-port", str(free_port())),
        )
        # then it says so in one line and exits
        assert refused.returncode == 1
        assert refused.stderr.count("\n") == 1, refused.stderr
        assert "another orders serve is using the data directory" in refused.stderr
        assert f"pid {first.pid}" in refused.stderr
        # and the first one still serves, with its data directory still described
        assert first.health()["data_dir"] == str(data_dir.resolve())
    finally:
        assert first.stop() == 0, first.log.read_text()
