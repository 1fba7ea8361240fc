"""`orders serve` in its own process on free loopback ports, as a user runs it. The e2e tests
and the benchmarks both start it through here."""

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STARTUP_SECONDS = 90
STOP_SECONDS = 20


class ServeFailed(Exception):
    """The emulator did not start, or did not stop cleanly."""


def free_port() -> int:
    """A loopback port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class ServeProcess:
    """One `orders serve` child on free ports; `stop()` sends SIGTERM, as Ctrl-C would.

    Without `data_dir` it runs `--ephemeral`; with one, its data is kept there. Without
    `api_key` it uses the key of its data directory (`printed_api_key()`). `cwd` is where it
    runs (the default data directory `.orders` is relative to it). `ports` (API, AWS) restarts
    a server where a previous one listened."""

    def __init__(
        self,
        *,
        api_key: str | None,
        cache_ttl_seconds: int,
        log: Path,
        data_dir: Path | None = None,
        cwd: Path = PROJECT_ROOT,
        default_data_dir: bool = False,
        ports: tuple[int, int] | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        """`settings`: more ORDERS_* variables for the child, as a user would export them
        (ORDERS_TLS=1 needs a `data_dir`, where the emulator keeps the CA to trust)."""
        self.host = HOST
        self.port, self.aws_port = ports or (free_port(), free_port())
        self._api_key = api_key
        self.log = log
        # The child gets its AWS and Powertools settings from the emulator, never from us.
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("AWS_", "ORDERS_", "POWERTOOLS_"))
        }
        env.update(settings or {})
        tls = env.get("ORDERS_TLS") == "1"
        if tls and data_dir is None:
            raise ValueError("TLS mode's CA is only found in a data directory")
        self.ca_cert = data_dir / "tls" / "ca.pem" if tls and data_dir else None
        arguments = [
            *("--host", self.host),
            *("--port", str(self.port)),
            *("--aws-port", str(self.aws_port)),
            *("--cache-ttl", str(cache_ttl_seconds)),
            # One argument: a key that starts with "-" is not read as an option.
            *((f"--api-key={api_key}",) if api_key is not None else ()),
        ]
        if data_dir is not None:
            arguments += ["--data-dir", str(data_dir)]
        elif not default_data_dir:
            arguments.append("--ephemeral")
        with log.open("wb") as output:
            self._process = subprocess.Popen(  # noqa: S603  # our own CLI, fixed arguments
                [sys.executable, "-m", "api.cli", "serve", *arguments],
                cwd=cwd,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def url(self) -> str:
        return f"{'https' if self.ca_cert else 'http'}://{self.host}:{self.port}"

    def verify(self) -> ssl.SSLContext | bool:
        """What an HTTPS client must trust to reach it: the emulator's own CA in TLS mode."""
        if self.ca_cert is None:
            return True
        return ssl.create_default_context(cafile=self.ca_cert)

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServeFailed(f"orders serve exited early:\n{self.log.read_text()}")
            try:
                # In TLS mode the CA exists before the port opens.
                verify = self.verify() if not self.ca_cert or self.ca_cert.exists() else True
                if httpx.get(f"{self.url}/health", timeout=1, verify=verify).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise ServeFailed(f"orders serve never became healthy:\n{self.log.read_text()}")

    def health(self) -> dict[str, Any]:
        details: dict[str, Any] = httpx.get(
            f"{self.url}/health", timeout=5, verify=self.verify()
        ).json()
        return details

    @property
    def aws_endpoint(self) -> str:
        return f"http://{self.host}:{self.aws_port}"

    @property
    def api_key(self) -> str:
        return self._api_key if self._api_key is not None else self.printed_api_key()

    def printed_api_key(self) -> str:
        """The key the banner shows (once healthy)."""
        printed = re.search(r"^  API key +(\S+)", self.log.read_text(), re.MULTILINE)
        if printed is None:
            raise ServeFailed(f"no API key in the banner:\n{self.log.read_text()}")
        return printed.group(1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, as in a crash."""
        self._process.kill()
        self._process.wait()

    def stop(self, stop_signal: signal.Signals = signal.SIGTERM) -> int:
        """SIGTERM (or Ctrl-C's SIGINT), then the exit code (killed after STOP_SECONDS)."""
        self._process.send_signal(stop_signal)
        try:
            return self._process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            raise ServeFailed(f"orders serve ignored SIGTERM:\n{self.log.read_text()}") from None
