"""The embedded AWS: moto's server app in a thread of this process, as moto's own
ThreadedMotoServer runs it, with three differences: every request passes a gate, so the state
can be snapshotted between requests (api.emulator.persistence), one Cognito answer is written
as Cognito writes it (`cognito_as_aws`), and one path of its own answers `orders queues` with
the age of each queue's oldest message (`queue_ages`)."""

import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.sqs.models import sqs_backends
from werkzeug.serving import BaseWSGIServer, make_server

from api.emulator.local_aws import QUEUE_AGES_PATH
from api.emulator.persistence import RequestGate, WSGIApp
from api.emulator.sqs_model import oldest_visible_sent_ms

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


def queue_ages(app: WSGIApp) -> WSGIApp:
    """GET QUEUE_AGES_PATH?region=R answers, for each queue of region R by name, when its
    oldest visible message was sent (epoch ms, null for none), as JSON; everything else goes
    to `app`. Over SQS's API only a receive tells a message's age, and every receive counts
    toward the queue's maxReceiveCount: reading ages that way, a few looks with `orders
    queues` would send the head of a state queue to its dead-letter queue at the next
    consumer's receive. In the cloud the age is CloudWatch's ApproximateAgeOfOldestMessage."""

    def answered(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != QUEUE_AGES_PATH or environ.get("REQUEST_METHOD") != "GET":
            return app(environ, start_response)
        region = parse_qs(environ.get("QUERY_STRING", "")).get("region", [""])[0]
        ages = {
            name: oldest_visible_sent_ms(queue)
            for account in sqs_backends.values()
            if (backend := account.get(region)) is not None
            for name, queue in backend.queues.items()
        }
        body = json.dumps(ages).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return answered


SHUTDOWN_POLL_SECONDS = 0.05


class EmbeddedAws:
    def __init__(self, host: str, port: int, gate: RequestGate | None = None) -> None:
        app = queue_ages(cognito_as_aws(DomainDispatcherApplication(create_backend_app)))
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
