"""`orders queues`: message counts of the running emulator's state queues, or drain one."""

import argparse
import sys

from api.commands import CommandFailed, options
from api.commands.running import running_aws
from resolvers.domain.states import Estado


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    queues = subparsers.add_parser(
        "queues",
        help="message counts of the local state queues",
        description="Message counts of the state queues (and dead-letter queues) of the running "
        "orders serve, found through its data directory, or of --endpoint-url.",
    )
    options.add_data_dir(queues, "the data directory of the orders serve to ask")
    options.add_endpoint_url(
        queues,
        "ask this AWS endpoint instead: an external one orders serve was started with, or "
        "the embedded one of a server started with --ephemeral",
    )
    queues.add_argument(
        "--drain",
        choices=[e.value for e in Estado],
        metavar="ESTADO",
        help="print (JSON lines, FIFO order) and delete the messages of one state's queue",
    )
    queues.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    aws = running_aws(args)
    from api.emulator import queues

    try:
        if args.drain:
            queues.drain(aws, Estado(args.drain), sys.stdout)
        else:
            queues.print_counts(aws, sys.stdout)
    except (queues.QueuesUnavailable, queues.DrainFailed) as error:
        raise CommandFailed(str(error)) from None
    return 0
