"""`orders queues`: message counts of the running emulator's state queues, or drain one."""

import argparse
import sys

from api.commands import CommandFailed
from api.commands.running import add_server_options, running_aws
from resolvers.domain.states import Estado


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    queues = subparsers.add_parser(
        "queues",
        help="message counts of the local state queues",
        description="Message counts of the state queues (and dead-letter queues) of the running "
        "orders serve (named on stderr; the counts on stdout), or of --endpoint-url.",
    )
    add_server_options(queues, "to ask")
    queues.add_argument(
        "--drain",
        choices=[e.value for e in Estado],
        metavar="ESTADO",
        help="print (JSON lines, FIFO order) and delete the messages of one state's queue",
    )
    queues.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    aws, _ = running_aws(args)
    from api.emulator import queues

    try:
        if args.drain:
            queues.drain(aws, Estado(args.drain), sys.stdout)
        else:
            queues.print_counts(aws, sys.stdout)
    except (queues.QueuesUnavailable, queues.DrainFailed) as error:
        raise CommandFailed(str(error)) from None
    return 0
