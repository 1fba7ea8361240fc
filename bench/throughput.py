"""6. Through the API: requests/s and latency through the emulator (`orders serve`, as a
user runs it) for createOrder, and for ordersByState with the cache cold (every request a
new caching key, so each one invokes the Lambda) and warm (one key, served from the cache),
at 1, 8 and 32 concurrent clients.

The clients are asyncio tasks in this process, each with its own keep-alive connection.
The emulator's CPU time per level (from /proc) shows where it saturates: it is one Python
process (uvicorn, strawberry, the Lambda handler and the embedded moto server share one
interpreter), so it cannot use more than about one core."""

import asyncio
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import workload
from bench.figures import figure
from harness.serve_process import ServeProcess
from resolvers.contract.fields import ORDERS_BY_STATE

CONCURRENCY = (1, 8, 32)
CACHE_TTL = 600  # longer than the run: no entry expires under the benchmark
CREATE = "mutation C($input: CreateOrderInput!) { createOrder(input: $input) { id estado } }"
PAGE = """query P($estado: Estado!, $desde: AWSDateTime) {
  ordersByState(estado: $estado, limit: 20, desde: $desde) { items { id estado } nextToken }
}"""
SCENARIOS = ("createOrder", "ordersByState (cache cold)", "ordersByState (cache warm)")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), 0 where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _request(scenario: str, number: int) -> dict[str, Any]:
    if scenario == "createOrder":
        return {"query": CREATE, "variables": workload.create_input(number)}
    listed = {"estado": workload.LISTED_STATE.value}
    if scenario == "ordersByState (cache cold)":
        # A distinct lower bound per request (all before every order): a new caching key
        # each time, the same page each time.
        seconds, micros = divmod(number, 1_000_000)
        desde = f"2001-01-01T00:{seconds // 60:02d}:{seconds % 60:02d}.{micros:06d}Z"
        return {"query": PAGE, "variables": {**listed, "desde": desde}}
    return {"query": PAGE, "variables": listed}


async def _level(
    url: str, api_key: str, scenario: str, clients: int, seconds: float, first: int
) -> tuple[list[float], int, float]:
    """(latencies ms, requests, elapsed s) of `clients` clients sending for `seconds`, each
    waiting for its answer before the next request, over a pool of `clients` connections."""
    latencies: list[float] = []
    counter = iter(range(first, first + 10_000_000))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers={"x-api-key": api_key}, timeout=60, limits=limits
    ) as http:

        async def send() -> float:
            body = _request(scenario, next(counter))
            started = time.perf_counter()
            response = await http.post("/graphql", json=body)
            elapsed_ms = (time.perf_counter() - started) * 1000
            answer = response.json()
            if response.status_code != 200 or answer.get("errors"):
                raise RuntimeError(f"{scenario}: {response.status_code} {answer}")
            return elapsed_ms

        # Every connection opened (and not timed) before the clients start.
        await asyncio.gather(*(http.get("/health") for _ in range(clients)))
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < deadline:
                latencies.append(await send())

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return latencies, len(latencies), time.perf_counter() - started


def run(*, seconds: float, log_dir: Path) -> dict[str, Any]:
    api_key = secrets.token_urlsafe(16)
    serve = ServeProcess(api_key=api_key, cache_ttl_seconds=CACHE_TTL, log=log_dir / "serve.log")
    try:
        serve.wait_healthy()
        with httpx.Client(base_url=serve.url, headers={"x-api-key": api_key}) as http:
            stats: Callable[[], dict[str, int]] = lambda: http.get("/_emulator/stats").json()[  # noqa: E731
                ORDERS_BY_STATE.path
            ]
            # Orders to list, and the warm key cached once.
            for number in range(25):
                http.post("/graphql", json=_request("createOrder", number)).raise_for_status()
            http.post("/graphql", json=_request("ordersByState (cache warm)", 0)).raise_for_status()
            results: dict[str, Any] = {}
            first = 1
            for scenario in SCENARIOS:
                levels: dict[str, Any] = {}
                for clients in CONCURRENCY:
                    before, cpu_before = stats(), _cpu_seconds(serve.pid)
                    own_cpu_before = time.process_time()
                    latencies, requests, elapsed = asyncio.run(
                        _level(serve.url, api_key, scenario, clients, seconds, first)
                    )
                    first += requests
                    cpu = _cpu_seconds(serve.pid) - cpu_before
                    own_cpu = time.process_time() - own_cpu_before
                    after = stats()
                    invocations = after["invocations"] - before["invocations"]
                    hits = after["cache_hits"] - before["cache_hits"]
                    levels[str(clients)] = {
                        "latency": figure(latencies, "ms"),
                        "p50_ms": figure(latencies, "ms")["median"],
                        "p99_ms": round(_p99(latencies), 2),
                        "requests": requests,
                        "requests_per_second": round(requests / elapsed, 1),
                        "emulator_cpu_cores": round(cpu / elapsed, 2),
                        "emulator_cpu_ms_per_request": round(1000 * cpu / requests, 2),
                        "load_generator_cpu_cores": round(own_cpu / elapsed, 2),
                        **(
                            {}
                            if scenario == "createOrder"
                            else {"cache_hit_ratio": round(hits / max(1, hits + invocations), 3)}
                        ),
                    }
                results[scenario] = levels
    finally:
        serve.stop()
    return {"seconds_per_level": seconds, "concurrency": list(CONCURRENCY), "scenarios": results}


def _p99(values: list[float]) -> float:
    from bench.figures import percentile

    return percentile(values, 0.99)
