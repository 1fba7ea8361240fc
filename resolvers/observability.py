"""Logger, Tracer and Metrics shared by the entry and the routes.

Metrics can be silenced with POWERTOOLS_METRICS_DISABLED; neither it nor the Logger needs
AWS. Tracing is on only where Powertools would trace: in Lambda (LAMBDA_TASK_ROOT set)
unless POWERTOOLS_TRACE_DISABLED says otherwise."""

import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer

from resolvers.definitions.function import METRICS_NAMESPACE
from resolvers.definitions.resources import SERVICE

Entry = TypeVar("Entry", bound=Callable[..., Any])

# Only the AWS SDK is traced: it makes every call the resolvers make. Powertools' default
# (X-Ray's patch_all) also imports and patches every other library X-Ray knows that is
# installed, a cold-start cost for calls this code never makes (bench/report.md).
TRACED_LIBRARIES = ("botocore",)

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE))
# An explicit namespace argument would win over the environment; pass it only as default.
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE),
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE),
)


def tracing_enabled() -> bool:
    """Powertools' own rule (it is what a Tracer built here would decide)."""
    return not Tracer._is_tracer_disabled()


# A Tracer imports and configures the X-Ray SDK even when it is disabled, so none is built
# where tracing is off (the emulator, the tests): that import is pure cold-start cost there.
tracer: Tracer | None = (
    Tracer(
        service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE),
        patch_modules=TRACED_LIBRARIES,
    )
    if tracing_enabled()
    else None
)


def traced_entry(entry: Entry) -> Entry:
    """`entry` as a traced Lambda handler when tracing is on, unchanged otherwise."""
    if tracer is None:
        return entry
    return cast(Entry, tracer.capture_lambda_handler(entry, capture_response=False))


ORDERS_CREATED = "OrdersCreated"
STATE_TRANSITIONS = "StateTransitions"
