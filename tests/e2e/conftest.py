"""The emulator as a user runs it: `orders serve` in its own process, on free ports, driven
over real sockets. One server for the session keeps the suite fast."""

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.serve_process import PROJECT_ROOT, ServeProcess

API_KEY = "e2e-test-key"
# Longer than the suite: a cached read never expires under a test's feet.
CACHE_TTL = 600


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
                # The session's server is ephemeral: no data directory to find it by.
                "--endpoint-url",
                f"http://{self.host}:{self.aws_port}",
                *args,
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    @classmethod
    def of(cls, process: ServeProcess) -> "Emulator":
        return cls(process.host, process.port, process.aws_port, process.api_key, process.log)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    log = tmp_path_factory.mktemp("emulator") / "serve.log"
    process = ServeProcess(api_key=API_KEY, cache_ttl_seconds=CACHE_TTL, log=log)
    try:
        process.wait_healthy()
        yield Emulator.of(process)
    finally:
        returncode = process.stop()
    assert returncode == 0, f"SIGTERM did not stop orders serve cleanly:\n{log.read_text()}"
