"""`python -m bench` (`make bench`): every benchmark in one run, then bench/results.json,
bench/report.md and its charts. `--quick` (`make bench QUICK=1`) runs each with a handful
of samples and small tables, to check that the benchmarks work and the results are well
formed (its numbers mean little); the smoke test runs it."""

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import (
    cold_start,
    environment,
    lambda_sizing,
    page_cost,
    projection,
    queue_length,
    report,
    throughput,
    warm_overhead,
    workload,
)
from bench.figures import goals
from bench.in_process import InProcessLambda
from bench.moto_backend import MotoBackend, moto_backend
from bench.sampling import Plan
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Profile:
    """How much of everything: the full run stays under ten minutes on two cores."""

    name: str
    listed_orders: int  # seeded in the listed state before the in-process benchmarks
    cold_runs: int  # fresh interpreters per cold-start variant
    lever_runs: int
    import_runs: int  # fresh interpreters per variant under `python -X importtime`
    # One child of each cold-start variant first writes the installed packages' bytecode, so
    # no measured child compiles them. A quick run measures each variant once: its warm-up
    # would double the children and save that one child's compiling.
    warm_bytecode: bool
    reads: Plan
    writes: Plan
    table_sizes: tuple[int, int]
    page_repeats: int
    seconds_per_level: float  # through the API, per scenario and concurrency
    create_rounds: int  # rounds of createOrder's levels (the ones with goals)
    burst_rounds: int
    queue: queue_length.Plan  # createOrder with messages waiting vs an empty queue
    api_orders: int  # created through the API before its levels, to list
    # Section 6's emulator starts with the run, its start-up overlapping the in-process
    # benchmarks: shorter, but it takes CPU from what they time.
    early_emulator: bool


FULL = Profile(
    name="full",
    listed_orders=workload.LISTED_ORDERS,
    cold_runs=15,
    lever_runs=5,
    import_runs=5,
    warm_bytecode=True,
    reads=Plan(rounds=10, batch=10, warmup=5),
    writes=Plan(rounds=10, batch=6, warmup=3),
    table_sizes=(1_000, 50_000),
    page_repeats=2,
    seconds_per_level=5,
    create_rounds=5,
    burst_rounds=20,
    queue=queue_length.Plan(rounds=3, waiting=10_000, seconds=3),
    api_orders=throughput.LISTED_ORDERS,
    early_emulator=False,
)
# The least that still gives every figure real samples: one sample per variant, no
# warm-up (the seeding warms the handler), a page of 20 with a next page to list, and the
# 32-client levels bounded by their 32 first requests rather than by the clock.
QUICK = Profile(
    name="quick",
    listed_orders=25,
    cold_runs=1,
    lever_runs=1,
    import_runs=1,
    warm_bytecode=False,
    reads=Plan(rounds=1, batch=1, warmup=0),
    writes=Plan(rounds=1, batch=1, warmup=0),
    table_sizes=(100, 400),
    page_repeats=1,
    seconds_per_level=0.2,
    create_rounds=1,
    burst_rounds=1,
    queue=queue_length.Plan(rounds=1, waiting=20, seconds=0.2),
    # The createOrder levels run first and leave dozens of orders for the listings.
    api_orders=0,
    early_emulator=True,
)


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _in_process(profile: Profile, backend: MotoBackend) -> dict[str, Any]:
    """Sections 1 to 5: the handler in this process and in fresh ones, on `backend`."""
    results: dict[str, Any] = {}
    orders_lambda = InProcessLambda(backend.lambda_environment(DEFAULT_TTL_SECONDS))
    _say(f"seeding {profile.listed_orders} orders")
    workload.create_orders(orders_lambda, profile.listed_orders)
    backend.consume_queues()
    _say("5. projection: bytes of a page selecting id vs every field")
    results["projection"] = projection.run(orders_lambda, repeats=max(1, profile.page_repeats))
    _say("3. warm overhead vs raw boto3")
    results["warm_overhead"] = warm_overhead.run(
        orders_lambda, backend, reads=profile.reads, writes=profile.writes
    )
    backend.consume_queues()
    _say("memory of a warm container (fresh process)")
    results["memory"] = lambda_sizing.warm_burst(
        profile.burst_rounds, lambda_sizing.lambda_env(backend)
    )
    _say(f"4. page cost with {profile.table_sizes} orders")
    results["page_cost"] = page_cost.run(
        backend, sizes=profile.table_sizes, repeats=profile.page_repeats
    )
    # Last: its orders (short descriptions) would head the listed state the others read.
    _say("1-2. cold start vs bare boto3, levers, SnapStart (fresh interpreters)")
    results["cold_start"] = cold_start.run(
        backend,
        runs=profile.cold_runs,
        lever_runs=profile.lever_runs,
        import_runs=profile.import_runs,
        warm_bytecode=profile.warm_bytecode,
    )
    return results


def run(profile: Profile) -> dict[str, Any]:
    started = time.perf_counter()
    results: dict[str, Any] = {
        "mode": profile.name,
        "environment": environment.describe(),
        "profile": asdict(profile),
    }
    with tempfile.TemporaryDirectory(prefix="orders-bench-") as logs, ExitStack() as servers:
        early = profile.early_emulator
        serve = servers.enter_context(throughput.emulator(Path(logs))) if early else None
        with moto_backend() as backend:
            results.update(_in_process(profile, backend))
        _say("6. through the API at 1, 8, 32 clients; then against the queue's length")
        results["throughput"] = throughput.run(
            serve or servers.enter_context(throughput.emulator(Path(logs))),
            seconds=profile.seconds_per_level,
            create_rounds=profile.create_rounds,
            queue=profile.queue,
            listed_orders=profile.api_orders,
        )
    results["duration_seconds"] = round(time.perf_counter() - started, 1)
    results["goals"] = goals(results)
    order = [
        "mode",
        "environment",
        "profile",
        "duration_seconds",
        "goals",
        "cold_start",
        "warm_overhead",
        "page_cost",
        "projection",
        "throughput",
        "memory",
    ]
    return {key: results[key] for key in order}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a reduced run (a smoke check)")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="where results.json, report.md and the charts go "
        "(default: bench/, or build/bench-quick/ with --quick)",
    )
    args = parser.parse_args(argv)
    output = args.output_dir or (
        BENCH_DIR.parent / "build" / "bench-quick" if args.quick else BENCH_DIR
    )
    output.mkdir(parents=True, exist_ok=True)
    results = run(QUICK if args.quick else FULL)
    written = report.write(results, output)
    _say(f"wrote {', '.join(str(path) for path in written)} in {results['duration_seconds']} s")
    missed = [path for path, met in results["goals"].items() if not met]
    if missed:
        _say(f"goals not met (see the report): {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
