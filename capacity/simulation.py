"""A discrete-event check of the capacity model: token buckets for every index key
(`estado#k`), every message group (`estado#j`) and every queue, refilled at the published
limits; orders arrive at random (Poisson) at a given rate, hash to a shard and a group, and
walk a lifecycle of the mix. Each step is one conditional write (tokens from the index keys
it touches: the new state's, and for a transition also the old state's) and then one
SendMessage (tokens from the group and from the queue). A step that finds a bucket short is
counted as throttled, and its order stops there, as a client that got an error would.

Seeded, so a run is reproducible; it simulates a couple of seconds of traffic, which takes
well under a second of CPU at 10,000 orders/s. Consumers are not simulated: how fast they
drain a group is the model's `drain_ceiling`, which depends on work outside this service.
"""

import hashlib
import heapq
import random
from collections import Counter
from dataclasses import dataclass

from capacity import limits
from capacity.model import Lifecycle, Settings, Workload
from resolvers.domain.states import Estado

# Buckets hold 100 ms of their limit: AWS states the limits per second and documents no
# burst above them for a partition or a message group, so the simulation allows little.
BURST_SECONDS = 0.1
# Orders arrive from this long before the measured window, so that the window sees every
# lifecycle step at its steady rate and the buckets in the state that traffic leaves them.
WARMUP_SECONDS = 0.5
# Mean time an order spends in a state before its next transition: only the rates of steps
# matter to throttling, so a short dwell keeps the simulated stretch short.
MEAN_DWELL_SECONDS = 0.05
STATES = list(Estado)


def stable_hash(order_id: str) -> int:
    """The same id gives the same number in every process (unlike `hash`)."""
    return int.from_bytes(hashlib.blake2b(order_id.encode(), digest_size=8).digest(), "big")


@dataclass(slots=True)
class TokenBucket:
    rate: float  # tokens added per second
    capacity: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: float, now: float) -> "TokenBucket":
        capacity = rate * BURST_SECONDS
        return cls(rate=rate, capacity=capacity, tokens=capacity, updated=now)

    def has(self, amount: float, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens >= amount

    def take(self, amount: float) -> None:
        self.tokens -= amount


class Simulation:
    """Every bucket of one configuration, made up front, filled at `started`. States are
    numbered (their position in `Estado`): an enum's hash is a Python call, an int's is not,
    and this runs once per step."""

    def __init__(self, settings: Settings, workload: Workload, started: float) -> None:
        self.shards = settings.state_shards
        self.groups = settings.queue_groups
        self.units = workload.write_units_per_index_write
        key_rate = limits.PARTITION_WRITE_UNITS.value
        group_rate = limits.GROUP_SENDS.value
        self.index_keys = [
            [TokenBucket.full(key_rate, started) for _ in range(self.shards)] for _ in STATES
        ]
        self.message_groups = [
            [TokenBucket.full(group_rate, started) for _ in range(self.groups)] for _ in STATES
        ]
        self.queues = [TokenBucket.full(workload.queue_sends_limit, started) for _ in STATES]

    def step(self, states: tuple[int, ...], position: int, hashed: int, now: float) -> str:
        """Run one lifecycle step; the name of what throttled it, or "" when it went through."""
        shard = hashed % self.shards
        target = states[position]
        entry = self.index_keys[target][shard]
        if not entry.has(self.units, now):
            return "index key"
        if position > 0:  # a transition also deletes the entry under the old state's key
            leaving = self.index_keys[states[position - 1]][shard]
            if not leaving.has(self.units, now):
                return "index key"
            leaving.take(self.units)
        entry.take(self.units)
        group = self.message_groups[target][hashed % self.groups]
        queue = self.queues[target]
        if not group.has(1, now):
            return "message group"
        if not queue.has(1, now):
            return "queue"
        group.take(1)
        queue.take(1)
        return ""


@dataclass(frozen=True)
class SimulationResult:
    settings: Settings
    offered_rate: float  # orders/s created
    seconds: float  # length of the measured window
    steps: int  # lifecycle steps attempted in the window
    throttled: Counter[str]  # of those, refused, by what refused them

    @property
    def throttled_share(self) -> float:
        return sum(self.throttled.values()) / self.steps if self.steps else 0.0


def _numbered(mix: tuple[Lifecycle, ...]) -> list[tuple[float, tuple[int, ...]]]:
    return [(path.share, tuple(STATES.index(s) for s in path.states)) for path in mix]


def _pick(mix: list[tuple[float, tuple[int, ...]]], rng: random.Random) -> tuple[int, ...]:
    draw = rng.random()
    for share, states in mix:
        draw -= share
        if draw < 0:
            return states
    return mix[-1][1]


def simulate(
    rate: float,
    settings: Settings,
    workload: Workload | None = None,
    seconds: float = 1.0,
    seed: int = 13,
) -> SimulationResult:
    """`seconds` of traffic at `rate` orders/s (after a warm-up), counting throttled steps."""
    workload = workload or Workload()
    rng = random.Random(seed)
    simulation = Simulation(settings, workload, started=-WARMUP_SECONDS)
    # (time, tie-breaker, lifecycle, position in it, hashed id)
    events: list[tuple[float, int, tuple[int, ...], int, int]] = []
    mix = _numbered(workload.mix)
    now = -WARMUP_SECONDS
    sequence = 0
    while True:
        now += rng.expovariate(rate)
        if now >= seconds:
            break
        order_id = f"{rng.getrandbits(128):032x}"
        events.append((now, sequence, _pick(mix, rng), 0, stable_hash(order_id)))
        sequence += 1
    heapq.heapify(events)
    steps = 0
    throttled: Counter[str] = Counter()
    while events:
        now, _, states, position, hashed = heapq.heappop(events)
        refused = simulation.step(states, position, hashed, now)
        if now >= 0:
            steps += 1
            if refused:
                throttled[refused] += 1
        if not refused and position + 1 < len(states):
            later = now + rng.expovariate(1 / MEAN_DWELL_SECONDS)
            if later < seconds:
                heapq.heappush(events, (later, sequence, states, position + 1, hashed))
                sequence += 1
    return SimulationResult(settings, rate, seconds, steps, throttled)
