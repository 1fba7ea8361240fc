"""`orders serve` in its own process on free loopback ports, as a user runs it (the e2e
tests start it the same way)."""

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.loopback import HOST, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 90
STOP_SECONDS = 20


class EmulatorFailed(Exception):
    pass


class Emulator:
    """One `orders serve` process and a keep-alive HTTP client to it."""

    def __init__(self, cache_ttl_seconds: int, log: Path) -> None:
        self.cache_ttl_seconds = cache_ttl_seconds
        self.url = f"http://{HOST}:{free_port()}"
        self._api_key = secrets.token_urlsafe(16)
        self._log = log
        port = self.url.rsplit(":", 1)[1]
        # The emulator gives the Lambda its own AWS and Powertools settings; ours (the
        # in-process benchmarks set them) must not leak into it.
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("AWS_", "ORDERS_", "POWERTOOLS_"))
        }
        with log.open("wb") as output:
            self._process = subprocess.Popen(  # noqa: S603  # our own CLI, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "api.cli",
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    port,
                    "--aws-port",
                    str(free_port()),
                    "--api-key",
                    self._api_key,
                    "--cache-ttl",
                    str(cache_ttl_seconds),
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self._client = httpx.Client(
            base_url=self.url, headers={"x-api-key": self._api_key}, timeout=30
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmulatorFailed(f"orders serve exited early:\n{self._log.read_text()}")
            try:
                if self._client.get("/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise EmulatorFailed(f"orders serve never became healthy:\n{self._log.read_text()}")

    def data(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The `data` of a request that must succeed."""
        response = self._client.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise EmulatorFailed(f"GraphQL request failed ({response.status_code}): {body}")
        data: dict[str, Any] = body["data"]
        return data

    def stats(self) -> dict[str, dict[str, int]]:
        stats: dict[str, dict[str, int]] = self._client.get("/_emulator/stats").json()
        return stats

    def stop(self) -> int:
        self._client.close()
        self._process.send_signal(signal.SIGTERM)
        try:
            return self._process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return self._process.wait()


@contextmanager
def emulators(cache_ttls: tuple[int, ...], log_dir: Path) -> Iterator[list[Emulator]]:
    """One emulator per TTL, booted side by side (boot is most of the wait)."""
    with ExitStack() as stack:
        running: list[Emulator] = []
        for ttl in cache_ttls:
            emulator = Emulator(ttl, log_dir / f"serve-ttl-{ttl}.log")
            stack.callback(emulator.stop)
            running.append(emulator)
        for emulator in running:
            emulator.wait_healthy()
        yield running
