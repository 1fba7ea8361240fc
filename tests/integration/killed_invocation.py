"""One invocation of the real Lambda handler that stops dead at a chosen step, for a test
to kill it there with SIGKILL (no `finally`, no compensation, as when a Lambda container
dies). Run as `python -m tests.integration.killed_invocation STEP OPERATION ARGUMENTS_JSON`
with the Lambda's environment; prints `STOPPED` when it reaches STEP, then waits.

Steps: `after-write` (the state's message is about to be sent), `after-publish` (sent,
the unpublished marker about to be cleared)."""

import json
import sys
import threading
from typing import Any

from api.emulator.lambda_context import LambdaContext
from harness.appsync_events import appsync_event
from resolvers import bootstrap
from resolvers.adapters import aws_clients
from resolvers.definitions.settings import Settings
from resolvers.handler import handler_for

STOPPED = "STOPPED"


def _stop(**_: Any) -> None:
    print(STOPPED, flush=True)
    threading.Event().wait()  # until killed


def main(step: str, operation: str, arguments: dict[str, Any]) -> None:
    dynamodb, sqs = aws_clients.dynamodb_client(), aws_clients.sqs_client()
    sent: list[str] = []
    if step == "after-write":
        sqs.meta.events.register("before-send.sqs.SendMessage", _stop)
    elif step == "after-publish":
        sqs.meta.events.register("after-call.sqs.SendMessage", lambda **_: sent.append("sent"))

        def stop_once_sent(**kwargs: Any) -> None:
            if sent:
                _stop(**kwargs)

        dynamodb.meta.events.register("before-send.dynamodb.UpdateItem", stop_once_sent)
    else:
        raise SystemExit(f"unknown step {step}")
    handler = handler_for(lambda: bootstrap.build(Settings.from_env(), dynamodb=dynamodb, sqs=sqs))
    result = handler(appsync_event(operation, arguments), LambdaContext())
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
