"""The emulator's data directory (default `.orders/`): the API key, the embedded AWS state,
`server.json` (where a running `orders serve` listens, for `orders queues`) and the lock that
keeps a second server out. Every file is replaced whole, never rewritten in place, so a crash
leaves the previous version or the new one, not half of either."""

import contextlib
import fcntl
import json
import os
import secrets
from pathlib import Path
from typing import IO, Any

DEFAULT_DATA_DIR = ".orders"
LOCK_FILE = "serve.lock"
API_KEY_FILE = "api-key"
SERVER_FILE = "server.json"
AWS_STATE_FILE = "aws-state.pickle"
# Temporary files are named after their target and the writer's pid; a crash can leave one.
_TEMPORARY_MARK = ".tmp-"


class DataDirError(Exception):
    """The data directory cannot be used; the message says why and what to do."""


class DataDirectory:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: IO[bytes] | None = None

    @property
    def aws_state(self) -> Path:
        return self.path / AWS_STATE_FILE

    @property
    def server_file(self) -> Path:
        return self.path / SERVER_FILE

    def claim(self) -> None:
        """Create the directory (owner-only) and hold its lock until `release`: a second
        `orders serve` on the same directory is refused instead of overwriting this one's
        state."""
        try:
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock = (self.path / LOCK_FILE).open("ab")
        except OSError as error:
            raise DataDirError(
                f"cannot use the data directory {self.path}: {error.strerror}; "
                "choose another with --data-dir / ORDERS_DATA_DIR, or run with --ephemeral"
            ) from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            running = read_server_file(self.path)
            where = f" (pid {running['pid']}, {running['graphql']})" if running else ""
            raise DataDirError(
                f"another orders serve is using the data directory {self.path}{where}; "
                "stop it, or give this one another --data-dir or --ephemeral"
            ) from None
        self._lock = lock
        for leftover in self.path.glob(f"*{_TEMPORARY_MARK}*"):
            leftover.unlink(missing_ok=True)

    def release(self) -> None:
        self.server_file.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def api_key(self) -> str:
        """The key kept here, made on first use."""
        path = self.path / API_KEY_FILE
        with contextlib.suppress(FileNotFoundError):
            kept = path.read_text().strip()
            if kept:
                return kept
        key = secrets.token_urlsafe(24)
        write_atomically(path, key.encode() + b"\n")
        return key

    def write_server_file(self, details: dict[str, Any]) -> None:
        write_atomically(self.server_file, json.dumps(details, indent=2).encode() + b"\n")


def read_server_file(path: Path) -> dict[str, Any] | None:
    """What the `orders serve` holding `path` wrote about itself; None when no server holds
    the directory (a file left by a killed server does not count)."""
    if not _held(path / LOCK_FILE):
        return None
    try:
        details = json.loads((path / SERVER_FILE).read_text())
    except (OSError, ValueError):
        return None
    return details if isinstance(details, dict) else None


def _held(lock_path: Path) -> bool:
    try:
        lock = lock_path.open("rb")
    except OSError:
        return False
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def write_atomically(path: Path, content: bytes) -> None:
    """Write a temporary file beside `path`, flush it to disk, then rename it over `path`."""
    temporary = path.with_name(f"{path.name}{_TEMPORARY_MARK}{os.getpid()}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    # The rename itself is durable only once the directory is.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
