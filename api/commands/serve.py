"""`orders serve`: the API locally, on the AppSync emulator."""

import argparse
import os
from pathlib import Path

from api.commands import options
from resolvers.definitions import scale
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS
from resolvers.definitions.resources import ENV_CACHE_TTL

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_AWS_PORT = 4566
# AppSync does not document its `ka` period; a minute is well inside the 300 s it announces.
DEFAULT_KEEPALIVE_SECONDS = 60.0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    serve = subparsers.add_parser("serve", help="run the API locally (AppSync emulator)")
    _add_addresses(serve)
    serve.add_argument(
        "--api-key",
        default=os.environ.get("ORDERS_API_KEY") or None,
        help="the x-api-key clients must send [ORDERS_API_KEY] (default: the key kept in the "
        "data directory, made on first start; a fresh one with --ephemeral)",
    )
    serve.add_argument(
        "--cache-ttl",
        type=options.cache_ttl,
        default=options.from_env(ENV_CACHE_TTL, DEFAULT_TTL_SECONDS),
        help=f"API cache TTL in seconds, 0 turns it off [{ENV_CACHE_TTL}] "
        f"(default {DEFAULT_TTL_SECONDS})",
    )
    options.add_data_dir(
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
        type=options.positive_seconds,
        default=options.from_env("ORDERS_KEEPALIVE_SECONDS", DEFAULT_KEEPALIVE_SECONDS),
        help="seconds between the real-time protocol's `ka` messages [ORDERS_KEEPALIVE_SECONDS] "
        f"(default {DEFAULT_KEEPALIVE_SECONDS:g})",
    )
    _add_scale(serve)
    serve.add_argument(
        "--mfa",
        action="store_true",
        default=os.environ.get("ORDERS_MFA", "").lower() in {"1", "true", "yes"},
        help="the local user pool requires software-token (TOTP) MFA, as prod's [ORDERS_MFA=1]",
    )
    serve.set_defaults(run=run)


def _add_addresses(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address both servers (API and embedded AWS) bind to (default {DEFAULT_HOST})",
    )
    serve.add_argument(
        "--aws-port",
        type=options.port,
        default=options.from_env("ORDERS_AWS_PORT", DEFAULT_AWS_PORT),
        help=f"port of the embedded moto server [ORDERS_AWS_PORT] (default {DEFAULT_AWS_PORT})",
    )
    options.add_endpoint_url(
        serve,
        "an external AWS-compatible endpoint (DynamoDB Local, LocalStack) instead of the "
        "embedded one; its data is its own business",
    )
    serve.add_argument(
        "--port",
        type=options.port,
        default=options.from_env("ORDERS_PORT", DEFAULT_PORT),
        help=f"GraphQL port [ORDERS_PORT] (default {DEFAULT_PORT})",
    )


def _add_scale(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--state-shards",
        type=options.count(scale.checked_state_shards),
        default=options.from_env(scale.ENV_STATE_SHARDS, scale.DEFAULT_STATE_SHARDS),
        help="shards of the state index, fixed when the table is created "
        f"[{scale.ENV_STATE_SHARDS}] (default {scale.DEFAULT_STATE_SHARDS})",
    )
    serve.add_argument(
        "--queue-groups",
        type=options.count(scale.checked_queue_groups),
        default=options.from_env(scale.ENV_QUEUE_GROUPS, scale.DEFAULT_QUEUE_GROUPS),
        help="message groups per state queue; 1 keeps one total order per state "
        f"[{scale.ENV_QUEUE_GROUPS}] (default {scale.DEFAULT_QUEUE_GROUPS})",
    )


def run(args: argparse.Namespace) -> int:
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
            mfa=args.mfa,
        )
    )
