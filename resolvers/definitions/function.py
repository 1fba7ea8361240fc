"""How the resolvers' Lambda is run: its handler and its environment. The CDK stack gives the
function exactly this; the local emulator and the benchmarks give it to the same handler."""

from collections.abc import Mapping

from resolvers.definitions import resources, scale
from resolvers.domain.states import Estado

# The Lambda runtime's entry (module path inside the zip, then the function).
HANDLER = "resolvers.handler.lambda_handler"
METRICS_NAMESPACE = "Orders"
# The function's timeout and memory, which the stack deploys and the emulator's invocations
# get. A write starts only with the clients' worst case for write, failed publish and undo
# still ahead (resolvers/adapters/aws_clients.py, 22.5 s); the timeout leaves room for a
# cold start and the reads before the write, and with a cold start before it still ends
# under AppSync's 30 s request limit (tests/infra/test_function.py checks both). Memory is
# set for CPU share, which scales with it (bench/report.md: a warm container needs far less).
LAMBDA_TIMEOUT_SECONDS = 27
LAMBDA_MEMORY_MB = 512


def lambda_environment(
    *,
    stage: str,
    orders_table: str,
    idempotency_table: str,
    queue_urls: Mapping[Estado, str],
    cache_ttl_seconds: int,
    state_shards: int,
    queue_groups: int,
) -> dict[str, str]:
    """The variables resolvers.definitions.settings reads, and Powertools' own. Values may be
    CDK tokens (the stack) or local names and URLs (the emulator)."""
    return {
        resources.ENV_STAGE: stage,
        resources.ENV_ORDERS_TABLE: orders_table,
        resources.ENV_IDEMPOTENCY_TABLE: idempotency_table,
        resources.ENV_CACHE_TTL: str(cache_ttl_seconds),
        scale.ENV_STATE_SHARDS: str(state_shards),
        scale.ENV_QUEUE_GROUPS: str(queue_groups),
        **{resources.env_queue_url(estado): url for estado, url in queue_urls.items()},
        "POWERTOOLS_SERVICE_NAME": resources.SERVICE,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    }
