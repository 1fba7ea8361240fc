"""`orders repair`: publish the orders whose state's message a killed invocation never sent."""

import argparse
import sys
from typing import Any

from api.commands import CommandFailed, options
from api.commands.running import add_cloud_options, add_server_options, running_aws
from resolvers.definitions import scale
from resolvers.definitions.resources import LOCAL_STAGE
from resolvers.service.orders import IN_FLIGHT_SECONDS


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    repair = subparsers.add_parser(
        "repair",
        help="publish the orders whose state's message was never sent (a killed invocation)",
    )
    add_server_options(repair, "to repair")
    add_cloud_options(
        repair, stage_help=f"whose table and queues (default {LOCAL_STAGE}, the emulator's)"
    )
    repair.add_argument(
        "--older-than",
        type=options.seconds,
        default=IN_FLIGHT_SECONDS,
        metavar="SECONDS",
        help="only orders unpublished for at least this long: younger ones may belong to a "
        f"write still running (default {IN_FLIGHT_SECONDS:g})",
    )
    _add_scale(repair)
    repair.set_defaults(run=run)


def _add_scale(repair: argparse.ArgumentParser) -> None:
    repair.add_argument(
        "--state-shards",
        type=options.count(scale.checked_state_shards),
        default=None,
        help="shards of the state index (default: what the orders table records in its "
        f"{scale.STATE_SHARDS_TAG} tag)",
    )
    repair.add_argument(
        "--queue-groups",
        type=options.count(scale.checked_queue_groups),
        default=None,
        help="message groups per state queue, as the stage publishes them (default: the "
        f"running orders serve's, else [{scale.ENV_QUEUE_GROUPS}], else "
        f"{scale.DEFAULT_QUEUE_GROUPS})",
    )


def run(args: argparse.Namespace) -> int:
    from api.repair import UnknownShardCount, repair
    from resolvers.adapters import aws_clients
    from resolvers.definitions.resources import ResourceNames

    server: dict[str, Any] = {}
    if args.cloud:
        # The Lambda's own clients: the caller's credentials and region, standard retries.
        dynamodb, sqs = aws_clients.dynamodb_client(), aws_clients.sqs_client()
        print(f"orders repair: AWS, stage {args.stage}", file=sys.stderr)
    else:
        aws, server = running_aws(args)
        dynamodb, sqs = aws.dynamodb(), aws.sqs()
    try:
        count = repair(
            dynamodb,
            sqs,
            ResourceNames(args.stage),
            older_than_seconds=args.older_than,
            out=sys.stdout,
            state_shards=args.state_shards,
            queue_groups=_queue_groups(args, server),
        )
    except UnknownShardCount as error:
        raise CommandFailed(str(error)) from None
    print(f"{count} message(s) republished")
    return 0


def _queue_groups(args: argparse.Namespace, server: dict[str, Any]) -> int:
    """G for the republished messages' groups: the option, else what the running `orders
    serve` uses, else the environment's (the stage's setting), else the default."""
    if args.queue_groups is not None:
        return int(args.queue_groups)
    if isinstance(server.get("queue_groups"), int):
        return int(server["queue_groups"])
    return options.count(scale.checked_queue_groups)(
        options.from_env(scale.ENV_QUEUE_GROUPS, scale.DEFAULT_QUEUE_GROUPS)
    )
