"""The `orders` command line."""

import argparse
from collections.abc import Sequence

from api.sdl import write_schema


def _schema(_: argparse.Namespace) -> int:
    print(f"wrote {write_schema()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orders", description="Work orders on AppSync")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("schema", help="write schema.graphql from api/").set_defaults(run=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))
