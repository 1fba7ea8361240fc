"""The two scale settings of a stage (docs/scale.md), defined once for the Lambda, the
emulator and the CDK stack: how many shards the state index has (`stateShards`, N) and how
many message groups each state queue has (`queueGroups`, G). Both default to 1: one
partition key and one message group per state, one total order per state."""

# Environment variables: the Lambda's (set by the stack) and `orders serve`'s.
ENV_STATE_SHARDS = "ORDERS_STATE_SHARDS"
ENV_QUEUE_GROUPS = "ORDERS_QUEUE_GROUPS"

DEFAULT_STATE_SHARDS = 1
DEFAULT_QUEUE_GROUPS = 1
# A page Queries every shard (resolvers/service/pages.py), so N bounds the cost of a read:
# at 64 shards and limit 100 a page reads at most 64 * 101 items.
MAX_STATE_SHARDS = 64
# A message group costs nothing while it is idle and SQS sets no limit on their number;
# the bound only catches a typo.
MAX_QUEUE_GROUPS = 10_000

# N is fixed when the table is created (every item's estado_shard was computed with it), so
# the table carries it as a tag: provisioning refuses to serve a table with another N.
STATE_SHARDS_TAG = "orders:stateShards"


def checked_state_shards(count: int) -> int:
    """`count` when it is a shard count this service supports; ValueError otherwise."""
    if not 1 <= count <= MAX_STATE_SHARDS:
        raise ValueError(f"{count}: the state index has 1 to {MAX_STATE_SHARDS} shards")
    return count


def checked_queue_groups(count: int) -> int:
    """`count` when it is a number of message groups this service supports; ValueError
    otherwise."""
    if not 1 <= count <= MAX_QUEUE_GROUPS:
        raise ValueError(f"{count}: a state queue has 1 to {MAX_QUEUE_GROUPS} message groups")
    return count
