"""A Lambda context for in-process callers (the local emulator, tests), which may pass
None: Powertools' logger and idempotency read the context's fields."""

import uuid
from dataclasses import dataclass, field
from typing import Any

LOCAL_TIMEOUT_MILLIS = 30_000


@dataclass(frozen=True)
class LocalContext:
    function_name: str = "orders-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:orders-local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/orders-local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return LOCAL_TIMEOUT_MILLIS


_REQUIRED = ("function_name", "memory_limit_in_mb", "invoked_function_arn", "aws_request_id")


def as_lambda_context(context: Any) -> Any:
    """`context` when it looks like a Lambda context, otherwise a LocalContext."""
    if all(hasattr(context, name) for name in _REQUIRED) and hasattr(
        context, "get_remaining_time_in_millis"
    ):
        return context
    return LocalContext()
