"""The Lambda entry behind every AppSync resolver of the API."""

import warnings
from typing import Any

from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.logging import correlation_paths

from resolvers import bootstrap
from resolvers.domain.errors import OrderError
from resolvers.fields import ResolverField
from resolvers.observability import logger, metrics, tracer
from resolvers.routes import mutations, queries
from resolvers.runtime_context import as_lambda_context

app = AppSyncResolver()  # type: ignore[no-untyped-call]  # Powertools leaves it untyped
app.include_router(queries.router)
app.include_router(mutations.router)

# The fields this entry resolves; a test checks them against resolvers.fields both ways.
ROUTED_FIELDS: frozenset[ResolverField] = frozenset(queries.router.fields | mutations.router.fields)

# Reads emit no metric; log_metrics would warn about that on every one of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")


class InternalError(Exception):
    """What an unexpected failure surfaces as: no internals, only where to look in logs."""


@app.exception_handler(OrderError)  # type: ignore[untyped-decorator]
def domain_error(error: OrderError) -> dict[str, Any]:
    # AppSync's response handler raises this with util.error(message, type) (DESIGN.md).
    return {"error": {"type": error.error_type, "message": error.message}}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def _resolve(event: dict[str, Any], context: Any) -> Any:
    try:
        application = bootstrap.application()
        if application.client_tokens is not None:
            application.client_tokens.register_lambda_context(context)
        if application.deadline is not None:
            application.deadline.start(context)
        return app.resolve(event, context)
    except Exception:
        logger.exception("unexpected error resolving %s", _field_path(event))
        # Without a trace header, the request id (logged as function_request_id) finds the line.
        correlation_id = logger.get_correlation_id() or context.aws_request_id
        raise InternalError(f"internal error; correlation id {correlation_id}") from None


def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    """Resolve one AppSync direct-resolver event: the field's data, or
    {"error": {"type", "message"}} for a domain error."""
    try:
        return _resolve(event, as_lambda_context(context))
    finally:
        # log_metrics flushes and clears only when metrics are enabled; when they are
        # disabled (local emulator, tests) the set would grow across invocations.
        metrics.clear_metrics()


def _field_path(event: dict[str, Any]) -> str:
    info = event.get("info") or {}
    return f"{info.get('parentTypeName')}.{info.get('fieldName')}"
