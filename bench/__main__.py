"""`python -m bench` (`make bench`): every benchmark in one run, then bench/results.json and
bench/report.md. `--quick` runs each with a handful of samples, to check that the benchmarks
work (its numbers mean little); nothing in CI runs either."""

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import (
    emulator_cache,
    environment,
    handler_latency,
    lambda_sizing,
    projection,
    report,
    workload,
)
from bench.in_process import InProcessLambda
from bench.moto_backend import moto_backend
from bench.sampling import Plan
from resolvers.contract.caching import DEFAULT_TTL_SECONDS

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Profile:
    """How much of everything: sized so that a full run stays well under three minutes."""

    name: str
    reads: Plan  # calls of about 10 ms (getOrder, a page of 20)
    pages: Plan  # pages of 100 whole items
    writes: Plan  # createOrder, updateOrderState
    http: Plan  # requests to the emulator
    import_runs: int
    burst_rounds: int


FULL = Profile(
    name="full",
    reads=Plan(rounds=10, batch=20, warmup=10),
    pages=Plan(rounds=10, batch=8, warmup=4),
    writes=Plan(rounds=10, batch=10, warmup=5),
    http=Plan(rounds=10, batch=30, warmup=10),
    import_runs=7,
    burst_rounds=50,
)
QUICK = Profile(
    name="quick",
    reads=Plan(rounds=2, batch=3, warmup=1),
    pages=Plan(rounds=2, batch=2, warmup=1),
    writes=Plan(rounds=2, batch=2, warmup=1),
    http=Plan(rounds=2, batch=5, warmup=2),
    import_runs=2,
    burst_rounds=3,
)


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(profile: Profile) -> dict[str, Any]:
    started = time.perf_counter()
    results: dict[str, Any] = {
        "mode": profile.name,
        "environment": environment.describe(),
        "profile": asdict(profile),
    }
    with moto_backend() as backend:
        orders_lambda = InProcessLambda(backend.lambda_environment(DEFAULT_TTL_SECONDS))
        _say(f"seeding {workload.LISTED_ORDERS} orders")
        order_id = workload.create_orders(orders_lambda, workload.LISTED_ORDERS)[0]
        backend.consume_queues()
        # Every read benchmark runs before the write benchmarks grow the listed state.
        _say("2. projection vs whole items")
        results["projection"] = projection.run(
            orders_lambda, order_id, reads=profile.reads, pages=profile.pages
        )
        _say("1. handler latency per operation")
        results["handler"] = handler_latency.run(
            orders_lambda,
            order_id,
            reads=profile.reads,
            pages=profile.pages,
            writes=profile.writes,
            before_batch=backend.consume_queues,
        )
        backend.consume_queues()
        _say("4. Lambda sizing (fresh processes)")
        results["lambda_sizing"] = lambda_sizing.run(
            backend,
            import_runs=profile.import_runs,
            burst_rounds=profile.burst_rounds,
            slowest_warm_p95_ms=max(
                op["p95_ms"] for op in results["handler"]["operations"].values()
            ),
        )
    _say("3. emulator over HTTP, cache hit vs cache off")
    with tempfile.TemporaryDirectory(prefix="orders-bench-") as logs:
        results["emulator_cache"] = emulator_cache.run(profile.http, Path(logs))
    results["duration_seconds"] = round(time.perf_counter() - started, 1)
    results["checks"] = results["emulator_cache"]["checks"]
    # Sections in the order the report numbers them.
    order = [
        "mode",
        "environment",
        "profile",
        "duration_seconds",
        "checks",
        "handler",
        "projection",
        "emulator_cache",
        "lambda_sizing",
    ]
    return {key: results[key] for key in order}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a reduced run (a smoke check)")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=BENCH_DIR,
        help="where results.json and report.md go (default: bench/)",
    )
    args = parser.parse_args(argv)
    results = run(QUICK if args.quick else FULL)
    written = report.write(results, args.output_dir)
    _say(f"wrote {', '.join(str(path) for path in written)} in {results['duration_seconds']} s")
    failed = [name for name, passed in results["checks"].items() if not passed]
    if failed:
        _say(f"FAILED checks: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
