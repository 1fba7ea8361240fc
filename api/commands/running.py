"""Finding the `orders serve` a command talks to: the AWS endpoint given, or the one of the
server holding the data directory."""

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.commands import CommandFailed
from api.emulator.data_dir import read_server_file

if TYPE_CHECKING:
    from api.emulator.local_aws import LocalAws


def running_server(args: argparse.Namespace) -> dict[str, Any]:
    """What the running `orders serve` wrote about itself, or the endpoint given."""
    if args.endpoint_url:
        return {"aws_endpoint": args.endpoint_url, "embedded_aws": False}
    found = read_server_file(Path(args.data_dir))
    if found is None:
        raise CommandFailed(
            f"no orders serve is running with the data directory {args.data_dir}: start "
            "one (make serve), or point at it with --data-dir, or with --endpoint-url at "
            "its AWS endpoint (a server started with --ephemeral is found only that way)"
        )
    return found


def running_aws(args: argparse.Namespace) -> "LocalAws":
    """The AWS endpoint given, or the one of the `orders serve` using the data directory."""
    running = running_server(args)
    # Imported once there is something to ask: boto3 is slow to load.
    from api.emulator.local_aws import LocalAws

    env = {
        **os.environ,
        **({"AWS_REGION": running["aws_region"]} if "aws_region" in running else {}),
    }
    return LocalAws.at(running["aws_endpoint"], embedded=running["embedded_aws"], env=env)
