"""Option types and the options several subcommands share, defined once: a bad value (or a bad
environment variable behind a default) is an option error, never a traceback."""

import argparse
import os
from collections.abc import Callable

from api.emulator.data_dir import DEFAULT_DATA_DIR
from resolvers.definitions.caching import checked_ttl

ENV_ENDPOINT_URL = "ORDERS_ENDPOINT_URL"
ENV_DATA_DIR = "ORDERS_DATA_DIR"


def from_env(name: str, default: object) -> str:
    """A default read from `name`: a string, so that it goes through the option's `type` and
    a bad variable is reported like a bad option, not as a traceback."""
    return os.environ.get(name) or str(default)


def port(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"{number} is not a port number (1-65535)")
    return number


def seconds(text: str) -> float:
    """Zero or more seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text}: seconds cannot be negative")
    return value


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} s: it must be more than 0")
    return value


def cache_ttl(text: str) -> int:
    """0 (cache off) or a TTL AppSync accepts."""
    try:
        ttl = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    try:
        return checked_ttl(ttl)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def count(check: Callable[[int], int]) -> Callable[[str], int]:
    """An option's type: a whole number that `check` accepts."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        try:
            return check(number)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def add_data_dir(command: argparse.ArgumentParser, purpose: str) -> None:
    command.add_argument(
        "--data-dir",
        default=os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR,
        help=f"{purpose} [{ENV_DATA_DIR}] (default {DEFAULT_DATA_DIR} in the current directory)",
    )


def add_endpoint_url(command: argparse.ArgumentParser, purpose: str) -> None:
    command.add_argument(
        "--endpoint-url",
        default=os.environ.get(ENV_ENDPOINT_URL) or None,
        help=f"{purpose} [{ENV_ENDPOINT_URL}]",
    )
