"""`orders consume ESTADO --handler module:function`: run a queue consumer locally the way
Lambda's SQS event source runs it on a FIFO queue (api/emulator/sqs_event_source.py)."""

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from api.commands import CommandFailed
from api.commands.running import add_server_options, running_aws
from resolvers.domain.states import Estado

Handler = Callable[[dict[str, Any], Any], Any]
# Lambda's limits for a FIFO queue's event source and for a visibility timeout (12 hours).
MAX_BATCH_SIZE = 10
MAX_VISIBILITY_TIMEOUT = 43_200


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    consume = subparsers.add_parser(
        "consume",
        help="run a queue consumer (a Lambda handler) against a local state queue",
        description="Hand the messages of ESTADO's queue to HANDLER in batches, as Lambda's "
        "SQS event source does for a FIFO queue: per-group order, partial batch responses "
        "(batchItemFailures), retries after the visibility timeout and the queue's "
        "dead-letter queue after maxReceiveCount. Prints one JSON line per batch.",
    )
    consume.add_argument("estado", choices=[e.value for e in Estado], metavar="ESTADO")
    consume.add_argument(
        "--handler",
        required=True,
        metavar="MODULE:FUNCTION",
        help="the consumer's Lambda handler, imported from the current directory, e.g. "
        "consumers.reference.handler:handler",
    )
    consume.add_argument(
        "--batch-size",
        type=_bounded(1, MAX_BATCH_SIZE),
        default=MAX_BATCH_SIZE,
        help=f"messages per batch, 1 to {MAX_BATCH_SIZE} (default {MAX_BATCH_SIZE})",
    )
    consume.add_argument(
        "--visibility-timeout",
        type=_bounded(0, MAX_VISIBILITY_TIMEOUT),
        default=None,
        metavar="SECONDS",
        help="how long a received message stays hidden, instead of the queue's (30 s): a "
        "failed message comes back after it",
    )
    consume.add_argument(
        "--until-empty",
        action="store_true",
        help="stop once the queue holds nothing, neither visible nor in flight",
    )
    add_server_options(consume, "whose queue to read")
    consume.set_defaults(run=_consume)


def _consume(args: argparse.Namespace) -> int:
    try:
        handler = load_handler(args.handler)
    except HandlerNotFound as error:
        raise CommandFailed(str(error)) from None
    aws, _ = running_aws(args)
    from api.emulator.queues import QueuesUnavailable, reaching
    from api.emulator.sqs_event_source import FifoEventSource
    from resolvers.definitions.resources import LOCAL_STAGE, ResourceNames

    name = ResourceNames(LOCAL_STAGE).queue(Estado(args.estado))
    try:
        with reaching(aws) as sqs:
            source = FifoEventSource(
                sqs,
                sqs.get_queue_url(QueueName=name)["QueueUrl"],
                region=aws.region,
                batch_size=args.batch_size,
                visibility_timeout=args.visibility_timeout,
            )
            source.run(
                handler,
                until_empty=args.until_empty,
                report=lambda outcome: print(json.dumps(outcome.as_line()), flush=True),
            )
    except QueuesUnavailable as error:
        raise CommandFailed(str(error)) from None
    return 0


class HandlerNotFound(Exception):
    """--handler names nothing callable that can be imported."""


def load_handler(spec: str) -> Handler:
    """`module:function` imported as Lambda imports a handler, from the current directory."""
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise HandlerNotFound(f"--handler {spec!r}: write it as module:function")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # whatever the import raised, one line
        raise HandlerNotFound(
            f"cannot import {module_name!r} for --handler {spec}: {type(error).__name__}: {error}"
        ) from None
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise HandlerNotFound(f"--handler {spec}: {module_name} has no function {function_name!r}")
    return handler  # type: ignore[no-any-return]


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value}: it must be {low} to {high}")
        return value

    return parse
