"""The `orders` command line. An expected failure (a taken port, a data directory in use, no
server to talk to, a closed pipe) ends with one line on stderr and a non-zero exit, never a
traceback."""

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.commands import consume, redrive
from api.emulator.data_dir import DEFAULT_DATA_DIR, DataDirError, read_server_file
from api.message_schema import write_message_schema
from api.sdl import write_schema
from resolvers.contract import scale
from resolvers.contract.caching import DEFAULT_TTL_SECONDS, checked_ttl
from resolvers.contract.resources import ENV_CACHE_TTL, LOCAL_STAGE
from resolvers.domain.states import Estado
from resolvers.service.orders import IN_FLIGHT_SECONDS

if TYPE_CHECKING:
    from api.emulator.local_aws import LocalAws

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_AWS_PORT = 4566
# AppSync does not document its `ka` period; a minute is well inside the 300 s it announces.
DEFAULT_KEEPALIVE_SECONDS = 60.0


# 128 + SIGPIPE, what a shell reports for a program a closed pipe ended.
EXIT_CLOSED_PIPE = 141
EXIT_INTERRUPTED = 130


class CommandFailed(Exception):
    """An expected failure; its message is the one line the user reads."""


def _schema(_: argparse.Namespace) -> int:
    try:
        print(f"wrote {write_schema()}")
        print(f"wrote {write_message_schema()}")
    except OSError as error:
        raise CommandFailed(f"cannot write the schema: {error}") from None
    return 0


def _serve(args: argparse.Namespace) -> int:
    # Imported here: the emulator pulls in uvicorn, moto and the Lambda package.
    from api.emulator.server import ServeOptions, serve

    return serve(
        ServeOptions(
            host=args.host,
            port=args.port,
            aws_port=args.aws_port,
            endpoint_url=args.endpoint_url,
            api_key=args.api_key,
            cache_ttl=args.cache_ttl,
            data_dir=None if args.ephemeral else Path(args.data_dir),
            tls=args.tls,
            keepalive_seconds=args.keepalive_seconds,
            state_shards=args.state_shards,
            queue_groups=args.queue_groups,
        )
    )


def _queues(args: argparse.Namespace) -> int:
    aws = _running_aws(args)
    from api.emulator import queues

    try:
        if args.drain:
            queues.drain(aws, Estado(args.drain), sys.stdout)
        else:
            queues.print_counts(aws, sys.stdout)
    except (queues.QueuesUnavailable, queues.DrainFailed) as error:
        raise CommandFailed(str(error)) from None
    return 0


def _running_aws(args: argparse.Namespace) -> "LocalAws":
    """The AWS endpoint given, or the one of the `orders serve` using the data directory."""
    running: dict[str, Any] = {"aws_endpoint": args.endpoint_url, "embedded_aws": False}
    if not args.endpoint_url:
        found = read_server_file(Path(args.data_dir))
        if found is None:
            raise CommandFailed(
                f"no orders serve is running with the data directory {args.data_dir}: start "
                "one (make serve), or point at it with --data-dir, or with --endpoint-url at "
                "its AWS endpoint (a server started with --ephemeral is found only that way)"
            )
        running = found
    # Imported once there is something to ask: boto3 is slow to load.
    from api.emulator.local_aws import LocalAws

    env = {
        **os.environ,
        **({"AWS_REGION": running["aws_region"]} if "aws_region" in running else {}),
    }
    return LocalAws.at(running["aws_endpoint"], embedded=running["embedded_aws"], env=env)


def _repair(args: argparse.Namespace) -> int:
    from api.repair import UnknownShardCount, repair
    from resolvers.adapters import aws_clients
    from resolvers.contract.resources import ResourceNames

    if args.cloud:
        # The Lambda's own clients: the caller's credentials and region, standard retries.
        dynamodb, sqs = aws_clients.dynamodb_client(), aws_clients.sqs_client()
    else:
        aws: LocalAws = _running_aws(args)
        dynamodb, sqs = aws.dynamodb(), aws.sqs()
    try:
        count = repair(
            dynamodb,
            sqs,
            ResourceNames(args.stage),
            older_than_seconds=args.older_than,
            out=sys.stdout,
            state_shards=args.state_shards,
            queue_groups=_repair_queue_groups(args),
        )
    except UnknownShardCount as error:
        raise CommandFailed(str(error)) from None
    print(f"{count} message(s) republished", file=sys.stderr)
    return 0


def _repair_queue_groups(args: argparse.Namespace) -> int:
    """G for the republished messages' groups: the option, else what the running `orders
    serve` uses, else the environment's (the stage's setting), else the default."""
    if args.queue_groups is not None:
        return int(args.queue_groups)
    if not args.cloud and not args.endpoint_url:
        found = read_server_file(Path(args.data_dir)) or {}
        if isinstance(found.get("queue_groups"), int):
            return int(found["queue_groups"])
    return _count(scale.checked_queue_groups)(
        _from_env(scale.ENV_QUEUE_GROUPS, scale.DEFAULT_QUEUE_GROUPS)
    )


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"{text}: seconds cannot be negative")
    return seconds


def _from_env(name: str, default: int) -> str:
    # A string default goes through the option's `type`, so a bad variable is reported
    # like a bad option instead of as a traceback.
    return os.environ.get(name) or str(default)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text} s: it must be more than 0")
    return seconds


def _cache_ttl(text: str) -> int:
    """0 (cache off) or a TTL AppSync accepts."""
    try:
        ttl = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    try:
        return checked_ttl(ttl)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _count(check: Callable[[int], int]) -> Callable[[str], int]:
    """An option's type: a whole number that `check` accepts."""

    def parse(text: str) -> int:
        try:
            count = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        try:
            return check(count)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _add_data_dir_option(command: argparse.ArgumentParser, purpose: str) -> None:
    command.add_argument(
        "--data-dir",
        default=os.environ.get("ORDERS_DATA_DIR") or DEFAULT_DATA_DIR,
        help=f"{purpose} [ORDERS_DATA_DIR] (default {DEFAULT_DATA_DIR} in the current directory)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orders", description="Work orders on AppSync")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("schema", help="write schema.graphql from api/").set_defaults(run=_schema)

    serve = commands.add_parser("serve", help="run the API locally (AppSync emulator)")
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address both servers (API and embedded AWS) bind to (default {DEFAULT_HOST})",
    )
    serve.add_argument(
        "--aws-port",
        type=_port,
        default=_from_env("ORDERS_AWS_PORT", DEFAULT_AWS_PORT),
        help=f"port of the embedded moto server [ORDERS_AWS_PORT] (default {DEFAULT_AWS_PORT})",
    )
    serve.add_argument(
        "--endpoint-url",
        default=os.environ.get("ORDERS_ENDPOINT_URL") or None,
        help="an external AWS-compatible endpoint (DynamoDB Local, LocalStack) instead of the "
        "embedded one; its data is its own business [ORDERS_ENDPOINT_URL]",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=_from_env("ORDERS_PORT", DEFAULT_PORT),
        help=f"GraphQL port [ORDERS_PORT] (default {DEFAULT_PORT})",
    )
    serve.add_argument(
        "--api-key",
        default=os.environ.get("ORDERS_API_KEY") or None,
        help="the x-api-key clients must send [ORDERS_API_KEY] (default: the key kept in the "
        "data directory, made on first start; a fresh one with --ephemeral)",
    )
    serve.add_argument(
        "--cache-ttl",
        type=_cache_ttl,
        default=_from_env(ENV_CACHE_TTL, DEFAULT_TTL_SECONDS),
        help=f"API cache TTL in seconds, 0 turns it off [{ENV_CACHE_TTL}] "
        f"(default {DEFAULT_TTL_SECONDS})",
    )
    _add_data_dir_option(
        serve, "where orders, idempotency records, queued messages and the API key are kept"
    )
    serve.add_argument(
        "--ephemeral",
        action="store_true",
        default=os.environ.get("ORDERS_EPHEMERAL") == "1",
        help="keep everything in memory, gone when the server stops [ORDERS_EPHEMERAL=1]",
    )
    serve.add_argument(
        "--tls",
        action="store_true",
        default=os.environ.get("ORDERS_TLS", "").lower() in {"1", "true", "yes"},
        help="HTTPS and WSS on the same port, with a certificate from a local CA kept in the "
        "data directory (what Amplify JS needs for subscriptions) [ORDERS_TLS=1]",
    )
    serve.add_argument(
        "--keepalive-seconds",
        type=_positive_seconds,
        default=os.environ.get("ORDERS_KEEPALIVE_SECONDS") or str(DEFAULT_KEEPALIVE_SECONDS),
        help="seconds between the real-time protocol's `ka` messages [ORDERS_KEEPALIVE_SECONDS] "
        f"(default {DEFAULT_KEEPALIVE_SECONDS:g})",
    )
    serve.add_argument(
        "--state-shards",
        type=_count(scale.checked_state_shards),
        default=_from_env(scale.ENV_STATE_SHARDS, scale.DEFAULT_STATE_SHARDS),
        help="shards of the state index, fixed when the table is created "
        f"[{scale.ENV_STATE_SHARDS}] (default {scale.DEFAULT_STATE_SHARDS})",
    )
    serve.add_argument(
        "--queue-groups",
        type=_count(scale.checked_queue_groups),
        default=_from_env(scale.ENV_QUEUE_GROUPS, scale.DEFAULT_QUEUE_GROUPS),
        help="message groups per state queue; 1 keeps one total order per state "
        f"[{scale.ENV_QUEUE_GROUPS}] (default {scale.DEFAULT_QUEUE_GROUPS})",
    )
    serve.set_defaults(run=_serve)

    queues = commands.add_parser(
        "queues",
        help="message counts of the local state queues",
        description="Message counts of the state queues (and dead-letter queues) of the running "
        "orders serve, found through its data directory, or of --endpoint-url.",
    )
    _add_data_dir_option(queues, "the data directory of the orders serve to ask")
    queues.add_argument(
        "--endpoint-url",
        default=os.environ.get("ORDERS_ENDPOINT_URL") or None,
        help="ask this AWS endpoint instead: an external one orders serve was started with, or "
        "the embedded one of a server started with --ephemeral [ORDERS_ENDPOINT_URL]",
    )
    queues.add_argument(
        "--drain",
        choices=[e.value for e in Estado],
        metavar="ESTADO",
        help="print (JSON lines, FIFO order) and delete the messages of one state's queue",
    )
    queues.set_defaults(run=_queues)

    repair = commands.add_parser(
        "repair",
        help="publish the orders whose state's message was never sent (a killed invocation)",
    )
    _add_data_dir_option(repair, "the data directory of the orders serve to repair")
    repair.add_argument(
        "--endpoint-url",
        default=os.environ.get("ORDERS_ENDPOINT_URL") or None,
        help="repair behind this AWS endpoint instead (any AWS-compatible one, or the embedded "
        "one of a server started with --ephemeral) [ORDERS_ENDPOINT_URL]",
    )
    repair.add_argument(
        "--cloud",
        action="store_true",
        help="AWS itself, with your credentials and region, instead of the emulator",
    )
    repair.add_argument(
        "--stage",
        default=LOCAL_STAGE,
        help=f"whose table and queues (default {LOCAL_STAGE}, the emulator's)",
    )
    repair.add_argument(
        "--older-than",
        type=_seconds,
        default=IN_FLIGHT_SECONDS,
        metavar="SECONDS",
        help="only orders unpublished for at least this long: younger ones may belong to a "
        f"write still running (default {IN_FLIGHT_SECONDS:g})",
    )
    repair.add_argument(
        "--state-shards",
        type=_count(scale.checked_state_shards),
        default=None,
        help="shards of the state index (default: what the orders table records in its "
        f"{scale.STATE_SHARDS_TAG} tag)",
    )
    repair.add_argument(
        "--queue-groups",
        type=_count(scale.checked_queue_groups),
        default=None,
        help="message groups per state queue, as the stage publishes them (default: the "
        f"running orders serve's, else [{scale.ENV_QUEUE_GROUPS}], else "
        f"{scale.DEFAULT_QUEUE_GROUPS})",
    )
    repair.set_defaults(run=_repair)
    for command in (consume, redrive):
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.run(args))
        # Written out here, where a closed pipe is still caught, not at the interpreter's exit.
        sys.stdout.flush()
    except (CommandFailed, DataDirError) as error:
        print(f"orders {args.command}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader is gone (`orders queues | head -2`): stop quietly. stdout points at
        # /dev/null so that the interpreter's last flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":
    raise SystemExit(main())
