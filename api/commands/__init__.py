"""The `orders` subcommands, one module each. A module exposes `register(subparsers)`, which
adds its parser and sets `run` (the handler: `(argparse.Namespace) -> int`); `api/cli.py` calls
each `register` once. An expected failure raises `CommandFailed`, whose message is the one
line `orders` prints on stderr."""


class CommandFailed(Exception):
    """An expected failure; its message is the one line the user reads."""
