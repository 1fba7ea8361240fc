"""Subcommands of `orders` that live in their own module: each exposes `register(subparsers)`."""
