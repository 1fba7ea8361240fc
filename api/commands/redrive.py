"""`orders redrive ESTADO`: return a state's dead letters to its queue, in order
(api/redrive.py), locally or in the cloud."""

import argparse
import sys

from api.commands import CommandFailed
from api.commands.running import add_cloud_options, add_server_options, running_aws
from resolvers.definitions.resources import LOCAL_STAGE
from resolvers.domain.states import Estado


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    redrive = subparsers.add_parser(
        "redrive",
        help="move a state's dead-letter queue messages back to its queue, in order",
        description="Move the messages of ESTADO's dead-letter queue back to ESTADO's queue, "
        "in order, keeping each message's group and deduplication id. Prints one JSON line "
        "per message moved. Fix what made the consumer fail first.",
    )
    redrive.add_argument("estado", choices=[e.value for e in Estado], metavar="ESTADO")
    add_server_options(redrive, "whose queues to use")
    add_cloud_options(
        redrive,
        stage_help=f"whose queues (default {LOCAL_STAGE}, the emulator's; "
        "dev or prod with --cloud)",
    )
    redrive.set_defaults(run=_redrive)


def _redrive(args: argparse.Namespace) -> int:
    # Imported here: boto3 is slow to load.
    from botocore.exceptions import BotoCoreError, ClientError

    from api.redrive import RedriveFailed, redrive
    from resolvers.adapters import aws_clients
    from resolvers.definitions.resources import ResourceNames

    sqs = aws_clients.sqs_client() if args.cloud else running_aws(args)[0].sqs()
    try:
        count = redrive(sqs, ResourceNames(args.stage), Estado(args.estado), out=sys.stdout)
    except (BotoCoreError, ClientError, RedriveFailed) as error:
        raise CommandFailed(f"redrive of {args.estado} stopped: {error}") from None
    print(f"{count} message(s) moved back to the {args.estado} queue", file=sys.stderr)
    return 0
