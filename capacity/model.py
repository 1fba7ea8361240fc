"""The capacity model: which `stateShards` (N) and `queueGroups` (G) carry a rate of orders.

The rate is orders per second entering `recibida` (every order is created there); a
`Workload` says what happens to them next (the mix of lifecycles) and what each step costs.
Per state, the index takes one write for each order entering it (the put) and one for each
order leaving it (the delete: a state change moves the item's index key, two index writes in
all); the state's queue takes one SendMessage for each order entering it. With N shards an
order's index entries live under `estado#k`, k = hash(id) mod N, so a state's writes spread
over N keys; with G groups its messages go to groups `estado#j`, j = hash(id) mod G.

Every bound below is a published AWS limit from `limits`, except the two durations the
`Workload` assumes (a resolver's Lambda run and a downstream consumer's work per message).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from capacity import limits
from resolvers.domain.states import INITIAL_STATE, Estado, can_transition_to

TARGET_RATE = 10_000.0  # orders/s entering one state: the goal docs/scale.md sets


@dataclass(frozen=True)
class Lifecycle:
    """One path through the states and the share of orders that take it."""

    states: tuple[Estado, ...]
    share: float

    def __post_init__(self) -> None:
        if not self.states or self.states[0] is not INITIAL_STATE:
            raise ValueError(f"a lifecycle starts in {INITIAL_STATE}: {self.states}")
        for current, target in zip(self.states, self.states[1:], strict=False):
            if not can_transition_to(current, target):
                raise ValueError(f"{current} -> {target} is not a transition")
        if not 0 < self.share <= 1:
            raise ValueError(f"share must be in (0, 1]: {self.share}")

    @property
    def transitions(self) -> int:
        return len(self.states) - 1


# Most orders are worked and completed; some are cancelled, before or during the work.
DEFAULT_MIX: tuple[Lifecycle, ...] = (
    Lifecycle((Estado.recibida, Estado.enproceso, Estado.completada), 0.90),
    Lifecycle((Estado.recibida, Estado.enproceso, Estado.cancelada), 0.05),
    Lifecycle((Estado.recibida, Estado.cancelada), 0.05),
)


@dataclass(frozen=True)
class Workload:
    mix: tuple[Lifecycle, ...] = DEFAULT_MIX
    # Size of an order as stored (the index projects ALL attributes). Under 1 KB one index
    # write is one write unit; a 1,500-character description (bench/report.md: 1,692 bytes)
    # makes it two.
    item_kb: float = 1.0
    # Assumed, not published: a warm resolver run (one DynamoDB write, one SendMessage).
    lambda_seconds: float = 0.05
    # Assumed, not published: a downstream consumer's work per message. A message group is
    # consumed one message at a time, so G groups drain at most G / consumer_seconds a second.
    # 100 ms is an assumed consumer; 0 leaves consumers out of the plan.
    consumer_seconds: float = 0.1
    # Plan every key, group and queue at this fraction of its limit: hashing is uneven over
    # short windows and arrivals come in bursts (the simulation shows the margin is needed).
    headroom: float = 0.8
    region: str = "us-east-1"
    page_limit: int = 20  # `limit` of an ordersByState page (its default, docs/contract.md)

    def __post_init__(self) -> None:
        if not math.isclose(sum(path.share for path in self.mix), 1.0):
            raise ValueError("the shares of the mix must add up to 1")
        if self.region not in limits.QUEUE_SENDS_BY_REGION:
            raise ValueError(f"no published high-throughput FIFO quota for {self.region}")
        if not 0 < self.headroom <= 1:
            raise ValueError("headroom is a fraction of the limit, in (0, 1]")
        if self.consumer_seconds < 0 or self.lambda_seconds < 0 or self.item_kb <= 0:
            raise ValueError("durations are at least 0 and items have a size")

    @property
    def write_units_per_index_write(self) -> int:
        return math.ceil(self.item_kb / limits.WRITE_UNIT_KB.value)

    @property
    def queue_sends_limit(self) -> float:
        return limits.QUEUE_SENDS_BY_REGION[self.region].value


@dataclass(frozen=True)
class StateFlow:
    """What one order created costs a state, on average over the mix."""

    entries: float  # orders entering it (index puts, SendMessage to its queue)
    exits: float  # orders leaving it (index deletes)

    @property
    def index_writes(self) -> float:
        return self.entries + self.exits


def state_flows(mix: Iterable[Lifecycle]) -> dict[Estado, StateFlow]:
    entries = dict.fromkeys(Estado, 0.0)
    exits = dict.fromkeys(Estado, 0.0)
    for path in mix:
        for position, estado in enumerate(path.states):
            entries[estado] += path.share
            if position < path.transitions:
                exits[estado] += path.share
    return {estado: StateFlow(entries[estado], exits[estado]) for estado in Estado}


def busiest_index_state(workload: Workload) -> tuple[Estado, StateFlow]:
    flows = state_flows(workload.mix)
    return max(flows.items(), key=lambda item: item[1].index_writes)


def busiest_queue_state(workload: Workload) -> tuple[Estado, StateFlow]:
    flows = state_flows(workload.mix)
    return max(flows.items(), key=lambda item: item[1].entries)


# Ceilings: the order rate at which one limit is reached exactly (no headroom).


def index_ceiling(shards: int, workload: Workload) -> float:
    """Orders/s before the busiest state's index keys reach a partition's write limit."""
    _, flow = busiest_index_state(workload)
    per_order = flow.index_writes * workload.write_units_per_index_write
    return shards * limits.PARTITION_WRITE_UNITS.value / per_order


def send_ceiling(groups: int, workload: Workload) -> float:
    """Orders/s before the busiest queue's groups, or the queue itself, refuse sends."""
    _, flow = busiest_queue_state(workload)
    per_groups = groups * limits.GROUP_SENDS.value / flow.entries
    per_queue = workload.queue_sends_limit / flow.entries
    return min(per_groups, per_queue)


def drain_ceiling(groups: int, workload: Workload) -> float:
    """Orders/s that consumers working one message at a time per group keep up with."""
    if workload.consumer_seconds == 0:  # consumers left out of the plan
        return math.inf
    _, flow = busiest_queue_state(workload)
    return groups / (workload.consumer_seconds * flow.entries)


def sustainable_rate(shards: int, groups: int, workload: Workload) -> float:
    """Orders/s the write path carries with N shards and G groups (publishing side)."""
    return min(index_ceiling(shards, workload), send_ceiling(groups, workload))


@dataclass(frozen=True)
class Settings:
    state_shards: int  # `stateShards`, N
    queue_groups: int  # `queueGroups`, G


def shards_for(rate: float, workload: Workload) -> int:
    """N that keeps the busiest state's index keys at `headroom` of their write limit."""
    _, flow = busiest_index_state(workload)
    units = rate * flow.index_writes * workload.write_units_per_index_write
    return max(1, math.ceil(units / (limits.PARTITION_WRITE_UNITS.value * workload.headroom)))


def groups_for_sends(rate: float, workload: Workload) -> int:
    """G that keeps the busiest queue's groups at `headroom` of their send limit."""
    _, flow = busiest_queue_state(workload)
    sends = rate * flow.entries
    return max(1, math.ceil(sends / (limits.GROUP_SENDS.value * workload.headroom)))


def groups_for_drain(rate: float, workload: Workload) -> int:
    """G whose consumers, one message at a time per group, are busy `headroom` of the time."""
    _, flow = busiest_queue_state(workload)
    return max(1, math.ceil(rate * flow.entries * workload.consumer_seconds / workload.headroom))


def required_settings(rate: float = TARGET_RATE, workload: Workload | None = None) -> Settings:
    """The smallest N and G that carry `rate` orders/s with every limit at most
    `workload.headroom` used, G also letting consumers drain the busiest queue."""
    workload = workload or Workload()
    if rate <= 0:
        raise ValueError("rate must be positive")
    _, flow = busiest_queue_state(workload)
    sends = rate * flow.entries
    if sends > workload.queue_sends_limit * workload.headroom:
        raise ValueError(
            f"{sends:,.0f} sends/s exceed one FIFO queue's quota in {workload.region} "
            f"({workload.queue_sends_limit:,.0f}/s at {workload.headroom:.0%}); no G helps"
        )
    return Settings(
        state_shards=shards_for(rate, workload),
        queue_groups=max(groups_for_sends(rate, workload), groups_for_drain(rate, workload)),
    )


@dataclass(frozen=True)
class PageCost:
    """One `ordersByState` page over N shards: N Queries of `limit + 1` items each."""

    queries: int
    items_read: int  # at most
    read_units: float  # at most

    @property
    def read_units_per_query(self) -> float:
        return self.read_units / self.queries


def page_cost(shards: int, limit: int, item_kb: float) -> PageCost:
    per_query_kb = (limit + 1) * item_kb
    units = math.ceil(per_query_kb / limits.READ_UNIT_KB.value) * (
        limits.INDEX_QUERY_READ_UNITS_PER_4KB.value
    )
    return PageCost(queries=shards, items_read=shards * (limit + 1), read_units=shards * units)


def page_ceiling(limit: int, item_kb: float) -> float:
    """Uncached pages/s one state can serve: each page reads every shard key once, so N does
    not raise it (and the API cache, not sharding, is what protects it)."""
    per_key = page_cost(1, limit, item_kb).read_units
    return limits.PARTITION_READ_UNITS.value / per_key


@dataclass(frozen=True)
class AccountNeed:
    """A limit that no setting of this stack lifts: a quota to raise, or a fact to plan for."""

    name: str
    needed: float
    limit: limits.Limit

    @property
    def fits(self) -> bool:
        return self.needed <= self.limit.value


@dataclass(frozen=True)
class Plan:
    rate: float
    workload: Workload
    settings: Settings
    account: tuple[AccountNeed, ...] = field(default=())

    @property
    def lambda_ramp_seconds(self) -> float:
        """From no warm environment to the concurrency needed, at Lambda's scaling rate."""
        concurrency = next(n.needed for n in self.account if n.name == "Lambda concurrency")
        steps = math.ceil(concurrency / limits.LAMBDA_SCALING_STEP.value)
        return steps * limits.LAMBDA_SCALING_PERIOD_S


def mutations_per_order(workload: Workload) -> float:
    return 1 + sum(path.share * path.transitions for path in workload.mix)


def plan(rate: float = TARGET_RATE, workload: Workload | None = None) -> Plan:
    """`required_settings` plus the account-wide quotas the same rate needs. Reads are left
    out: the API cache serves repeated ones, and `page_ceiling` bounds the rest per state."""
    workload = workload or Workload()
    settings = required_settings(rate, workload)
    mutations = rate * mutations_per_order(workload)
    units = workload.write_units_per_index_write
    index_writes = rate * units * sum(f.index_writes for f in state_flows(workload.mix).values())
    account = (
        # One resolver run (Lambda invocation) and about one AppSync token per mutation.
        AccountNeed("AppSync request tokens", mutations, limits.APPSYNC_REQUEST_TOKENS),
        AccountNeed(
            "Lambda concurrency", mutations * workload.lambda_seconds, limits.LAMBDA_CONCURRENCY
        ),
        AccountNeed("table writes", mutations * units, limits.TABLE_WRITE_REQUEST_UNITS),
        AccountNeed("index writes", index_writes, limits.TABLE_WRITE_REQUEST_UNITS),
    )
    return Plan(rate=rate, workload=workload, settings=settings, account=account)


def ordering_guarantee(groups: int) -> str:
    if groups == 1:
        return "one total order per state queue (arrival order, one consumer at a time)"
    return (
        f"arrival order within each of {groups:,} groups per state queue (an order's "
        "messages always carry the same group number); groups consumed in parallel"
    )
