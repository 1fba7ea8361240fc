"""3. getOrder over HTTP through the emulator: API cache hits vs the Lambda on every call.

Two `orders serve` processes, one with the cache on and one with --cache-ttl 0, are asked
the same query in interleaved rounds. /_emulator/stats proves what happened: the hits must
not have invoked the Lambda, and every uncached call must have."""

from pathlib import Path
from typing import Any

from bench import workload
from bench.emulator_process import Emulator, emulators
from bench.sampling import Call, Plan, measure
from resolvers.contract.fields import GET_ORDER

CACHE_ON_TTL = 600  # longer than the run: no entry expires under the benchmark
CACHE_OFF_TTL = 0
HIT = "cache hit"
MISS = "cache off"

CREATE = """
mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { id } }"""
GET = "query Get($id: ID!) { getOrder(id: $id) { id descripcion estado version } }"


def _get_order(emulator: Emulator, order_id: str) -> Call:
    def call() -> Any:
        order = emulator.data(GET, {"id": order_id})["getOrder"]
        if order is None or order["id"] != order_id:
            raise AssertionError(f"getOrder({order_id}) answered {order}")
        return order

    return call


def _created(emulator: Emulator) -> str:
    order_id: str = emulator.data(CREATE, workload.create_input(0))["createOrder"]["id"]
    return order_id


def _field_stats(emulator: Emulator) -> dict[str, int]:
    return emulator.stats()[GET_ORDER.path]


def run(plan: Plan, log_dir: Path) -> dict[str, Any]:
    with emulators((CACHE_ON_TTL, CACHE_OFF_TTL), log_dir) as (cached, uncached):
        calls = {
            HIT: _get_order(cached, _created(cached)),
            MISS: _get_order(uncached, _created(uncached)),
        }
        # The first read fills the cache; every timed one after it should be a hit.
        calls[HIT]()
        before = {HIT: _field_stats(cached), MISS: _field_stats(uncached)}
        measurement = measure(calls, plan)
        after = {HIT: _field_stats(cached), MISS: _field_stats(uncached)}
    requests = plan.calls_per_variant
    seen = {
        variant: {name: after[variant][name] - before[variant][name] for name in after[variant]}
        for variant in (HIT, MISS)
    }
    return {
        "query": GET.strip(),
        "plan": plan.as_dict(),
        HIT: measurement.summary(HIT).as_dict(),
        MISS: measurement.summary(MISS).as_dict(),
        "latency_ratio_hit_to_miss": measurement.ratio(HIT, MISS).as_dict(),
        "requests_per_variant": requests,
        "stats_delta": seen,
        "checks": {
            "hits_did_not_invoke_lambda": seen[HIT]["invocations"] == 0
            and seen[HIT]["cache_hits"] == requests,
            "uncached_invoked_lambda_every_time": seen[MISS]["invocations"] == requests
            and seen[MISS]["cache_hits"] == 0,
        },
    }
