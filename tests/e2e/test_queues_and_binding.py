"""`orders queues` against the running emulator, and the addresses the emulator listens on."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harness.serve_process import HOST, PROJECT_ROOT, free_port
from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import create

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("drains the emulator's moto queues and starts its process"),
]


def test_drain_prints_the_state_queue_in_fifo_order_and_empties_it(emulator: Emulator) -> None:
    # given
    created = [create(emulator, f"en cola {n}")["id"] for n in range(3)]

    # when
    drained = emulator.orders_cli("--drain", "recibida").stdout.splitlines()
    counts = [json.loads(line) for line in emulator.orders_cli().stdout.splitlines()]

    # then
    messages = [json.loads(line) for line in drained]
    ids = [m["body"]["order"]["id"] for m in messages]
    assert [i for i in ids if i in created] == created
    ours = [m for m in messages if m["body"]["order"]["id"] in created]
    assert all(m["messageGroupId"] == "recibida" for m in ours)
    assert [m["messageDeduplicationId"] for m in ours] == [f"{i}:recibida:1" for i in created]
    recibida = next(c for c in counts if c["queue"] == "orders-local-recibida.fifo")
    assert recibida["messages"] == 0


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net shows them) of the LISTEN sockets on `port`."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                addresses.add(address)
    return addresses


def _connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net")
def test_both_servers_listen_only_on_the_host_given(emulator: Emulator) -> None:
    loopback = "0100007F"  # 127.0.0.1, little-endian hex
    for port in (emulator.port, emulator.aws_port):
        assert _listening_addresses(port) == {loopback}
        assert _connects("127.0.0.1", port)
        # another loopback address reaches a socket bound to 0.0.0.0, not one bound to 127.0.0.1
        assert not _connects("127.0.0.2", port)


def test_a_taken_port_is_reported_at_once() -> None:
    # given something already listening where the embedded AWS would go
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        aws_port = taken.getsockname()[1]
        # when
        command = ["serve", "--port", str(free_port()), "--aws-port", str(aws_port)]
        finished = subprocess.run(  # noqa: S603  # our own CLI, fixed arguments
            [sys.executable, "-m", "api.cli", *command],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    # then it exits with a message naming the port and the option, instead of hanging
    assert finished.returncode == 1
    assert f"{HOST}:{aws_port} cannot be used" in finished.stderr
    assert "--aws-port" in finished.stderr
