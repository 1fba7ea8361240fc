"""The data directory: what `orders serve` keeps across a restart and a crash (orders,
messages, the API key, and the sign-in side: the user pool, its users and the IAM keys, so
a frontend's configuration and a service's profile keep working), the lock that keeps a
second server out, and Ctrl-C stopping both servers. The tests share one data directory and
hand its running server on (`Kept`): each restart is one start, not two."""

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.emulator.persistence import MAX_LOSS_SECONDS
from harness.cognito_users import local_cognito
from harness.serve_process import HOST, PROJECT_ROOT, ServeProcess, free_port
from resolvers.domain.states import Estado
from tests.e2e.aws_store import Store
from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import CREATE, FUTURE_DATE, GET
from tests.message_contract import check_body

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("starts its own orders serve on a data directory"),
]


class Kept:
    """`orders serve` on the module's data directory, handed from test to test. A test takes
    the running one (any server on the directory will do: it registers its own orders and
    drains the queue it filled), stops or kills it through here, and starts the next, which
    the next test takes; one left running is stopped, cleanly, when the module ends."""

    def __init__(self, folder: Path) -> None:
        self.data_dir = folder / "data"
        self._folder = folder
        self._starts = 0
        self._running: ServeProcess | None = None

    def running(self) -> ServeProcess:
        """The server now on the directory, started if the previous test left none."""
        return self._running or self.start()

    def left_running(self) -> ServeProcess | None:
        return self._running

    def start(self, ports: tuple[int, int] | None = None) -> ServeProcess:
        """A server on the directory (on `ports`, API and AWS, where the last one was)."""
        self._starts += 1
        log = self._folder / f"serve-{self._starts}.log"
        process = ServeProcess(
            api_key=None, cache_ttl_seconds=0, log=log, data_dir=self.data_dir, ports=ports
        )
        process.wait_healthy()
        self._running = process
        return process

    def stop(self, stop_signal: signal.Signals = signal.SIGTERM) -> int:
        process, self._running = self.running(), None
        return process.stop(stop_signal)

    def kill(self) -> ServeProcess:
        process, self._running = self.running(), None
        process.kill()
        return process


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kept]:
    servers = Kept(tmp_path_factory.mktemp("kept"))
    yield servers
    last = servers.left_running()
    if last is not None:
        assert servers.stop() == 0, last.log.read_text()


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


def _writer_alive(temporary: Path) -> bool:
    """Whether the process a temporary file is named after (`NAME.tmp-PID`) still runs."""
    pid = int(temporary.name.rpartition("-")[2])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _drained(data_dir: Path) -> list[dict[str, Any]]:
    finished = _orders_cli("queues", "--data-dir", str(data_dir), "--drain", "recibida")
    assert finished.returncode == 0, finished.stderr
    drained = [json.loads(line) for line in finished.stdout.splitlines()]
    return [m for m in drained if check_body(m["body"])]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_restart_keeps_orders_idempotency_messages_and_the_key(
    stop_signal: signal.Signals, kept: Kept
) -> None:
    # given a server that made its key and registered three orders
    first = kept.running()
    key = first.printed_api_key()
    token = f"{stop_signal.name}-token"
    created = [_create(Emulator.of(first), f"antes {n}", f"{token}-{n}") for n in range(3)]
    assert kept.stop(stop_signal) == 0, first.log.read_text()

    # when it starts again on the same directory and the same ports
    second = kept.start(ports=(first.port, first.aws_port))
    emulator = Emulator.of(second)
    # then the key is the same one
    assert second.printed_api_key() == key
    # and every order is there
    for order in created:
        assert emulator.data(GET, {"id": order["id"]})["getOrder"]["id"] == order["id"]
    # and a retried create finds its idempotency record: the same order, no new message
    assert _create(emulator, "antes 0", f"{token}-0")["id"] == created[0]["id"]
    # and a re-sent message is still a duplicate: SQS drops a MessageDeduplicationId it
    # saw within 5 minutes (SQS developer guide, "Exactly-once processing"); moto checks
    # it against the messages still queued, which the restart kept
    store = Store.of(emulator)
    store.sqs.send_message(
        QueueUrl=store.queue_urls[Estado.recibida],
        MessageBody=json.dumps({"id": created[0]["id"]}),
        MessageGroupId="recibida",
        MessageDeduplicationId=f"{created[0]['id']}:recibida:1",
    )
    # and the queue holds the three messages, in FIFO order, once each (read from SQS here;
    # the crash test reads it with `orders queues --data-dir`)
    messages = store.drain(Estado.recibida)
    assert [json.loads(m["Body"])["order"]["id"] for m in messages] == [o["id"] for o in created]


PASSWORD = "Local-passw0rd!"
EMAIL = "sara@example.com"


def _access_token(cognito: dict[str, str]) -> str:
    client = local_cognito(cognito)
    result = client.initiate_auth(
        ClientId=cognito["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )
    return str(result["AuthenticationResult"]["AccessToken"])


def test_a_restart_keeps_the_user_pool_its_users_and_the_iam_keys(kept: Kept) -> None:
    # given a server whose pool has a user, made with `orders users add`
    first = kept.running()
    before = first.health()
    added = _orders_cli(
        *("users", "--data-dir", str(kept.data_dir)),
        *("add", EMAIL, "--password", PASSWORD, "--group", "supervisores"),
    )
    assert added.returncode == 0, added.stderr
    assert kept.stop() == 0, first.log.read_text()

    # when it starts again on the same directory and ports
    second = kept.start(ports=(first.port, first.aws_port))
    after = second.health()
    # then the pool, its client and the IAM keys are the same
    assert after["cognito"] == before["cognito"]
    assert after["iam"] == before["iam"]
    # and the user signs in, and the API takes the token
    token = _access_token(after["cognito"])
    response = httpx.post(
        f"{second.url}/graphql",
        json={"query": '{ getOrder(id: "none") { id } }'},
        headers={"Authorization": token},
    )
    assert response.status_code == 200, response.text
    # and the credentials file is the owner's only
    credentials = Path(after["iam"]["credentialsFile"])
    assert credentials.parent == kept.data_dir.resolve()
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600


def test_a_crash_loses_at_most_the_stated_interval_and_the_next_start_is_clean(
    kept: Kept,
) -> None:
    # given orders registered longer ago than the interval docs/emulator.md states
    first = kept.running()
    created = [_create(Emulator.of(first), f"antes {n}", f"crash-token-{n}") for n in range(2)]
    time.sleep(MAX_LOSS_SECONDS)
    # when the server is killed, as if mid-write: a temporary file left beside the state
    killed = kept.kill()
    (kept.data_dir / f"aws-state.pickle.tmp-{killed.pid}").write_bytes(b"half a pickle")
    # then nothing claims the directory any more
    gone = _orders_cli("queues", "--data-dir", str(kept.data_dir))
    assert gone.returncode == 1
    assert "no orders serve is running" in gone.stderr
    # and the next start is clean, on the same ports, with every order and message
    second = kept.start(ports=(first.port, first.aws_port))
    emulator = Emulator.of(second)
    for order in created:
        assert emulator.data(GET, {"id": order["id"]})["getOrder"]["id"] == order["id"]
    drained = _drained(kept.data_dir)
    assert [m["body"]["order"]["id"] for m in drained] == [o["id"] for o in created]
    # and no temporary file of a dead writer is left (the new server's own periodic snapshot,
    # named after its live process, may be half-written at this very moment)
    assert [p.name for p in kept.data_dir.glob("*.tmp-*") if not _writer_alive(p)] == []


def test_a_second_server_on_the_same_data_directory_is_refused(kept: Kept) -> None:
    # given a running server
    first = kept.running()
    # when another starts on the same directory (on free ports)
    refused = _orders_cli(
        "serve",
        *("--data-dir", str(kept.data_dir)),
        *("--port", str(free_port())),
        *("--aws-port", str(free_port())),
    )
    # then it says so in one line and exits
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "another orders serve is using the data directory" in refused.stderr
    assert f"pid {first.pid}" in refused.stderr
    # and the first one still serves, with its data directory still described
    assert first.health()["data_dir"] == str(kept.data_dir.resolve())


def test_ctrl_c_stops_the_emulator_cleanly(kept: Kept) -> None:
    # given a running emulator (last here: it leaves none for a next test; the restart tests
    # check SIGTERM too)
    process = kept.running()
    # when Ctrl-C reaches it / then it stops both servers and exits 0
    assert kept.stop(signal.SIGINT) == 0, process.log.read_text()
    for port in (process.port, process.aws_port):
        with pytest.raises(ConnectionRefusedError), socket.create_connection((HOST, port), 2):
            pass
