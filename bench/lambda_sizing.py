"""4. Lambda sizing: cold import time of the handler and peak memory of a warm container
serving a burst, each in a fresh process (`bench.lambda_container`) holding nothing but
the handler, as a Lambda container does; and what memory size and timeout they justify."""

import ast
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.moto_backend import MotoBackend
from resolvers.adapters import aws_clients
from resolvers.contract.caching import DEFAULT_TTL_SECONDS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTAINER = [sys.executable, "-m", "bench.lambda_container"]
CHILD_SECONDS = 300
# AWS Lambda: "at 1,769 MB, a function has the equivalent of one vCPU"; below that the CPU
# share is proportional to memory, so single-threaded work (imports) slows down in step.
ONE_VCPU_MB = 1_769
CANDIDATE_MEMORY_MB = (256, 512, 1_024, ONE_VCPU_MB)
# Peak memory may grow past what one burst showed (bigger pages, more clients): keep 2x.
MEMORY_HEADROOM = 2.0
# AWS calls createOrder makes when publishing fails: PutItem, SendMessage, DeleteItem.


def lambda_env(backend: MotoBackend) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "ORDERS_", "POWERTOOLS_"))
    }
    return {**inherited, **backend.lambda_environment(DEFAULT_TTL_SECONDS)}


def _container(args: list[str], env: Mapping[str, str]) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603  # our own module, fixed arguments
        [*CONTAINER, *args],
        cwd=PROJECT_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.lambda_container {args} failed:\n{done.stderr}")
    # The report is the last line; Powertools may have logged before it.
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def cold_imports(runs: int, env: Mapping[str, str]) -> dict[str, Any]:
    imports: list[float] = []
    processes: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        imports.append(_container(["import"], env)["import_seconds"])
        processes.append(time.perf_counter() - started)
    return {
        "runs": runs,
        "import_seconds": _seconds(imports),
        "process_seconds": _seconds(processes),
        "slowest_packages_ms": import_breakdown(env),
    }


def _seconds(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def import_breakdown(env: Mapping[str, str], top: int = 6) -> dict[str, float]:
    """Where the import time goes, by top-level package (`python -X importtime`)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import resolvers.handler"],
        cwd=PROJECT_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        check=True,
    )
    by_package: dict[str, int] = defaultdict(int)
    for line in done.stderr.splitlines():
        # "import time: <self us> | <cumulative us> | <indented module name>"
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        by_package[parts[2].strip().split(".")[0]] += int(parts[0])
    slowest = sorted(by_package.items(), key=lambda item: item[1], reverse=True)[:top]
    return {package: round(micros / 1000, 1) for package, micros in slowest}


def warm_burst(rounds: int, env: Mapping[str, str]) -> dict[str, Any]:
    report = _container(["burst", str(rounds)], env)
    rss = report["peak_rss_mb"]
    return {
        **report,
        "peak_rss_mb": {stage: round(value, 1) for stage, value in rss.items()},
        "burst_growth_mb": round(rss["burst"] - rss["first_invocation"], 1),
        "handler_footprint_mb": round(rss["burst"] - rss["interpreter"], 1),
        "warm_round_traced_peak_mb": round(report["warm_round_traced_peak_mb"], 2),
    }


def stack_configuration(path: Path = PROJECT_ROOT / "infra" / "function.py") -> dict[str, int]:
    """MEMORY_MB and TIMEOUT as the stack sets them, read from its source: importing the
    CDK app would start the jsii runtime for two numbers."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if not isinstance(target, ast.Name):
            continue
        if target.id == "MEMORY_MB" and isinstance(value, ast.Constant):
            found["memory_mb"] = _integer(value)
        if (
            target.id == "TIMEOUT"
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "seconds"
            and value.args
            and isinstance(value.args[0], ast.Constant)
        ):
            found["timeout_seconds"] = _integer(value.args[0])
    return found


def _integer(node: ast.Constant) -> int:
    if not isinstance(node.value, int):
        raise ValueError(f"expected an integer in infra/function.py, found {node.value!r}")
    return node.value


def client_retry_budget() -> dict[str, float]:
    """The Lambda's boto3 clients' worst case for one call: every attempt connects slowly
    and then waits the whole read timeout (backoff between attempts not counted)."""
    # The client's resolved config: botocore turns the `max_attempts` it was given (retries
    # after the first attempt) into `total_max_attempts`.
    config: Any = aws_clients.dynamodb_client().meta.config
    retries = config.retries or {}
    attempts = int(retries.get("total_max_attempts", retries.get("max_attempts", 0) + 1))
    connect, read = float(config.connect_timeout), float(config.read_timeout)
    return {
        "attempts": attempts,
        "connect_timeout_seconds": connect,
        "read_timeout_seconds": read,
        "per_call_worst_case_seconds": aws_clients.WORST_CASE_CALL_SECONDS,
        "attempts_times_timeouts_seconds": attempts * (connect + read),
    }


def advice(
    cold: dict[str, Any], burst: dict[str, Any], slowest_warm_p95_ms: float
) -> dict[str, Any]:
    """The numbers a memory size and a timeout are chosen from. Assumes a core of this
    machine is worth one Lambda vCPU (Graviton arm64 may be somewhat slower)."""
    cold_start_s = cold["import_seconds"]["median"] + burst["first_invocation_seconds"]
    stack = stack_configuration()
    memory_mb = stack.get("memory_mb")
    timeout_s = stack.get("timeout_seconds")
    budget = client_retry_budget()
    per_call_worst_s = budget["per_call_worst_case_seconds"]
    memories = sorted({*CANDIDATE_MEMORY_MB, *([memory_mb] if memory_mb else [])})
    estimated_cold = {
        str(memory): round(estimated_cold_start(cold_start_s, memory), 3) for memory in memories
    }
    peak_mb = burst["peak_rss_mb"]["burst"]
    return {
        "stack": stack,
        "peak_rss_mb": peak_mb,
        "memory_needed_mb": round(peak_mb * MEMORY_HEADROOM),
        "memory_utilisation": None if memory_mb is None else round(peak_mb / memory_mb, 3),
        "cold_start_seconds_here": round(cold_start_s, 3),
        "estimated_cold_start_seconds_by_memory_mb": estimated_cold,
        "slowest_warm_p95_ms": round(slowest_warm_p95_ms, 1),
        "client_retry_budget": budget,
        "aws_call_worst_case_seconds": per_call_worst_s,
        "failure_path_worst_case_seconds": aws_clients.WORST_CASE_COMPENSATED_SECONDS,
        "timeout_covers_cold_start_and_slowest_p95": None
        if timeout_s is None or memory_mb is None
        else timeout_s > estimated_cold_start(cold_start_s, memory_mb) + slowest_warm_p95_ms / 1000,
    }


def estimated_cold_start(seconds_here: float, memory_mb: int) -> float:
    return seconds_here * max(1.0, ONE_VCPU_MB / memory_mb)


def run(
    backend: MotoBackend, *, import_runs: int, burst_rounds: int, slowest_warm_p95_ms: float
) -> dict[str, Any]:
    env = lambda_env(backend)
    cold = cold_imports(import_runs, env)
    burst = warm_burst(burst_rounds, env)
    return {
        "cold_import": cold,
        "warm_burst": burst,
        "advice": advice(cold, burst, slowest_warm_p95_ms),
    }
