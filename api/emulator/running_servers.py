"""Where every running `orders serve` says where it listens, `--ephemeral` ones included, so
that `orders queues` and `orders repair` find the one to talk to (or name them all when
several run). One JSON file per server, named after its pid, in a directory of the user's
own: `ORDERS_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/orders`, else the temporary directory's
`orders-<uid>`. A file whose process is gone (a killed server) does not count."""

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from api.emulator.data_dir import write_atomically

ENV_RUNTIME_DIR = "ORDERS_RUNTIME_DIR"


def runtime_dir(env: Mapping[str, str] = os.environ) -> Path:
    if env.get(ENV_RUNTIME_DIR):
        return Path(env[ENV_RUNTIME_DIR])
    if env.get("XDG_RUNTIME_DIR"):
        return Path(env["XDG_RUNTIME_DIR"]) / "orders"
    return Path(tempfile.gettempdir()) / f"orders-{os.getuid()}"


@contextlib.contextmanager
def registered(details: Mapping[str, Any]) -> Iterator[None]:
    """This server's entry, from now until the block ends."""
    directory = runtime_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    entry = directory / f"{os.getpid()}.json"
    write_atomically(entry, json.dumps({"pid": os.getpid(), **details}).encode() + b"\n")
    try:
        yield
    finally:
        entry.unlink(missing_ok=True)


def running() -> list[dict[str, Any]]:
    """The servers running now, oldest pid first."""
    found = []
    for entry in sorted(runtime_dir().glob("*.json")):
        try:
            details = json.loads(entry.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(details, dict) and _alive(details.get("pid")):
            found.append(details)
    return sorted(found, key=lambda d: int(d["pid"]))


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
