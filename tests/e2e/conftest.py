"""The emulator as a user runs it: `orders serve` in its own process, on free ports, driven
over real sockets. One server for the session keeps the suite fast."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
API_KEY = "e2e-test-key"
# Longer than the suite: a cached read never expires under a test's feet.
CACHE_TTL = 600
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class Emulator:
    host: str
    port: int
    aws_port: int
    api_key: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"x-api-key": self.api_key} if headers is None else headers
        return httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=sent,
            timeout=30,
        )

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a request that must succeed."""
        body = self.graphql(query, variables).json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def stats(self) -> dict[str, dict[str, int]]:
        stats: dict[str, dict[str, int]] = httpx.get(f"{self.url}/_emulator/stats").json()
        return stats

    def orders_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        # The command line is this project's own, built from fixed arguments.
        return subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "api.cli",
                "queues",
                "--host",
                self.host,
                "--aws-port",
                str(self.aws_port),
                *args,
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_healthy(emulator: Emulator, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"orders serve exited early:\n{emulator.log.read_text()}")
        try:
            if httpx.get(f"{emulator.url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"orders serve never became healthy:\n{emulator.log.read_text()}")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    log = tmp_path_factory.mktemp("emulator") / "serve.log"
    emulator = Emulator(HOST, free_port(), free_port(), API_KEY, log)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ORDERS_"))}
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "api.cli",
                "serve",
                "--host",
                HOST,
                "--port",
                str(emulator.port),
                "--aws-port",
                str(emulator.aws_port),
                "--api-key",
                API_KEY,
                "--cache-ttl",
                str(CACHE_TTL),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(emulator, process)
            yield emulator
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                returncode = process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    assert returncode == 0, f"SIGTERM did not stop orders serve cleanly:\n{log.read_text()}"
