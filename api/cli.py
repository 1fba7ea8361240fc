"""The `orders` command line. Each subcommand lives in `api/commands/<name>.py` and registers
itself (`register(subparsers)`). An expected failure (a taken port, a data directory in use, no
server to talk to, a closed pipe) ends with one line on stderr and a non-zero exit, never a
traceback."""

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from api.commands import CommandFailed, consume, queues, redrive, repair, schema, serve, users
from api.emulator.data_dir import DataDirError

# 128 + SIGPIPE, what a shell reports for a program a closed pipe ended.
EXIT_CLOSED_PIPE = 141
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orders", description="Work orders on AppSync")
    subparsers = parser.add_subparsers(dest="command", required=True)
    schema.register(subparsers)
    serve.register(subparsers)
    queues.register(subparsers)
    repair.register(subparsers)
    users.register(subparsers)
    consume.register(subparsers)
    redrive.register(subparsers)
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


def run() -> NoReturn:
    """The `orders` program: `main`, then out without the interpreter's teardown of every
    module loaded (about 0.4 s of CPU after each command here, `orders serve` included),
    which nothing needs: each command has closed what it opened by the time it returns."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
