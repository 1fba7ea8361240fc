"""Lambda sizing: the peak memory of a warm container serving a burst, in a fresh process
(`bench.lambda_container`) holding nothing but the handler, as a Lambda container does; the
stack's memory size and timeout; a local time scaled to a memory size's CPU share."""

import ast
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.moto_backend import MotoBackend
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTAINER = [sys.executable, "-m", "bench.lambda_container"]
CHILD_SECONDS = 300
# AWS Lambda: "at 1,769 MB, a function has the equivalent of one vCPU"; below that the CPU
# share is proportional to memory, so single-threaded work (imports) slows down in step.
ONE_VCPU_MB = 1_769


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
        # The handler logs to stdout (Powertools' Logger): the cause is there.
        raise RuntimeError(
            f"bench.lambda_container {args} failed:\n{done.stderr}\n{done.stdout[-4000:]}"
        )
    # The report is the last line; Powertools may have logged before it.
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


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


def estimated_cold_start(seconds_here: float, memory_mb: int) -> float:
    return seconds_here * max(1.0, ONE_VCPU_MB / memory_mb)
