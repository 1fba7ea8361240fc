"""The Lambda entry behind every AppSync resolver of the API."""

import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from resolvers import bootstrap, snapstart
from resolvers.bootstrap import Application
from resolvers.definitions.fields import ResolverField
from resolvers.domain.errors import OrderError
from resolvers.observability import logger, metrics, traced_entry

# Before resolvers.routes: its import of Powertools' Router would otherwise run the whole
# event_handler package's __init__ (resolvers/powertools_appsync.py says why that is avoided).
from resolvers.powertools_appsync import AppSyncResolver
from resolvers.routes import APPLICATION, mutations, queries

Handler = Callable[[dict[str, Any], Any], Any]

app = AppSyncResolver()  # type: ignore[no-untyped-call]  # Powertools leaves it untyped
app.include_router(queries.router)
app.include_router(mutations.router)

# The fields this entry resolves; a test checks them against the contract both ways.
ROUTED_FIELDS: frozenset[ResolverField] = frozenset(queries.router.fields | mutations.router.fields)

# Reads emit no metric; log_metrics would warn about that on every one of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")


class InternalError(Exception):
    """What an unexpected failure surfaces as: no internals, only where to look in logs."""


@app.exception_handler(OrderError)  # type: ignore[untyped-decorator]
def domain_error(error: OrderError) -> dict[str, Any]:
    # AppSync's response handler raises this with util.error(message, type)
    # (docs/design.md, "Errors cross the Lambda boundary as data").
    return {"error": {"type": error.error_type, "message": error.message}}


def handler_for(build: Callable[[], Application]) -> Handler:
    """A Lambda entry that builds its application with `build` on the first invocation and
    keeps it for the life of the container. Tests and benchmarks pass their own."""
    built: list[Application] = []

    def application() -> Application:
        if not built:
            built.append(build())
        return built[0]

    def handle(event: dict[str, Any], context: Any) -> Any:
        """Resolve one AppSync direct-resolver event: the field's data, or
        {"error": {"type", "message"}} for a domain error."""
        try:
            return _resolve(event, context, application=application)
        finally:
            # log_metrics flushes and clears only when metrics are enabled; when they are
            # disabled (local emulator, tests) the set would grow across invocations.
            metrics.clear_metrics()

    return handle


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
@traced_entry
@metrics.log_metrics
def _resolve(event: dict[str, Any], context: Any, *, application: Callable[[], Application]) -> Any:
    try:
        wired = application()
        wired.start_invocation(context)
        app.append_context(**{APPLICATION: wired})  # type: ignore[no-untyped-call]
        return app.resolve(event, context)
    except Exception:
        logger.exception("unexpected error resolving %s", _field_path(event))
        # Without a trace header, the request id (logged as function_request_id) finds the line.
        correlation_id = logger.get_correlation_id() or context.aws_request_id
        raise InternalError(f"internal error; correlation id {correlation_id}") from None


def _field_path(event: dict[str, Any]) -> str:
    info = event.get("info") or {}
    return f"{info.get('parentTypeName')}.{info.get('fieldName')}"


# What the Lambda runtime calls (resolvers.definitions.function.HANDLER).
lambda_handler = handler_for(bootstrap.from_environment)
# With SnapStart (prod), the runtime runs the hooks around the snapshot; elsewhere a no-op.
snapstart.register()
