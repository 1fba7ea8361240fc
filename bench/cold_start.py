"""1 and 2. Cold start: the handler against bare boto3, what each lever bought, and what
SnapStart would remove. Every sample is a fresh interpreter (bench.cold_start_child) and
the variants run interleaved, so they share the machine's noise.

Tracing is configured as in the cloud: the children get the variables the Lambda runtime
sets (LAMBDA_TASK_ROOT, the X-Ray daemon address and a sampled trace header) and no
POWERTOOLS_TRACE_DISABLED, so the handler's Tracer is on and sends its segments over UDP to
a socket this process holds on loopback, as the X-Ray daemon would receive them."""

import compileall
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from py_compile import PycInvalidationMode
from typing import Any

from bench.cold_start_child import EVENT_VARIABLE, REPORT_PREFIX, create_event
from bench.figures import compared, figure
from bench.lambda_sizing import estimated_cold_start, stack_configuration
from bench.moto_backend import MotoBackend
from harness.serve_process import HOST
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESOLVERS_DIR = PROJECT_ROOT / "resolvers"
CHILD = [sys.executable, "-m", "bench.cold_start_child"]
CHILD_SECONDS = 120
GOAL_VS_BOTO3 = 1.3
# What the Lambda runtime defines (docs.aws.amazon.com/lambda/latest/dg/
# configuration-envvars.html#configuration-envvars-runtime) and the handler's Powertools
# reads; the trace header is what a sampled AppSync request hands the function.
TRACE_HEADER = "Root=1-65f0a1b2-3c4d5e6f7a8b9c0d1e2f3a4b;Parent=53995c3f42cd8ad8;Sampled=1"
LEVERS = {
    "bytecode": "bytecode in the zip, compiled at synth by CPython 3.13 (Pyodide): no cold "
    "start compiles resolvers/ (saved, timed here) nor Powertools (measured with its bytecode)",
    "tracer-off": "X-Ray SDK only when tracing is on: a Powertools Tracer built where tracing "
    "is off (emulator, tests) still imports and configures the X-Ray SDK",
    "patch": "X-Ray patches botocore only: Powertools' default patch_all imports and patches "
    "every library X-Ray knows that is installed",
    "idempotency": "Powertools idempotency set up on the first clientToken, not at start",
    "clients": "clients built once per container: what building both again would cost on "
    "every invocation",
}

# The modules only the handler imports, by what brings them (their first dotted name); the
# rest of a cold start's import is boto3's, which both variants pay.
_GROUPED = {
    "resolvers/: the package's own module bodies": ("resolvers",),
    "Powertools: Logger, Metrics, Tracer, the AppSync resolver": (
        "aws_lambda_powertools",
        "typing_extensions",
    ),
    "the X-Ray SDK and its wrapt (tracing on)": ("aws_xray_sdk", "wrapt"),
    "asyncio (Powertools' AppSync resolver and the X-Ray SDK import it)": ("asyncio", "_asyncio"),
    "the bench's stand-in for the runtime's context object": ("api",),
}
IMPORT_GROUPS = {name: group for group, names in _GROUPED.items() for name in names}
OTHER_IMPORTS = "other modules (the standard library's the most)"
# One line of `python -X importtime`: self and cumulative microseconds, the module indented.
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)$")


@contextmanager
def xray_daemon() -> Iterator[str]:
    """A UDP socket on loopback standing in for the X-Ray daemon (segments are dropped)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind((HOST, 0))
        yield f"{HOST}:{sink.getsockname()[1]}"


def _inherited() -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "ORDERS_", "POWERTOOLS_", "LAMBDA_", "_X_AMZN"))
    }
    return {**inherited, "PYTHONDONTWRITEBYTECODE": "1"}


def tracing_off_environment(backend: MotoBackend) -> dict[str, str]:
    """The emulator's Lambda environment: tracing and metrics off."""
    return {**_inherited(), **backend.lambda_environment(DEFAULT_TTL_SECONDS)}


def cloud_environment(
    backend: MotoBackend, daemon: str, memory_mb: int, root: Path
) -> dict[str, str]:
    env = tracing_off_environment(backend)
    del env["POWERTOOLS_TRACE_DISABLED"], env["POWERTOOLS_METRICS_DISABLED"]
    return {
        **env,
        "LAMBDA_TASK_ROOT": str(root),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": "orders-bench-resolvers",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_XRAY_DAEMON_ADDRESS": daemon,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
    }


def _child(mode: str, env: Mapping[str, str], root: Path) -> tuple[float, dict[str, float]]:
    """(ms from spawning the interpreter to its report, the phases it reported), run in the
    task root `root` (see task_root). The clock stops when the report arrives: a Lambda
    container does not exit after a cold start, so the interpreter's teardown is no part of
    one."""
    started = time.perf_counter()
    with subprocess.Popen(  # noqa: S603  # our own module, fixed arguments
        [*CHILD, mode],
        cwd=root,
        env=_child_environment(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        report = ""
        for line in child.stdout:  # Powertools may log to stdout before the report
            if line.startswith(REPORT_PREFIX):
                report = line.removeprefix(REPORT_PREFIX)
                break
        wall_ms = (time.perf_counter() - started) * 1000
        _, errors = child.communicate(timeout=CHILD_SECONDS)
    if not report or child.returncode != 0:
        raise RuntimeError(f"bench.cold_start_child {mode} failed:\n{errors[-4000:]}")
    phases: dict[str, float] = json.loads(report)
    return wall_ms, phases


def _child_environment(env: Mapping[str, str]) -> dict[str, str]:
    return {**env, "PYTHONPATH": str(PROJECT_ROOT), EVENT_VARIABLE: create_event()}


def _own_import_times(mode: str, env: Mapping[str, str], root: Path) -> dict[str, float]:
    """Each module's own import time (ms, its body without its imports) in one fresh child
    of `mode` run with `python -X importtime`, which slows every import a little."""
    finished = subprocess.run(  # noqa: S603  # our own module, fixed arguments
        [sys.executable, "-X", "importtime", *CHILD[1:], mode],
        cwd=root,
        env=_child_environment(env),
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"bench.cold_start_child {mode} failed:\n{finished.stderr[-4000:]}")
    return {
        match[2]: int(match[1]) / 1000
        for match in map(IMPORT_LINE.match, finished.stderr.splitlines())
        if match
    }


def remaining_imports(
    handler: list[dict[str, float]], boto3: list[dict[str, float]]
) -> dict[str, Any]:
    """What the handler's import adds to bare boto3's: the own import time of each module
    only the handler's children imported (median over those children), summed by group."""
    shared = set().union(*boto3)
    by_group: dict[str, float] = defaultdict(float)
    for module in set().union(*handler) - shared:
        group = IMPORT_GROUPS.get(module.split(".")[0], OTHER_IMPORTS)
        by_group[group] += statistics.median(sample.get(module, 0.0) for sample in handler)
    return {
        "children": len(handler),
        "ms_by_group": {
            group: round(ms, 1) for group, ms in sorted(by_group.items(), key=lambda kv: -kv[1])
        },
        "total_ms": round(sum(by_group.values()), 1),
    }


def _interleaved(
    modes: Mapping[str, Mapping[str, str]], runs: int, root: Path
) -> dict[str, list[tuple[float, dict[str, float]]]]:
    """`runs` samples of each mode (name -> environment), the order rotating each round."""
    samples: dict[str, list[tuple[float, dict[str, float]]]] = {name: [] for name in modes}
    names = list(modes)
    for round_number in range(runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(_child(name.split(" ")[0], modes[name], root))
    return samples


def _round_ratios(
    handler: list[tuple[float, dict[str, float]]], boto3: list[tuple[float, dict[str, float]]]
) -> dict[str, Any]:
    """The handler's wall time over bare boto3's, round by round: a round's pair shares the
    machine's state of the moment, so their spread is the run's noise."""
    return figure(
        [mine / theirs for (mine, _), (theirs, _) in zip(handler, boto3, strict=True)], "ratio"
    )


def _walls(samples: list[tuple[float, dict[str, float]]]) -> dict[str, Any]:
    return figure([wall for wall, _ in samples], "ms")


def _phase(samples: list[tuple[float, dict[str, float]]], name: str) -> dict[str, Any]:
    return figure([phases[name] for _, phases in samples], "ms")


@contextmanager
def task_root() -> Iterator[Path]:
    """A Lambda task root: a copy of resolvers/, as the deployment zip has the package at
    its top. The children run in it (their working directory and the first entry of their
    path) and find the rest of the project (bench, harness) on PYTHONPATH. The copy's
    bytecode is the bench's own: the project's resolvers/ is never written, so a test run
    importing it at the same time cannot race with the bench."""
    with tempfile.TemporaryDirectory(prefix="orders-bench-task-root-") as root:
        shutil.copytree(
            RESOLVERS_DIR,
            Path(root) / RESOLVERS_DIR.name,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        yield Path(root)


def with_shipped_bytecode(root: Path) -> None:
    """The task root's resolvers/ as the zip has it: each module with its bytecode,
    hash-based and checked (infra/lambda_package.py compiles the zip's for Python 3.13;
    this Python's stands in for it). Forced, so it replaces whatever bytecode a child wrote
    there before."""
    compiled = compileall.compile_dir(
        root / RESOLVERS_DIR.name,
        quiet=1,
        force=True,
        invalidation_mode=PycInvalidationMode.CHECKED_HASH,
    )
    if not compiled:
        raise RuntimeError(f"compiling {root / RESOLVERS_DIR.name} failed")


def with_installed_bytecode(modes: Mapping[str, Mapping[str, str]], root: Path) -> None:
    """The installed packages (Powertools, the X-Ray SDK, boto3) compiled, as the Lambda
    runtime's boto3 is: one child of each mode that may write its bytecode. A full install
    compiles a module at its first import (Makefile), and a module no process had imported
    yet would otherwise be compiled again in every measured child."""
    for name, env in modes.items():
        writing = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        _child(name.split(" ")[0], writing, root)


def run(
    backend: MotoBackend, *, runs: int, lever_runs: int, import_runs: int, warm_bytecode: bool
) -> dict[str, Any]:
    memory_mb = stack_configuration().get("memory_mb", 512)
    with xray_daemon() as daemon, task_root() as root:
        cloud = cloud_environment(backend, daemon, memory_mb, root)
        local = tracing_off_environment(backend)
        main_modes = {
            "handler": cloud,
            "boto3": cloud,
            "snapstart": cloud,
            "handler (tracing off)": local,
        }
        lever_modes = {
            "tracer-off": local,
            "tracer-all": cloud,
            "tracer-botocore": cloud,
            "idempotency": cloud,
            "clients": cloud,
            "compile": cloud,
        }
        if warm_bytecode:
            with_installed_bytecode({**main_modes, **lever_modes}, root)
        with_shipped_bytecode(root)
        main = _interleaved(main_modes, runs, root)
        levers = _interleaved(lever_modes, lever_runs, root)
        imports: dict[str, list[dict[str, float]]] = {"handler": [], "boto3": []}
        for _ in range(import_runs):
            for mode in imports:
                imports[mode].append(_own_import_times(mode, cloud, root))
    handler, boto3 = _walls(main["handler"]), _walls(main["boto3"])
    lever_figures = {name: _phase(samples, "lever_ms") for name, samples in levers.items()}
    return {
        "vs_boto3": {
            "handler": compared(handler, boto3, GOAL_VS_BOTO3),
            "round_ratios": _round_ratios(main["handler"], main["boto3"]),
            "handler_tracing_off": _walls(main["handler (tracing off)"]),
            "phases": {
                "handler": {
                    "import": _phase(main["handler"], "import_ms"),
                    "first_call": _phase(main["handler"], "first_call_ms"),
                },
                "boto3": {
                    "import": _phase(main["boto3"], "import_ms"),
                    "clients": _phase(main["boto3"], "clients_ms"),
                    "calls": _phase(main["boto3"], "calls_ms"),
                },
            },
            "levers": _levers(lever_figures),
            "remaining_imports": remaining_imports(imports["handler"], imports["boto3"]),
        },
        "snapstart": _snapstart(main, memory_mb),
    }


def _levers(measured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    patched_all, patched_botocore = measured["tracer-all"], measured["tracer-botocore"]
    saved = {
        "bytecode": measured["compile"]["median"],
        "tracer-off": measured["tracer-off"]["median"],
        "patch": patched_all["median"] - patched_botocore["median"],
        "idempotency": measured["idempotency"]["median"],
        "clients": measured["clients"]["median"],
    }
    timed = {
        "bytecode": {"compiling_resolvers": measured["compile"]},
        "tracer-off": {"tracer_where_tracing_is_off": measured["tracer-off"]},
        "patch": {
            "tracer_patching_botocore": compared(patched_botocore, patched_all, None),
        },
        "idempotency": {"idempotency_setup": measured["idempotency"]},
        "clients": {"both_clients_again": measured["clients"]},
    }
    return {
        name: {"lever": LEVERS[name], "saved_ms": round(saved[name], 1), **timed[name]}
        for name in LEVERS
    }


def _snapstart(main: dict[str, list[tuple[float, dict[str, float]]]], memory_mb: int) -> Any:
    """Without SnapStart a cold start runs interpreter start, import and the first call;
    with it a restored copy runs the after-restore hook and the first call (the rest is in
    the snapshot). AWS's own restore time is not measurable here and comes on top."""
    without = figure([wall for wall, _ in main["handler"]], "ms")
    init_in_process = figure(
        [phases["import_ms"] + phases["first_call_ms"] for _, phases in main["handler"]], "ms"
    )
    after_restore = _phase(main["snapstart"], "after_restore_ms")
    before_snapshot = _phase(main["snapstart"], "before_snapshot_ms")
    removed_ms = without["median"] - after_restore["median"]
    return {
        "cold_start_without": without,
        "init_without_in_process": init_in_process,
        "before_snapshot": before_snapshot,
        "after_restore": compared(after_restore, without, None),
        "removed_ms": round(removed_ms, 1),
        "memory_mb": memory_mb,
        "estimated_cold_start_s": {
            "without": round(estimated_cold_start(without["median"] / 1000, memory_mb), 3),
            "with_before_restore_time": round(
                estimated_cold_start(after_restore["median"] / 1000, memory_mb), 3
            ),
        },
    }
