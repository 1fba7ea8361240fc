"""`orders serve` in its own process on free loopback ports, as a user runs it (the e2e
tests start it the same way)."""

import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from harness.serve_process import ServeProcess


class EmulatorFailed(Exception):
    pass


class Emulator:
    """One `orders serve` process and a keep-alive HTTP client to it."""

    def __init__(self, cache_ttl_seconds: int, log: Path) -> None:
        self.cache_ttl_seconds = cache_ttl_seconds
        self._process = ServeProcess(
            api_key=secrets.token_urlsafe(16), cache_ttl_seconds=cache_ttl_seconds, log=log
        )
        self.url = self._process.url
        self._client = httpx.Client(
            base_url=self.url, headers={"x-api-key": self._process.api_key}, timeout=30
        )

    def wait_healthy(self) -> None:
        self._process.wait_healthy()

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
        return self._process.stop()


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
