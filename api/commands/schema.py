"""`orders schema`: write schema.graphql from the strawberry types in `api/`."""

import argparse

from api.commands import CommandFailed
from api.sdl import write_schema


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    subparsers.add_parser("schema", help="write schema.graphql from api/").set_defaults(run=run)


def run(_: argparse.Namespace) -> int:
    try:
        print(f"wrote {write_schema()}")
    except OSError as error:
        raise CommandFailed(f"cannot write the schema: {error}") from None
    return 0
