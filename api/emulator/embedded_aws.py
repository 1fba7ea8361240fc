"""The embedded AWS: moto's server app in a thread of this process, as moto's own
ThreadedMotoServer runs it, with one difference: every request passes a gate, so the state can
be snapshotted between requests (api.emulator.persistence)."""

import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from api.emulator.persistence import RequestGate


class EmbeddedAws:
    def __init__(self, host: str, port: int, gate: RequestGate | None = None) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        # Binds now: a taken port fails here, in the caller's thread, not in the server's.
        self._server: BaseWSGIServer = make_server(
            host,
            port,
            gate.wrap(app) if gate is not None else app,
            threaded=True,
            request_handler=MotoRequestHandler,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="embedded-aws", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
