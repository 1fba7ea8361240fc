"""The emulator as a user runs it: `orders serve` in its own process, on free ports, driven
over real sockets. One server for the session keeps the suite fast.

Given a deployed API (`ORDERS_API_URL` + `ORDERS_API_KEY`, or `ORDERS_E2E_OUTPUTS`; see
harness/api_target.py and `make e2e-cloud`), the `emulator` fixture is that API
instead, and tests marked `emulator_only` (they read the emulator's internals: its stats,
its moto queues, its process) are skipped with the marker's reason."""

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from harness.api_target import Api, DeployedApi, TargetError, deployed_api
from harness.serve_process import PROJECT_ROOT, ServeProcess

API_KEY = "e2e-test-key"
# Longer than the suite: a cached read never expires under a test's feet.
CACHE_TTL = 600
DEPLOYED = pytest.StashKey[DeployedApi | None]()


@dataclass(frozen=True)
class Emulator(Api):
    host: str
    port: int
    aws_port: int
    api_key: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def graphql_url(self) -> str:  # type: ignore[override]  # a field in DeployedApi
        return f"{self.url}/graphql"

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


def pytest_configure(config: pytest.Config) -> None:
    try:
        config.stash[DEPLOYED] = deployed_api(os.environ)
    except TargetError as error:
        raise pytest.UsageError(str(error)) from None


def skip_reason(marker: pytest.Mark, deployed: DeployedApi) -> str:
    why = f": {marker.args[0]}" if marker.args else ""
    return f"emulator only{why} (the suite targets {deployed.graphql_url})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deployed = config.stash[DEPLOYED]
    if deployed is None:
        return
    for item in items:
        marker = item.get_closest_marker("emulator_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=skip_reason(marker, deployed)))


@pytest.fixture(scope="session")
def emulator(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """The API under test: the emulator, or the deployed API the environment names (an `Api`
    only, which is why tests that need more are marked `emulator_only`)."""
    deployed = request.config.stash[DEPLOYED]
    if deployed is not None:
        yield deployed
        return
    log = tmp_path_factory.mktemp("emulator") / "serve.log"
    process = ServeProcess(api_key=API_KEY, cache_ttl_seconds=CACHE_TTL, log=log)
    try:
        process.wait_healthy()
        yield Emulator.of(process)
    finally:
        returncode = process.stop()
    assert returncode == 0, f"SIGTERM did not stop orders serve cleanly:\n{log.read_text()}"
