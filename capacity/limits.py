"""AWS's published limits that bound the Orders write path, each with the page it comes from.

Defaults, as AWS documents them; the adjustable ones (`adjustable=True`) move with a quota
increase, the others are fixed properties of the service. Checked against the pages below in
November 2026: when AWS changes a number, change it here and `make capacity` redraws the report.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    value: float
    unit: str
    what: str
    source: str  # the AWS page that states it
    adjustable: bool = False
    see_also: str | None = None  # a second page the reasoning needs


DYNAMODB_QUOTAS = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"
)
DYNAMODB_WARM_THROUGHPUT = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
    "warm-throughput-scenarios.html"
)
DYNAMODB_GSI = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html"
SQS_MESSAGE_QUOTAS = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
    "quotas-messages.html"
)
SQS_PARTITIONS = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
    "partitions-and-data-distribution.html"
)
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
LAMBDA_SCALING = "https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html"
APPSYNC_TOKENS = (
    "https://docs.aws.amazon.com/appsync/latest/devguide/monitoring.html"
    "#aws-appsync-using-token-counts-to-optimize-requests"
)

# "each individual partition is limited to 1,000 write units per second and 3,000 read units
# per second": one partition key value of the state index is one partition's worth at most.
# Split for heat cannot help here: the index's sort key (`fecha_registro`) only grows, so every
# new entry lands at the same end of the key range.
PARTITION_WRITE_UNITS = Limit(
    1_000, "write units/s", "writes per partition (so per index key)", DYNAMODB_WARM_THROUGHPUT
)
PARTITION_READ_UNITS = Limit(
    3_000, "read units/s", "reads per partition (so per index key)", DYNAMODB_WARM_THROUGHPUT
)

# "If an update to the table changes the value of an indexed key attribute (from A to B), two
# writes are required, one to delete the previous item from the index and another write to put
# the new item into the index."
INDEX_WRITES_PER_KEY_CHANGE = Limit(
    2, "index writes", "index writes when a state change moves the index key", DYNAMODB_GSI
)

# "One write capacity unit = one write per second, for items up to 1 KB in size"; "one read
# capacity unit = one strongly consistent read per second, or two eventually consistent reads
# per second, for items up to 4 KB". A Query adds up the sizes of the items it reads and rounds
# up to the next 4 KB.
WRITE_UNIT_KB = Limit(1, "KB", "item size one write unit covers", DYNAMODB_QUOTAS)
READ_UNIT_KB = Limit(4, "KB", "item size one read unit covers", DYNAMODB_QUOTAS)
# "Queries on global secondary indexes support eventual consistency only": half a read unit.
INDEX_QUERY_READ_UNITS_PER_4KB = Limit(
    0.5, "read units", "per 4 KB read by an (eventually consistent) index query", DYNAMODB_GSI
)

# On-demand: "Per table: 40,000 read request units and 40,000 write request units".
TABLE_WRITE_REQUEST_UNITS = Limit(
    40_000, "write units/s", "on-demand writes per table", DYNAMODB_QUOTAS, adjustable=True
)

# "Each partition in a FIFO queue is limited to 300 transactions per second, per API action"
# (non-batched SendMessage), and "Amazon SQS uses the value of each message's message group ID
# as input to an internal hash function. The output value from the hash function determines
# which partition stores the message": one message group never spans two partitions.
GROUP_SENDS = Limit(
    300,
    "SendMessage/s",
    "sends per message group (one partition)",
    SQS_MESSAGE_QUOTAS,
    see_also=SQS_PARTITIONS,
)

# High throughput mode, non-batched API calls, per queue and API action: "US East (N.
# Virginia), US West (Oregon), and Europe (Ireland): Up to 70,000 transactions per second";
# "US East (Ohio) and Europe (Frankfurt): Up to 19,000 TPS"; other Regions less (see the page).
QUEUE_SENDS_BY_REGION: dict[str, Limit] = {
    region: Limit(tps, "SendMessage/s", "sends per FIFO queue, high throughput mode", source)
    for region, tps, source in (
        ("us-east-1", 70_000, SQS_MESSAGE_QUOTAS),
        ("us-west-2", 70_000, SQS_MESSAGE_QUOTAS),
        ("eu-west-1", 70_000, SQS_MESSAGE_QUOTAS),
        ("us-east-2", 19_000, SQS_MESSAGE_QUOTAS),
        ("eu-central-1", 19_000, SQS_MESSAGE_QUOTAS),
    )
}

# "Concurrent executions: 1,000" by default per Region, "can be increased up to tens of
# thousands".
LAMBDA_CONCURRENCY = Limit(
    1_000, "environments", "concurrent executions per Region", LAMBDA_QUOTAS, adjustable=True
)
# "for each function, your concurrency scaling rate is 1,000 execution environment instances
# every 10 seconds".
LAMBDA_SCALING_STEP = Limit(1_000, "environments", "added per function every 10 s", LAMBDA_SCALING)
LAMBDA_SCALING_PERIOD_S = 10.0

# "By default, AWS AppSync allocates a maximum of 5,000 or 10,000 request tokens per second to
# the APIs in your account, depending upon the AWS Region"; a request of at most 1,500
# KB-seconds of memory and vCPU time is one token. The model takes the lower figure.
APPSYNC_REQUEST_TOKENS = Limit(
    5_000, "tokens/s", "request tokens per account and Region", APPSYNC_TOKENS, adjustable=True
)

ALL: dict[str, Limit] = {
    "index key writes": PARTITION_WRITE_UNITS,
    "index key reads": PARTITION_READ_UNITS,
    "index writes per state change": INDEX_WRITES_PER_KEY_CHANGE,
    "write unit": WRITE_UNIT_KB,
    "read unit": READ_UNIT_KB,
    "index query read units per 4 KB": INDEX_QUERY_READ_UNITS_PER_4KB,
    "table writes (on-demand)": TABLE_WRITE_REQUEST_UNITS,
    "message group sends": GROUP_SENDS,
    "queue sends (us-east-1)": QUEUE_SENDS_BY_REGION["us-east-1"],
    "Lambda concurrency": LAMBDA_CONCURRENCY,
    "Lambda scaling": LAMBDA_SCALING_STEP,
    "AppSync request tokens": APPSYNC_REQUEST_TOKENS,
}
