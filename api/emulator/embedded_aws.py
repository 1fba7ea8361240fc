"""The embedded AWS: moto's server app in a thread of this process, as moto's own
ThreadedMotoServer runs it, with two differences: every request passes a gate, so the state can
be snapshotted between requests (api.emulator.persistence), and one Cognito answer is written
as Cognito writes it (`cognito_as_aws`)."""

import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from api.emulator.persistence import RequestGate, WSGIApp

_MFA_SETUP_TYPES = b'"MFAS_CAN_SETUP"'


def cognito_as_aws(app: WSGIApp) -> WSGIApp:
    """moto answers the MFA_SETUP challenge with `MFAS_CAN_SETUP` as a Python list printed
    as text ("['SOFTWARE_TOKEN_MFA']"); Cognito sends a JSON array in that string
    (ChallengeParameters is a map of strings), which Amplify JSON.parses. Rewritten here so
    a TOTP set-up at first sign-in works as against Cognito."""

    def fixed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        answered: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            answered[:] = [status, headers, *rest]
            return lambda _: None

        body = b"".join(app(environ, hold))
        if _MFA_SETUP_TYPES in body:
            body = _mfa_types_as_json(body)
        status, headers, *rest = answered
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))], *rest)
        return [body]

    return fixed


def _mfa_types_as_json(body: bytes) -> bytes:
    try:
        answer = json.loads(body)
        parameters = answer["ChallengeParameters"]
        types = re.findall(r"[A-Z_]+", str(parameters["MFAS_CAN_SETUP"]))
    except (ValueError, KeyError, TypeError):
        return body
    parameters["MFAS_CAN_SETUP"] = json.dumps(types)
    return json.dumps(answer).encode()


SHUTDOWN_POLL_SECONDS = 0.05


class EmbeddedAws:
    def __init__(self, host: str, port: int, gate: RequestGate | None = None) -> None:
        app = cognito_as_aws(DomainDispatcherApplication(create_backend_app))
        # Binds now: a taken port fails here, in the caller's thread, not in the server's.
        self._server: BaseWSGIServer = make_server(
            host,
            port,
            gate.wrap(app) if gate is not None else app,
            threaded=True,
            request_handler=MotoRequestHandler,
        )
        # serve_forever checks for shutdown() between polls: werkzeug's default half second
        # is the wait of every stop; a poll is a select() on one socket.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name="embedded-aws",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
