"""The resolvers' Lambda handler, invoked as the Lambda service would: a JSON event in, a
JSON result out, one invocation at a time per container, with a LambdaContext.

`orders serve` runs the handler in `LambdaContainers`: worker processes, each importing the
handler once and serving one invocation at a time, as Lambda runs a function's concurrent
invocations in separate execution environments. In their own processes the invocations run
beside the API's event loop, on another core, and the handler's module-level state (the
Powertools resolver holds the current event) is never shared between two invocations."""

import asyncio
import importlib
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import forkserver
from typing import Any, Protocol

from api.emulator.lambda_context import LambdaContext
from resolvers.definitions.function import HANDLER

Handler = Callable[[dict[str, Any], Any], Any]


def load_handler(path: str = HANDLER) -> Handler:
    """Import the handler. Powertools reads its POWERTOOLS_* variables at import time, so
    this runs after the emulator has set the Lambda's environment."""
    module_name, _, attribute = path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


class Function(Protocol):
    """What LocalAppSync invokes: one container in this process, or several (containers)."""

    async def invoke(self, event: dict[str, Any]) -> Any: ...


class LambdaFunction:
    """One container in this process (tests give it a stand-in handler)."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        # A Lambda container runs one invocation at a time, and the handler keeps
        # per-invocation state (Powertools' resolver holds the current event).
        self._container = asyncio.Lock()

    async def invoke(self, event: dict[str, Any]) -> Any:
        """The handler's result after a JSON round trip; raises what the handler raises."""
        async with self._container:
            # A worker thread keeps the server answering while boto3 blocks.
            result = await asyncio.to_thread(self._handler, event, LambdaContext())
        return json.loads(json.dumps(result))


# How many invocations run at once: two, one per core of a laptop's share (a container is
# ~50 MB). With four, under load (make test's workers) their concurrent calls pushed the
# embedded AWS's answers past the resolvers' 1 s read timeout (resolvers/adapters/
# aws_clients.py), an internal error the cloud would not give; bench/throughput.py measures
# what the count does to throughput.
CONTAINERS = 2


class LambdaError(Exception):
    """What a container's handler raised, by its message (its traceback is in the log)."""


class LambdaContainers:
    """Up to `containers` worker processes, forked from one that imported the handler (each
    a warm container from its start); one invocation at a time each.

    `prepare()` starts the fork server, which imports the handler while the embedded AWS
    boots; Powertools reads its POWERTOOLS_* variables at import, so they are set first.
    The rest of the Lambda's environment (table and queue names, known once AWS is
    provisioned) reaches each container with `start()`, before its first invocation."""

    def __init__(self, path: str = HANDLER, containers: int = CONTAINERS) -> None:
        self._path = path
        self._containers = containers
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__, path.rpartition(".")[0]])
        self._pool: ProcessPoolExecutor | None = None

    def prepare(self, import_environment: Mapping[str, str]) -> None:
        os.environ.update(import_environment)
        forkserver.ensure_running()

    def start(self, environment: Mapping[str, str]) -> None:
        """Start every container and wait for them: a broken handler fails here, and no
        client waits for a cold start later (each is a fork of the fork server)."""
        self._pool = ProcessPoolExecutor(
            max_workers=self._containers,
            mp_context=self._context,
            initializer=_load,
            initargs=(self._path, os.getpid(), dict(environment)),
        )
        # The pool starts a container for each task submitted while none is idle, there
        # and then; it never starts one later (a container that dies breaks the pool).
        with _no_main_module():
            submitted = [self._pool.submit(_ready) for _ in range(self._containers)]
        for started in submitted:
            started.result()

    async def invoke(self, event: dict[str, Any]) -> Any:
        assert self._pool is not None, "start() first"
        loop = asyncio.get_running_loop()
        answer: str = await loop.run_in_executor(self._pool, _invoke, event)
        return json.loads(answer)

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _no_main_module() -> Iterator[None]:
    """multiprocessing runs the parent's main module again in every process it starts (as
    __mp_main__), for code that pickles functions defined there; a container runs only this
    module's functions, and running the command line's module (with the GraphQL schema it
    imports) would cost each one a second of CPU. Hidden while the containers start."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


# In a container: its handler, loaded once.
_handler: list[Handler] = []


def _load(path: str, api_pid: int, environment: dict[str, str]) -> None:
    os.environ.update(environment)
    # Ctrl-C reaches the whole process group; the API stops the containers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(api_pid,), name="api-watch", daemon=True).start()
    _handler.append(load_handler(path))


def _end_with(api_pid: int) -> None:
    """A killed API never stops its containers, and a container's own end of the invocation
    queue keeps it waiting: each one ends itself when the API's process is gone."""
    while True:
        time.sleep(1)
        try:
            os.kill(api_pid, 0)
        except ProcessLookupError:
            os._exit(0)


def _ready() -> bool:
    return bool(_handler)


def _invoke(event: dict[str, Any]) -> str:
    try:
        return json.dumps(_handler[0](event, LambdaContext()))
    except Exception as error:
        # Only the message crosses to the API (the cloud shows errorMessage too); the
        # traceback goes to the server's log, where the Lambda's own log would have it.
        traceback.print_exc()
        raise LambdaError(str(error)) from None
