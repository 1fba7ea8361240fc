"""Finding the `orders serve` a command talks to, and saying which on stderr (the answer
itself goes to stdout): `--endpoint-url` names an AWS endpoint; `--data-dir` the server that
holds that directory; `--port` the server listening there; with none of them, the one server
running, `--ephemeral` ones included (api/emulator/running_servers.py)."""

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.commands import CommandFailed, options
from api.emulator import running_servers
from api.emulator.data_dir import read_server_file
from resolvers.definitions.resources import LOCAL_STAGE

if TYPE_CHECKING:
    from api.emulator.local_aws import LocalAws


def add_server_options(command: argparse.ArgumentParser, purpose: str) -> None:
    """--data-dir, --port and --endpoint-url: which running server `purpose` is."""
    command.add_argument(
        "--data-dir",
        default=os.environ.get(options.ENV_DATA_DIR) or None,
        help=f"the data directory of the orders serve {purpose} [{options.ENV_DATA_DIR}] "
        "(default: the one orders serve running)",
    )
    command.add_argument(
        "--port",
        type=options.port,
        default=None,
        help=f"the GraphQL port of the orders serve {purpose} (when several run)",
    )
    options.add_endpoint_url(
        command,
        f"an AWS endpoint instead (an external one orders serve was started with): {purpose}",
    )


def add_cloud_options(command: argparse.ArgumentParser, *, stage_help: str) -> None:
    """--cloud and --stage: AWS itself, and which stage's resources there (or the emulator's)."""
    command.add_argument(
        "--cloud",
        action="store_true",
        help="AWS itself, with your credentials and region, instead of the emulator",
    )
    command.add_argument("--stage", default=LOCAL_STAGE, help=stage_help)


def running_server(args: argparse.Namespace) -> dict[str, Any]:
    """What the chosen `orders serve` wrote about itself, or the endpoint given."""
    if args.endpoint_url:
        return {"aws_endpoint": args.endpoint_url, "embedded_aws": False}
    if args.data_dir:
        found = read_server_file(Path(args.data_dir))
        if found is None:
            raise CommandFailed(
                f"no orders serve is running with the data directory {args.data_dir}: start "
                "one (make serve), or choose another with --data-dir or --port"
            )
        return found
    servers = running_servers.running()
    if args.port is not None:
        servers = [s for s in servers if s.get("port") == args.port]
    if len(servers) == 1:
        return servers[0]
    if not servers:
        where = f" on port {args.port}" if args.port is not None else ""
        raise CommandFailed(f"no orders serve is running{where}: start one (make serve)")
    raise CommandFailed(
        f"{len(servers)} orders serve are running; choose one with --port: "
        + "; ".join(describe(s) for s in servers)
    )


def describe(server: dict[str, Any]) -> str:
    """One line a user recognises the server by."""
    if "pid" not in server:
        return f"the AWS endpoint {server['aws_endpoint']}"
    kept = f"data {server['data_dir']}" if server.get("data_dir") else "in memory (--ephemeral)"
    return f"orders serve pid {server['pid']}, {server.get('graphql')}, {kept}"


def running_aws(args: argparse.Namespace) -> tuple["LocalAws", dict[str, Any]]:
    """The chosen server's AWS endpoint, said on stderr, and what the server wrote."""
    running = running_server(args)
    if not args.endpoint_url:  # a server found, not named: say which
        print(f"orders {args.command}: {describe(running)}", file=sys.stderr)
    # Imported once there is something to ask: boto3 is slow to load.
    from api.emulator.local_aws import LocalAws

    env = {
        **os.environ,
        **({"AWS_REGION": running["aws_region"]} if "aws_region" in running else {}),
    }
    aws = LocalAws.at(running["aws_endpoint"], embedded=running["embedded_aws"], env=env)
    return aws, running
