"""Logger, Tracer and Metrics shared by the entry and the routes.

Outside Lambda the Tracer disables itself (no LAMBDA_TASK_ROOT) and Metrics can be
silenced with POWERTOOLS_METRICS_DISABLED; neither needs AWS."""

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

from resolvers.contract.function import METRICS_NAMESPACE
from resolvers.contract.resources import SERVICE

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE))
tracer = Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE))
# An explicit namespace argument would win over the environment; pass it only as default.
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE),
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE),
)

ORDERS_CREATED = "OrdersCreated"
STATE_TRANSITIONS = "StateTransitions"
