"""`orders queues` as a user types it: it finds the running server by itself (an ephemeral one
too), names it on stderr, and every expected failure is one line on stderr and a non-zero
exit, never a traceback. Each test's servers register in a directory of its own
(ORDERS_RUNTIME_DIR), so the servers other tests run are not in the way."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.serve_process import ServeProcess, free_port
from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import create

pytestmark = pytest.mark.e2e


def _orders(*args: str, cwd: Path, stdout: int | None = subprocess.PIPE) -> "Finished":
    # A user's shell: no ORDERS_ variable pointing anywhere, but the test's own runtime
    # directory, where its servers register.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERS_", "AWS_"))}
    env["ORDERS_RUNTIME_DIR"] = str(_runtime_dir(cwd))
    process = subprocess.run(  # noqa: S603  # our own CLI, fixed arguments
        [sys.executable, "-m", "api.cli", *args],
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )
    return Finished(process.returncode, process.stdout or "", process.stderr)


def _runtime_dir(tmp_path: Path) -> Path:
    return tmp_path / "running"


def _server(tmp_path: Path, *, persistent: bool, name: str) -> ServeProcess:
    return ServeProcess(
        api_key="k",
        cache_ttl_seconds=0,
        log=tmp_path / f"{name}.log",
        cwd=tmp_path,
        default_data_dir=persistent,
        settings={"ORDERS_RUNTIME_DIR": str(_runtime_dir(tmp_path))},
    )


class Finished:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr

    def assert_one_line_failure(self, expected: str) -> None:
        assert self.returncode == 1, self.stderr
        assert self.stderr.count("\n") == 1, self.stderr
        assert expected in self.stderr
        assert "Traceback" not in self.stderr


def test_queues_without_options_finds_the_server_started_in_the_same_directory(
    tmp_path: Path,
) -> None:
    # given `orders serve` started with no data options in a directory (it uses .orders/ there)
    process = _server(tmp_path, persistent=True, name="serve")
    try:
        process.wait_healthy()
        created = create(Emulator.of(process), "encontrada")
        # when `orders queues` runs there, without options
        counts = _orders("queues", cwd=tmp_path)
        drained = _orders("queues", "--drain", "recibida", cwd=tmp_path)
    finally:
        assert process.stop() == 0, process.log.read_text()
    # then it reached that server's queues, and said which server it asked
    assert counts.returncode == 0, counts.stderr
    assert f"orders queues: orders serve pid {process.pid}" in counts.stderr
    recibida = next(
        json.loads(line)
        for line in counts.stdout.splitlines()
        if json.loads(line)["queue"] == "orders-local-recibida.fifo"
    )
    assert recibida["messages"] == 1
    assert [json.loads(line)["body"]["order"]["id"] for line in drained.stdout.splitlines()] == [
        created["id"]
    ]
    # and once the server stopped, nothing is found any more
    _orders("queues", cwd=tmp_path).assert_one_line_failure("no orders serve is running")


def test_queues_with_nothing_running_fails_in_one_line(tmp_path: Path) -> None:
    _orders("queues", cwd=tmp_path).assert_one_line_failure("no orders serve is running")
    _orders("queues", "--data-dir", ".orders", cwd=tmp_path).assert_one_line_failure(
        "no orders serve is running with the data directory .orders"
    )
    nobody = f"http://127.0.0.1:{free_port()}"
    _orders("queues", "--endpoint-url", nobody, cwd=tmp_path).assert_one_line_failure(
        f"cannot reach SQS at {nobody}"
    )


def test_a_closed_pipe_ends_queues_quietly(emulator: Emulator, tmp_path: Path) -> None:
    # given a pipe whose reader is already gone, as after `orders queues | head -0`
    reader, writer = os.pipe()
    os.close(reader)
    try:
        # when orders queues writes its counts into it
        finished = _orders(
            "queues",
            "--endpoint-url",
            f"http://{emulator.host}:{emulator.aws_port}",
            cwd=tmp_path,
            stdout=writer,
        )
    finally:
        os.close(writer)
    # then it stops without a word, with the status a shell gives a program a closed pipe ended
    assert finished.stderr == ""
    assert finished.returncode == 141


def test_an_ephemeral_server_is_found_and_two_servers_are_named_not_guessed(
    tmp_path: Path,
) -> None:
    # given an --ephemeral server alone
    ephemeral = _server(tmp_path, persistent=False, name="ephemeral")
    persistent: ServeProcess | None = None
    try:
        ephemeral.wait_healthy()
        create(Emulator.of(ephemeral), "efímera")
        # when orders queues runs without options, then it asks the ephemeral server
        alone = _orders("queues", cwd=tmp_path)
        assert alone.returncode == 0, alone.stderr
        assert f"pid {ephemeral.pid}" in alone.stderr
        assert "in memory (--ephemeral)" in alone.stderr
        # given a persistent server in the same directory too
        persistent = _server(tmp_path, persistent=True, name="persistent")
        persistent.wait_healthy()
        # when orders queues runs without options, then it names both instead of guessing
        both = _orders("queues", cwd=tmp_path)
        both.assert_one_line_failure("2 orders serve are running; choose one with --port")
        assert f"pid {ephemeral.pid}" in both.stderr
        assert f"pid {persistent.pid}" in both.stderr
        # and --port chooses the ephemeral one, whose order is in its queue
        chosen = _orders("queues", "--port", str(ephemeral.port), cwd=tmp_path)
    finally:
        for process in (ephemeral, persistent):
            if process is not None:
                process.stop()
    assert f"pid {ephemeral.pid}" in chosen.stderr
    counts = [json.loads(line) for line in chosen.stdout.splitlines()]
    assert {c["queue"]: c["messages"] for c in counts}["orders-local-recibida.fifo"] == 1
