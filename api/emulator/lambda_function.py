"""The resolvers' Lambda handler, invoked as the Lambda service would: a JSON event in, a
JSON result out, one invocation at a time per container, with a LambdaContext."""

import asyncio
import importlib
import json
from collections.abc import Callable
from typing import Any

from api.emulator.lambda_context import LambdaContext
from resolvers.contract.function import HANDLER

Handler = Callable[[dict[str, Any], Any], Any]


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
