"""The emulator as a user runs it: `orders serve` in its own process, on free ports, driven
over real sockets. One server for the session keeps the suite fast.

Given a deployed API (`ORDERS_API_URL` + `ORDERS_API_KEY`, or `ORDERS_E2E_OUTPUTS`; see
harness/api_target.py and `make e2e-cloud`), the `emulator` fixture is that API
instead (for prod, called as a throwaway `supervisores` user signed in with TOTP MFA:
harness/cognito_users.py), and tests marked `emulator_only` (they read the emulator's
internals: its stats, its moto queues, its process) are skipped with the marker's reason."""

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from harness.api_target import Api, DeployedApi, TargetError, UserPoolTarget, deployed_api
from harness.cognito_users import signed_in_api
from harness.serve_process import PROJECT_ROOT, ServeProcess
from resolvers.definitions.access import SUPERVISORES
from tests.message_contract import check_body

API_KEY = "e2e-test-key"
# Longer than the suite: a cached read never expires under a test's feet.
CACHE_TTL = 600
DEPLOYED = pytest.StashKey[DeployedApi | UserPoolTarget | None]()
# The throwaway user of a deployed user-pool stage may make every move the suite makes.
DEPLOYED_USER_GROUP = SUPERVISORES


@dataclass(frozen=True)
class Emulator(Api):
    host: str
    port: int
    aws_port: int
    api_key: str
    log: Path
    ca_cert: Path | None = None  # TLS mode: the CA the emulator created

    @property
    def url(self) -> str:
        return f"{'https' if self.ca_cert else 'http'}://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"{'wss' if self.ca_cert else 'ws'}://{self.host}:{self.port}"

    def verify(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=self.ca_cert) if self.ca_cert else True

    @property
    def graphql_url(self) -> str:  # type: ignore[override]  # a field in DeployedApi
        return f"{self.url}/graphql"

    def stats(self) -> dict[str, dict[str, int]]:
        stats: dict[str, dict[str, int]] = httpx.get(
            f"{self.url}/_emulator/stats", verify=self.verify()
        ).json()
        return stats

    def orders_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`orders queues ARGS` against this server; what `--drain` prints is checked
        against the message schema (tests/message_contract.py)."""
        # The command line is this project's own, built from fixed arguments.
        done = subprocess.run(  # noqa: S603
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
        if "--drain" in args:
            for line in done.stdout.splitlines():
                check_body(json.loads(line)["body"])
        return done

    @classmethod
    def of(cls, process: ServeProcess) -> "Emulator":
        return cls(
            process.host,
            process.port,
            process.aws_port,
            process.api_key,
            process.log,
            process.ca_cert,
        )


def pytest_configure(config: pytest.Config) -> None:
    try:
        config.stash[DEPLOYED] = deployed_api(os.environ)
    except TargetError as error:
        raise pytest.UsageError(str(error)) from None


def skip_reason(marker: pytest.Mark, deployed: DeployedApi | UserPoolTarget) -> str:
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
    if isinstance(deployed, UserPoolTarget):
        with signed_in_api(deployed, DEPLOYED_USER_GROUP) as api:
            yield api
        return
    if deployed is not None:
        yield deployed
        return
    yield from running_emulator(tmp_path_factory)


def running_emulator(
    tmp_path_factory: pytest.TempPathFactory,
    settings: Mapping[str, str] | None = None,
    cache_ttl_seconds: int = CACHE_TTL,
    data_dir: Path | None = None,
) -> Iterator[Emulator]:
    """`orders serve` for as long as the fixture using it lives (ephemeral unless given a
    `data_dir`); `settings` are more ORDERS_* variables (TLS mode, keep-alive period)."""
    log = tmp_path_factory.mktemp("emulator") / "serve.log"
    process = ServeProcess(
        api_key=API_KEY,
        cache_ttl_seconds=cache_ttl_seconds,
        log=log,
        data_dir=data_dir,
        settings=settings,
    )
    try:
        process.wait_healthy()
        yield Emulator.of(process)
    finally:
        returncode = process.stop()
    assert returncode == 0, f"SIGTERM did not stop orders serve cleanly:\n{log.read_text()}"


# Real-time keep-alive period of the TLS emulator: short, so a test sees a periodic `ka`.
TLS_KEEPALIVE_SECONDS = 1


@pytest.fixture(scope="session")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """The emulator in TLS mode (HTTPS and WSS on one port), as `ORDERS_TLS=1 make serve`
    starts it, with its data directory (and so its CA) in a temporary folder."""
    yield from running_emulator(
        tmp_path_factory,
        {"ORDERS_TLS": "1", "ORDERS_KEEPALIVE_SECONDS": str(TLS_KEEPALIVE_SECONDS)},
        data_dir=tmp_path_factory.mktemp("orders-data"),
    )
