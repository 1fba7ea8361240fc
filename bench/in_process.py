"""The real Lambda entry, called in this process the way the Lambda runtime calls it:
recorded AppSync events in, the field's data out."""

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from api.emulator.lambda_context import LambdaContext

# The recorded AppSync events the tests use: one definition of the event shape, with the
# arguments and selection set swapped per call.
from harness.appsync_events import appsync_event
from resolvers.definitions.fields import GET_ORDER, ResolverField

if TYPE_CHECKING:  # resolvers.bootstrap is imported only once the environment is set
    from mypy_boto3_dynamodb import DynamoDBClient

    from resolvers.bootstrap import Application


class LambdaError(Exception):
    """The handler answered {"error": ...}: a benchmark must never time an error."""


class InProcessLambda:
    """The real Lambda entry with `environment` set first, as a Lambda container has it
    (Powertools reads its variables when the handler is imported). Its application is
    built from that environment on the first invocation, as in a container."""

    def __init__(
        self, environment: Mapping[str, str], dynamodb: "DynamoDBClient | None" = None
    ) -> None:
        """`dynamodb`: a client of the caller's to serve with (one it observes)."""
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(environment)
        from resolvers import bootstrap
        from resolvers.definitions.settings import Settings
        from resolvers.handler import handler_for

        self._handler_for = handler_for
        self._built: list[Application] = []
        settings = Settings.from_env()  # read now: a later instance may change os.environ

        def build() -> "Application":
            self._built.append(bootstrap.build(settings, dynamodb=dynamodb))
            return self._built[0]

        self._handler: Callable[[dict[str, Any], Any], Any] = handler_for(build)
        self._by_cache_ttl: dict[int, Callable[[dict[str, Any], Any], Any]] = {}

    def invoke(self, event: dict[str, Any]) -> Any:
        result = self._handler(event, LambdaContext())
        if isinstance(result, Mapping) and "error" in result:
            raise LambdaError(f"{event['info']['fieldName']}: {result['error']}")
        return result

    def call(
        self,
        field: ResolverField,
        arguments: dict[str, Any],
        selection: list[str] | None = None,
    ) -> Any:
        return self.invoke(event(field, arguments, selection))

    def serve_with_cache_ttl(self, seconds: int) -> None:
        """Serve the next invocations as if the stack had set ORDERS_CACHE_TTL=`seconds`
        (0: reads project their selection set; above 0: cached reads fetch whole items)."""
        handler = self._by_cache_ttl.get(seconds)
        if handler is None:
            if not self._built:
                self.call(GET_ORDER, {"id": "warm-up"})  # builds the application
            # The same adapters and clients; only the Lambda's caching decision differs.
            application = dataclasses.replace(self._built[0], cache_ttl_seconds=seconds)
            handler = self._handler_for(lambda: application)
            self._by_cache_ttl[seconds] = handler
        self._handler = handler


def event(
    field: ResolverField, arguments: dict[str, Any], selection: list[str] | None = None
) -> dict[str, Any]:
    """The recorded event of `field` with these arguments and, when given, this selection
    set. The recordings are named after the field in snake case (getOrder: get_order)."""
    recorded = re.sub(r"(?<!^)(?=[A-Z])", "_", field.field_name).lower()
    return appsync_event(recorded, arguments, selection)
