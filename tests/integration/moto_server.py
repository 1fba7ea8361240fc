"""A moto server on a free loopback port whose DynamoDB applies each request atomically.

DynamoDB checks a write's condition and applies it as one step; moto's backends take no
lock, so two threads of its server can both pass a condition before either writes. Tests
of racing writers run their requests one at a time through this server, which gives
moto the guarantee DynamoDB gives; everything else is moto's own server."""

import threading
from collections.abc import Iterable
from typing import Any

import httpx
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from harness.serve_process import HOST, free_port


class _OneRequestAtATime:
    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self._lock:
            # The body is read whole inside the lock: the request is applied as one step.
            return list(self._app(environ, start_response))


class AtomicMotoServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://{HOST}:{self.port}"
        app = _OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer = make_server(
            HOST, self.port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        # moto's backends live in this process, shared by every server it runs: start empty
        httpx.post(f"{self.endpoint}/moto-api/reset", timeout=30).raise_for_status()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
