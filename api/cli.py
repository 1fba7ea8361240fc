"""The `orders` command line."""

import argparse
import os
import secrets
import sys
from collections.abc import Sequence

from api.sdl import write_schema
from resolvers.contract.caching import DEFAULT_TTL_SECONDS, checked_ttl
from resolvers.contract.resources import ENV_CACHE_TTL
from resolvers.domain.states import Estado

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_AWS_PORT = 4566


def _schema(_: argparse.Namespace) -> int:
    print(f"wrote {write_schema()}")
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
            api_key=args.api_key or secrets.token_urlsafe(24),
            cache_ttl=args.cache_ttl,
        )
    )


def _queues(args: argparse.Namespace) -> int:
    from api.emulator import queues
    from api.emulator.local_aws import LocalAws

    aws = LocalAws.choose(args.host, args.aws_port, args.endpoint_url)
    if args.drain:
        queues.drain(aws, Estado(args.drain), sys.stdout)
    else:
        queues.print_counts(aws, sys.stdout)
    return 0


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


def _add_aws_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    command.add_argument(
        "--aws-port",
        type=_port,
        default=_from_env("ORDERS_AWS_PORT", DEFAULT_AWS_PORT),
        help=f"port of the embedded moto server [ORDERS_AWS_PORT] (default {DEFAULT_AWS_PORT})",
    )
    command.add_argument(
        "--endpoint-url",
        default=os.environ.get("ORDERS_ENDPOINT_URL") or None,
        help="an external AWS-compatible endpoint (DynamoDB Local, LocalStack) "
        "instead of the embedded one [ORDERS_ENDPOINT_URL]",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orders", description="Work orders on AppSync")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("schema", help="write schema.graphql from api/").set_defaults(run=_schema)

    serve = commands.add_parser("serve", help="run the API locally (AppSync emulator)")
    _add_aws_options(serve)
    serve.add_argument(
        "--port",
        type=_port,
        default=_from_env("ORDERS_PORT", DEFAULT_PORT),
        help=f"GraphQL port [ORDERS_PORT] (default {DEFAULT_PORT})",
    )
    serve.add_argument(
        "--api-key",
        default=os.environ.get("ORDERS_API_KEY") or None,
        help="the x-api-key clients must send [ORDERS_API_KEY] (default: a fresh random key)",
    )
    serve.add_argument(
        "--cache-ttl",
        type=_cache_ttl,
        default=_from_env(ENV_CACHE_TTL, DEFAULT_TTL_SECONDS),
        help=f"API cache TTL in seconds, 0 turns it off [{ENV_CACHE_TTL}] "
        f"(default {DEFAULT_TTL_SECONDS})",
    )
    serve.set_defaults(run=_serve)

    queues = commands.add_parser("queues", help="message counts of the local state queues")
    _add_aws_options(queues)
    queues.add_argument(
        "--drain",
        choices=[e.value for e in Estado],
        metavar="ESTADO",
        help="print (JSON lines, FIFO order) and delete the messages of one state's queue",
    )
    queues.set_defaults(run=_queues)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
