"""`orders repair`: publish the orders whose current state's message a killed invocation
never sent, with the Lambda package's own use case and adapters, wired by
resolvers/bootstrap.py (`build_repair`) like everything else."""

import json
from typing import TYPE_CHECKING, TextIO

from api.emulator.provisioning import recorded_state_shards
from resolvers.bootstrap import build_repair
from resolvers.definitions.resources import ResourceNames
from resolvers.definitions.settings import Settings
from resolvers.domain.states import Estado

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


class UnknownShardCount(Exception):
    """The orders table records no shard count and none was given."""


def repair(
    dynamodb: "DynamoDBClient",
    sqs: "SQSClient",
    names: ResourceNames,
    *,
    older_than_seconds: float,
    out: TextIO,
    state_shards: int | None = None,
    queue_groups: int,
) -> int:
    """Publish what is missing; one JSON line per message sent. Returns how many.
    `state_shards` None: the shard count the table records in its tag."""
    shards = state_shards or recorded_state_shards(dynamodb, names.orders_table)
    if shards is None:
        raise UnknownShardCount(
            f"table {names.orders_table} records no state index shard count: pass "
            "--state-shards with the stage's stateShards"
        )
    settings = Settings(
        stage=names.stage,
        orders_table=names.orders_table,
        idempotency_table=names.idempotency_table,
        queue_urls={e: sqs.get_queue_url(QueueName=names.queue(e))["QueueUrl"] for e in Estado},
        cache_ttl_seconds=0,  # repair reads no cached field
        state_shards=shards,
        queue_groups=queue_groups,
    )
    use_case = build_repair(settings, dynamodb=dynamodb, sqs=sqs)
    repaired = use_case.run(older_than_seconds=older_than_seconds)
    for order in repaired:
        line = {"republished": order.id, "estado": order.estado.value, "version": order.version}
        print(json.dumps(line), file=out)
    return len(repaired)
