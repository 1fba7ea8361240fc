"""The real Lambda entry, called in this process the way the Lambda runtime calls it:
recorded AppSync events in, the field's data out."""

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from resolvers.fields import ResolverField

# The recorded AppSync events the tests use (tests/fixtures): one definition of the event
# shape, with the arguments and selection set swapped per call.
from tests.fixtures import appsync_event

if TYPE_CHECKING:  # resolvers.bootstrap is imported only once the environment is set
    from resolvers.bootstrap import Application


class LambdaError(Exception):
    """The handler answered {"error": ...}: a benchmark must never time an error."""


class InProcessLambda:
    """`resolvers.handler.lambda_handler` with `environment` set first, as a Lambda
    container has it (Powertools reads its variables when the handler is imported)."""

    def __init__(self, environment: Mapping[str, str]) -> None:
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(environment)
        from resolvers import bootstrap
        from resolvers.handler import lambda_handler

        bootstrap.reset()
        self._bootstrap = bootstrap
        self._handler: Callable[[dict[str, Any], Any], Any] = lambda_handler
        self._by_cache_ttl: dict[int, Application] = {}

    def invoke(self, event: dict[str, Any]) -> Any:
        result = self._handler(event, None)
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
        application = self._by_cache_ttl.get(seconds)
        if application is None:
            # The same adapters and clients; only the Lambda's caching decision differs.
            application = dataclasses.replace(
                self._bootstrap.application(), cache_ttl_seconds=seconds
            )
            self._by_cache_ttl[seconds] = application
        self._bootstrap.use(application)


def event(
    field: ResolverField, arguments: dict[str, Any], selection: list[str] | None = None
) -> dict[str, Any]:
    """The recorded event of `field` with these arguments and, when given, this selection
    set. The recordings are named after the field in snake case (getOrder: get_order)."""
    recorded = re.sub(r"(?<!^)(?=[A-Z])", "_", field.field_name).lower()
    return appsync_event(recorded, arguments, selection)
