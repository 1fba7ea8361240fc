"""Lambda SnapStart: the work done once before the snapshot, and what each restored copy
must redo for itself.

Before the snapshot: everything that is the same for every container and costs a cold
start time: the modules (the handler is imported by then; Powertools idempotency is
imported here too) and boto3's service models and endpoint rules, parsed into the default
session's loader. No client that serves, no connection and no credential crosses the
snapshot: the clients are built on the first invocation after a restore
(resolvers.handler), with their own connections and the restored environment's
credentials.

After a restore: every copy resumes the same memory, so the pseudo-random generator is
reseeded (boto3's retry jitter draws from it; identical copies would retry in lockstep).
Ids come from uuid4, i.e. os.urandom, which the kernel reseeds and is unique per copy.
AWS: https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html and
https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html"""

import random

import boto3

from resolvers.adapters.aws_clients import CLIENT_CONFIG
from resolvers.adapters.idempotent_creation import import_powertools_idempotency

# Explicit placeholder credentials: the session resolves (and caches) none before the
# snapshot. Never used to sign anything: the priming clients make no call.
_PLACEHOLDER_KEY_ID = "before-snapshot"
_PLACEHOLDER_SECRET = "unused"  # noqa: S105  # not a secret: signs nothing


def before_snapshot() -> None:
    # Building a client parses its service model and endpoint rules into the default
    # session's loader, which keeps them: the clients built after the restore reuse them.
    for service in ("dynamodb", "sqs"):  # resolvers.adapters.aws_clients builds these
        boto3.client(
            service,
            config=CLIENT_CONFIG,
            aws_access_key_id=_PLACEHOLDER_KEY_ID,
            aws_secret_access_key=_PLACEHOLDER_SECRET,
        )
    import_powertools_idempotency()


def after_restore() -> None:
    random.seed()


def register() -> bool:
    """Register the hooks with the Lambda runtime; False where it has no SnapStart library
    (anywhere but the Lambda Python runtime: tests, the emulator)."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True
