"""Latency samples: variants timed in interleaved rounds after a warm-up, summarised as
median and p95, and compared as ratios measured in the same run.

The machine is shared and noisy, so absolute numbers drift between runs; interleaving the
variants round by round exposes them to the same noise, which is what makes their ratio
meaningful. Each round's own ratio is kept too, to show how stable the pooled one is."""

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.figures import percentile

NANOS_PER_MS = 1_000_000


@dataclass(frozen=True)
class Plan:
    """How many calls: `warmup` untimed per variant first, then `rounds` rounds in which
    every variant runs `batch` timed calls (the variants' order rotates each round)."""

    rounds: int
    batch: int
    warmup: int

    @property
    def calls_per_variant(self) -> int:
        return self.warmup + self.rounds * self.batch

    def as_dict(self) -> dict[str, int]:
        return {"rounds": self.rounds, "batch": self.batch, "warmup": self.warmup}


@dataclass(frozen=True)
class Summary:
    samples: int
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "samples": self.samples,
            "median_ms": round(self.median_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "min_ms": round(self.min_ms, 3),
            "max_ms": round(self.max_ms, 3),
        }


@dataclass(frozen=True)
class Ratio:
    """`numerator / denominator` of the pooled medians, with the spread of the per-round
    ratios (a ratio whose rounds disagree wildly was measured under too much noise)."""

    value: float
    round_min: float
    round_max: float

    def as_dict(self) -> dict[str, float]:
        return {
            "value": round(self.value, 3),
            "round_min": round(self.round_min, 3),
            "round_max": round(self.round_max, 3),
        }


def summarize(samples_ms: Sequence[float]) -> Summary:
    return Summary(
        samples=len(samples_ms),
        median_ms=statistics.median(samples_ms),
        p95_ms=percentile(samples_ms, 0.95),
        min_ms=min(samples_ms),
        max_ms=max(samples_ms),
    )


@dataclass
class Measurement:
    """Per variant, per round, the latency of each timed call in milliseconds."""

    rounds: dict[str, list[list[float]]] = field(default_factory=dict)

    def samples(self, variant: str) -> list[float]:
        return [sample for one_round in self.rounds[variant] for sample in one_round]

    def summary(self, variant: str) -> Summary:
        return summarize(self.samples(variant))

    def ratio(self, numerator: str, denominator: str) -> Ratio:
        per_round = [
            statistics.median(top) / statistics.median(bottom)
            for top, bottom in zip(self.rounds[numerator], self.rounds[denominator], strict=True)
        ]
        return Ratio(
            value=self.summary(numerator).median_ms / self.summary(denominator).median_ms,
            round_min=min(per_round),
            round_max=max(per_round),
        )


Call = Callable[[], Any]


def measure(
    variants: Mapping[str, Call], plan: Plan, before_batch: Call | None = None
) -> Measurement:
    """Time each variant's call as `plan` says; `before_batch` runs untimed before each
    batch. A call checks its own result and raises when it is wrong, so an error is never
    timed as if it were an answer."""
    for call in variants.values():
        for _ in range(plan.warmup):
            call()
    measurement = Measurement({name: [] for name in variants})
    names = list(variants)
    for round_number in range(plan.rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            if before_batch is not None:
                before_batch()
            call = variants[name]
            timings: list[float] = []
            for _ in range(plan.batch):
                started = time.perf_counter_ns()
                call()
                timings.append((time.perf_counter_ns() - started) / NANOS_PER_MS)
            measurement.rounds[name].append(timings)
    return measurement
