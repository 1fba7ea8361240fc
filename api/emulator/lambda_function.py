"""The resolvers' Lambda handler, invoked as the Lambda service would: a JSON event in, a
JSON result out, one invocation at a time per container, with a LambdaContext."""

import asyncio
import importlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from resolvers.contract.function import HANDLER
from resolvers.contract.resources import LOCAL_STAGE, ResourceNames

FUNCTION_NAME = ResourceNames(LOCAL_STAGE).function
MEMORY_LIMIT_MB = 512
TIMEOUT_SECONDS = 30

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of the Lambda runtime's context object that Powertools reads. The one
    stand-in for it: the emulator, the tests and the benchmarks all pass this."""

    function_name: str = FUNCTION_NAME
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = MEMORY_LIMIT_MB
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = f"/aws/lambda/{FUNCTION_NAME}"
    log_stream_name: str = "local"
    invoked_function_arn: str = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION_NAME}"
    _deadline: float = field(default_factory=lambda: time.monotonic() + TIMEOUT_SECONDS)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(path: str = HANDLER) -> Handler:
    """Import the handler. Powertools reads its POWERTOOLS_* variables at import time, so
    this runs after the emulator has set the Lambda's environment."""
    module_name, _, attribute = path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


class LambdaFunction:
    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        # A Lambda container runs one invocation at a time, and the handler keeps
        # per-invocation state (Powertools' resolver holds the current event).
        self._container = asyncio.Lock()

    async def invoke(self, event: dict[str, Any]) -> Any:
        """The handler's result after a JSON round trip; raises what the handler raises."""
        async with self._container:
            # A worker thread keeps the server answering while boto3 blocks.
            result = await asyncio.to_thread(self._handler, event, LambdaContext())
        return json.loads(json.dumps(result))
