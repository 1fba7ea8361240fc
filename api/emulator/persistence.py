"""Keeping the embedded AWS across restarts. moto runs in this process, so its DynamoDB,
SQS and Cognito backends are Python objects: tables with their items, queues with their
messages in order (moto deduplicates a FIFO message against the messages still in its queue,
so that state travels with them), the user pool with its users, groups and app client.
They are pickled, as LocalStack persists moto's state, into one file of the data directory:
every SNAPSHOT_SECONDS when a request came in since the last snapshot, and once more at
shutdown. A SIGKILL therefore loses at most the requests of the
last interval, and the file is always a whole snapshot (data_dir.write_atomically).

A snapshot must not see a request half-applied, so every request to moto holds a shared
gate and the snapshot takes it exclusively, between requests. The gate prefers requests: a
long poll (ReceiveMessage waiting for messages) never stalls the API behind a snapshot; the
snapshot instead waits for a moment without requests, and tries again at the next tick when
there was none."""

import copyreg
import io
import logging
import pickle
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey
from moto.cognitoidp.models import cognitoidp_backends
from moto.dynamodb.models import dynamodb_backends
from moto.sqs.models import sqs_backends

from api.emulator.data_dir import DataDirError, write_atomically

logger = logging.getLogger(__name__)

# moto's per-service registries: account id → region → backend.
BACKENDS: dict[str, Any] = {
    "dynamodb": dynamodb_backends,
    "sqs": sqs_backends,
    "cognitoidp": cognitoidp_backends,
}
SNAPSHOT_SECONDS = 1.0
# What a SIGKILL can lose, as the README states it: one interval, plus the time a snapshot
# of a large state takes to write.
MAX_LOSS_SECONDS = 2.0
# How long a snapshot waits for a gap between requests before leaving it to the next tick.
GAP_WAIT_SECONDS = 0.5
# At shutdown the server no longer accepts requests; a long poll may still be waiting.
FINAL_GAP_WAIT_SECONDS = 5.0
_FORMAT_VERSION = 1

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestGate:
    """Many requests at once, or one snapshot."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._requests = 0
        self._snapshot = False
        self.changed = threading.Event()

    @contextmanager
    def request(self) -> Any:
        with self._condition:
            self._condition.wait_for(lambda: not self._snapshot)
            self._requests += 1
        try:
            yield
        finally:
            with self._condition:
                self._requests -= 1
                self.changed.set()
                self._condition.notify_all()

    @contextmanager
    def exclusive(self, timeout: float) -> Any:
        """Yields True with no request running, or False when none ended within `timeout`."""
        with self._condition:
            if not self._condition.wait_for(lambda: self._requests == 0, timeout=timeout):
                yield False
                return
            self._snapshot = True
        try:
            yield True
        finally:
            with self._condition:
                self._snapshot = False
                self._condition.notify_all()

    def wrap(self, app: WSGIApp) -> WSGIApp:
        def gated(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with self.request():
                # moto's responses are complete byte strings: the body is read inside the gate.
                return list(app(environ, start_response))

        return gated


class AwsState:
    """Snapshots of moto's backends in `path`, taken through `gate`."""

    def __init__(self, path: Path, gate: RequestGate) -> None:
        self._path = path
        self._gate = gate
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def restore(self) -> bool:
        """Put the last snapshot back into moto; False when there is none. Call before
        moto serves anything."""
        try:
            content = self._path.read_bytes()
        except FileNotFoundError:
            return False
        try:
            version, state = pickle.loads(content)  # noqa: S301  # our own file, owner-only directory
            if version != _FORMAT_VERSION:
                raise ValueError(f"format {version}")
        except Exception as error:
            raise DataDirError(
                f"cannot read {self._path} ({type(error).__name__}: {error}; written by another "
                "version of moto?): move it away to start with no data, or run with --ephemeral"
            ) from None
        for service, accounts in state.items():
            backends = BACKENDS[service]
            for account, regions in accounts.items():
                for region, backend in regions.items():
                    backends[account][region] = backend
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="aws-snapshots", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the periodic snapshots and take the last one."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.save(FINAL_GAP_WAIT_SECONDS)

    def save(self, gap_wait: float = GAP_WAIT_SECONDS) -> bool:
        with self._gate.exclusive(gap_wait) as alone:
            if not alone:
                return False
            self._gate.changed.clear()
            content = _dumps((_FORMAT_VERSION, _backends()))
        write_atomically(self._path, content)
        return True

    def _run(self) -> None:
        while not self._stop.wait(SNAPSHOT_SECONDS):
            if not self._gate.changed.is_set():
                continue
            try:
                self.save()
            except Exception:
                # A failed snapshot must not end the server; the next tick tries again.
                logger.exception("could not save the AWS state to %s", self._path)


def _backends() -> dict[str, dict[str, dict[str, Any]]]:
    return {
        service: {account: dict(regions.items()) for account, regions in backends.items()}
        for service, backends in BACKENDS.items()
    }


# moto's queues carry a threading.Condition (long polls wait on it); a restored queue gets a
# fresh one.
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def _fresh_condition(_: threading.Condition) -> tuple[Any, ...]:
    return threading.Condition, ()


def _fresh_lock(lock: Any) -> tuple[Any, ...]:
    return (threading.RLock if isinstance(lock, _LOCK_TYPES[1]) else threading.Lock), ()


def _rsa_key(key: RSAKey) -> tuple[Any, ...]:
    # Each moto user pool holds its signing key as a joserfc key around a `cryptography`
    # key object, which does not pickle: it travels as its JWK.
    return RSAKey.import_key, (key.as_dict(private=True),)


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[threading.Condition] = _fresh_condition
    for lock_type in _LOCK_TYPES:
        pickler.dispatch_table[lock_type] = _fresh_lock
    pickler.dispatch_table[RSAKey] = _rsa_key
    pickler.dump(value)
    return buffer.getvalue()
