"""`orders queues` as a user types it: it finds the running server by itself (an ephemeral one
too), names it on stderr, and every expected failure is one line on stderr and a non-zero
exit, never a traceback. The servers of each test (or of the sequence two tests share)
register in a directory of their own (ORDERS_RUNTIME_DIR), so the servers other tests run are
not in the way."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.serve_process import ServeProcess, free_port
from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import create

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("starts its own orders serve and reads its queues"),
]


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


@dataclass(frozen=True)
class OneDirectory:
    """What `orders queues` said in one directory as servers came and went there."""

    ephemeral: ServeProcess
    persistent: ServeProcess
    alone: Finished  # the ephemeral server alone
    both: Finished  # the persistent one started beside it
    chosen: Finished  # --port the ephemeral one's
    created: dict[str, Any]  # in the persistent server, once the ephemeral one stopped
    counts: Finished  # the persistent server alone
    drained: Finished  # its --drain recibida
    persistent_stopped: int  # its exit code
    after: Finished  # nothing running any more


@pytest.fixture(scope="module")
def one_directory(tmp_path_factory: pytest.TempPathFactory) -> OneDirectory:
    """An --ephemeral server alone in a directory; then one started there with no data
    options (it uses .orders/ there) beside it; then, the ephemeral one stopped, that one
    alone; then none. The two tests below read this one sequence: a server start costs
    seconds, and each test needs the persistent server in that directory."""
    directory = tmp_path_factory.mktemp("one-directory")
    ephemeral = _server(directory, persistent=False, name="ephemeral")
    persistent: ServeProcess | None = None
    try:
        ephemeral.wait_healthy()
        create(Emulator.of(ephemeral), "efímera")
        alone = _orders("queues", cwd=directory)
        persistent = _server(directory, persistent=True, name="persistent")
        persistent.wait_healthy()
        both = _orders("queues", cwd=directory)
        chosen = _orders("queues", "--port", str(ephemeral.port), cwd=directory)
        ephemeral.stop()
        created = create(Emulator.of(persistent), "encontrada")
        counts = _orders("queues", cwd=directory)
        drained = _orders("queues", "--drain", "recibida", cwd=directory)
        persistent_stopped = persistent.stop()
        after = _orders("queues", cwd=directory)
    finally:
        for process in (ephemeral, persistent):
            if process is not None:
                process.stop()  # a no-op where it stopped already
    return OneDirectory(
        ephemeral,
        persistent,
        alone,
        both,
        chosen,
        created,
        counts,
        drained,
        persistent_stopped,
        after,
    )


def test_queues_without_options_finds_the_server_started_in_the_same_directory(
    one_directory: OneDirectory,
) -> None:
    # given `orders serve` started with no data options in a directory (it uses .orders/ there)
    process, counts, drained = one_directory.persistent, one_directory.counts, one_directory.drained
    # when `orders queues` runs there, without options (the ephemeral server stopped before)
    assert one_directory.persistent_stopped == 0, process.log.read_text()
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
        one_directory.created["id"]
    ]
    # and once the server stopped, nothing is found any more
    one_directory.after.assert_one_line_failure("no orders serve is running")


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
    one_directory: OneDirectory,
) -> None:
    ephemeral, persistent = one_directory.ephemeral, one_directory.persistent
    # given an --ephemeral server alone
    # when orders queues runs without options, then it asks the ephemeral server
    alone = one_directory.alone
    assert alone.returncode == 0, alone.stderr
    assert f"pid {ephemeral.pid}" in alone.stderr
    assert "in memory (--ephemeral)" in alone.stderr
    # given a persistent server in the same directory too
    # when orders queues runs without options, then it names both instead of guessing
    both = one_directory.both
    both.assert_one_line_failure("2 orders serve are running; choose one with --port")
    assert f"pid {ephemeral.pid}" in both.stderr
    assert f"pid {persistent.pid}" in both.stderr
    # and --port chooses the ephemeral one, whose order is in its queue
    chosen = one_directory.chosen
    assert f"pid {ephemeral.pid}" in chosen.stderr
    counts = [json.loads(line) for line in chosen.stdout.splitlines()]
    assert {c["queue"]: c["messages"] for c in counts}["orders-local-recibida.fifo"] == 1
