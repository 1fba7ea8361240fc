"""`orders schema`: write schema.graphql from the strawberry types in `api/`, and
order-message.schema.json (the queue messages) from the domain."""

import argparse

from api.commands import CommandFailed


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    subparsers.add_parser(
        "schema", help="write schema.graphql and order-message.schema.json"
    ).set_defaults(run=run)


def run(_: argparse.Namespace) -> int:
    # Imported here: strawberry and graphql-core are half a second of every `orders` command.
    from api.message_schema import write_message_schema
    from api.sdl import write_schema

    try:
        print(f"wrote {write_schema()}")
        print(f"wrote {write_message_schema()}")
    except OSError as error:
        raise CommandFailed(f"cannot write the schema: {error}") from None
    return 0
