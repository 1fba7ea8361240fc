"""A fresh process playing one Lambda container: `python -m bench.lambda_container import`
times the cold import of the handler; `... burst ROUNDS` then serves a warm burst against the
AWS endpoint in its environment and reports peak memory. Prints one JSON object.

Only the standard library is imported up front, so what is measured is the handler's cost."""

import argparse
import json
import resource
import sys
import time
import tracemalloc
from typing import Any

from resolvers.definitions.function import HANDLER

HANDLER_MODULE = HANDLER.rpartition(".")[0]


def peak_rss_mb() -> float:
    """The process's peak resident set so far: what Lambda reports as Max Memory Used.

    VmHWM where Linux has it, not ru_maxrss: across exec Linux keeps in ru_maxrss the
    high-water mark of the process it was forked from, so a container started by the
    benchmark would report the benchmark's own size."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _import_handler() -> float:
    started = time.perf_counter()
    __import__(HANDLER_MODULE)
    return time.perf_counter() - started


def _burst(rounds: int) -> dict[str, Any]:
    rss = {"interpreter": peak_rss_mb()}
    import_seconds = _import_handler()
    rss["imported"] = peak_rss_mb()

    from bench import workload
    from bench.in_process import InProcessLambda
    from resolvers.definitions.fields import (
        CREATE_ORDER,
        GET_ORDER,
        ORDERS_BY_STATE,
        UPDATE_ORDER_STATE,
    )

    orders_lambda = InProcessLambda({})  # the parent gave this process the Lambda's variables
    page = workload.page_selection(workload.WHOLE_ORDER)

    def one_round(number: int) -> int:
        """A create, a read of it, a page of 100 whole items and a transition."""
        order = orders_lambda.call(
            CREATE_ORDER, workload.create_input(number), workload.WHOLE_ORDER
        )
        orders_lambda.call(GET_ORDER, {"id": order["id"]}, workload.WHOLE_ORDER)
        orders_lambda.call(
            ORDERS_BY_STATE, {"estado": workload.LISTED_STATE.value, "limit": 100}, page
        )
        orders_lambda.call(
            UPDATE_ORDER_STATE, {"id": order["id"], "estado": "enproceso"}, workload.WHOLE_ORDER
        )
        return 4

    # The first invocation also builds the clients (bootstrap): the rest of a cold start.
    started = time.perf_counter()
    orders_lambda.call(CREATE_ORDER, workload.create_input(0), workload.WHOLE_ORDER)
    first_invocation_seconds = time.perf_counter() - started
    rss["first_invocation"] = peak_rss_mb()
    invocations = 1

    started = time.perf_counter()
    for number in range(1, rounds + 1):
        invocations += one_round(number)
    burst_seconds = time.perf_counter() - started
    rss["burst"] = peak_rss_mb()

    # Python-level allocations of a warm round, traced apart: tracing inflates the RSS.
    tracemalloc.start()
    one_round(rounds + 1)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "import_seconds": import_seconds,
        "first_invocation_seconds": first_invocation_seconds,
        "invocations": invocations,
        "burst_seconds": burst_seconds,
        "peak_rss_mb": rss,
        "warm_round_traced_peak_mb": traced_peak / (1024 * 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lambda_container")
    modes = parser.add_subparsers(dest="mode", required=True)
    modes.add_parser("import", help="time the cold import of the handler")
    burst = modes.add_parser("burst", help="serve ROUNDS rounds of invocations, warm")
    burst.add_argument("rounds", type=int)
    args = parser.parse_args()
    if args.mode == "import":
        report: dict[str, Any] = {"import_seconds": _import_handler()}
    else:
        report = _burst(args.rounds)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
