"""6. Through the API: requests/s and latency through the emulator (`orders serve`, as a
user runs it) for createOrder, and for ordersByState with the cache cold (every request a
new caching key, so each one invokes the Lambda) and warm (one key, served from the cache),
at 1, 8 and 32 concurrent clients (createOrder's levels, which carry the goals, in several
rounds: a level's rate is the median of its rounds'); then createOrder with 10,000
messages waiting in its queue against the same with the queue empty (bench.queue_length).

The clients are asyncio tasks in this process, each with its own keep-alive connection.
The emulator's CPU time per level (from /proc) is that of its whole process tree: the API,
the embedded AWS and the Lambda containers (docs/emulator-performance.md)."""

import asyncio
import os
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from api.emulator.lambda_function import CONTAINERS
from bench import queue_length, workload
from bench.figures import compared, figure
from harness.serve_process import ServeProcess
from resolvers.definitions.fields import ORDERS_BY_STATE

CONCURRENCY = (1, 8, 32)
CACHE_TTL = 600  # longer than the run: no entry expires under the benchmark
LISTED_ORDERS = 25  # created before the levels, so the first listing has a page to read
CREATE = "mutation C($input: CreateOrderInput!) { createOrder(input: $input) { id estado } }"
PAGE = """query P($estado: Estado!, $desde: AWSDateTime) {
  ordersByState(estado: $estado, limit: 20, desde: $desde) { items { id estado } nextToken }
}"""
SCENARIOS = ("createOrder", "ordersByState (cache cold)", "ordersByState (cache warm)")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# Goals of the emulator under clients: more clients get more done, up to the cores, and
# then hold; the slowest requests stay within a few times the typical one.
SCALE_UP_GOAL = 1.5  # createOrder at 8 clients vs 1, at least
HOLD_GOAL = 0.9  # createOrder at 32 clients vs 8, at least
TAIL_GOAL = 4.0  # p99 vs p50 at 8 clients, at most


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its living descendants (Linux /proc), 0
    where there is no /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields is not None:
            parents[int(entry.name)] = int(fields[1])
    tree, added = {pid}, True
    while added:
        children = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= children
        added = bool(children)
    total = 0
    for member in tree:
        fields = _stat(member)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


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


@dataclass
class Sample:
    """One scenario at one concurrency for a while: each request's latency, and the CPU
    and cache counters around it."""

    latencies: list[float]
    elapsed: float
    emulator_cpu: float
    own_cpu: float
    hits: int
    invocations: int

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed


def _sample(
    serve: ServeProcess,
    stats: Callable[[], dict[str, int]],
    scenario: str,
    clients: int,
    seconds: float,
    first: int,
) -> Sample:
    before, cpu_before = stats(), _cpu_seconds(serve.pid)
    own_cpu_before = time.process_time()
    latencies, _, elapsed = asyncio.run(
        _level(serve.url, serve.api_key, scenario, clients, seconds, first)
    )
    cpu = _cpu_seconds(serve.pid) - cpu_before
    own_cpu = time.process_time() - own_cpu_before
    after = stats()
    return Sample(
        latencies=latencies,
        elapsed=elapsed,
        emulator_cpu=cpu,
        own_cpu=own_cpu,
        hits=after["cache_hits"] - before["cache_hits"],
        invocations=after["invocations"] - before["invocations"],
    )


def _measured(scenario: str, samples: list[Sample]) -> dict[str, Any]:
    """One scenario at one concurrency from its rounds: the rate is the median of the
    rounds' rates (each round's in `round_rates`); latency, CPU and cache hits count every
    request of every round."""
    latencies = [latency for sample in samples for latency in sample.latencies]
    elapsed = sum(sample.elapsed for sample in samples)
    cpu = sum(sample.emulator_cpu for sample in samples)
    rates = [sample.rate for sample in samples]
    latency = figure(latencies, "ms")
    level = {
        "latency": latency,
        "p50_ms": latency["median"],
        "p99_ms": round(_p99(latencies), 2),
        "requests": len(latencies),
        "requests_per_second": round(statistics.median(rates), 1),
        "round_rates": [round(rate, 1) for rate in rates],
        "emulator_cpu_cores": round(cpu / elapsed, 2),
        "emulator_cpu_ms_per_request": round(1000 * cpu / len(latencies), 2),
        "load_generator_cpu_cores": round(sum(s.own_cpu for s in samples) / elapsed, 2),
    }
    if scenario != "createOrder":
        hits = sum(sample.hits for sample in samples)
        calls = hits + sum(sample.invocations for sample in samples)
        level["cache_hit_ratio"] = round(hits / max(1, calls), 3)
    return level


def ratios(creates: dict[str, Any]) -> dict[str, Any]:
    """createOrder's figures with a goal, from its levels (keyed by clients)."""

    def rate(clients: str) -> dict[str, Any]:
        return figure(creates[clients]["round_rates"], "req/s")

    eight = creates["8"]
    return {
        "createOrder 8 vs 1 clients (req/s)": compared(
            rate("8"), rate("1"), SCALE_UP_GOAL, at_least=True
        ),
        "createOrder 32 vs 8 clients (req/s)": compared(
            rate("32"), rate("8"), HOLD_GOAL, at_least=True
        ),
        "createOrder p99 vs p50 at 8 clients": compared(
            figure([eight["p99_ms"]], "ms"), figure([eight["p50_ms"]], "ms"), TAIL_GOAL
        ),
    }


@contextmanager
def emulator(log_dir: Path) -> Iterator[ServeProcess]:
    """`orders serve` for the levels, started (healthy only once `run` waits for it), and
    stopped on leaving."""
    serve = ServeProcess(
        api_key=secrets.token_urlsafe(16),
        cache_ttl_seconds=CACHE_TTL,
        log=log_dir / "serve.log",
        # SQS allows one PurgeQueue a minute, and moto enforces it; the queue-length rounds
        # empty the queue more often (a moto setting, read by the embedded AWS).
        settings={"MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false"},
    )
    try:
        yield serve
    finally:
        serve.stop()


def run(
    serve: ServeProcess,
    *,
    seconds: float,
    create_rounds: int,
    queue: queue_length.Plan,
    listed_orders: int = LISTED_ORDERS,
) -> dict[str, Any]:
    """Each scenario at each concurrency; createOrder's levels, which carry the goals, in
    `create_rounds` rounds, the order of the levels rotating each round so that none always
    runs on the fullest table and queue."""
    serve.wait_healthy()
    with httpx.Client(base_url=serve.url, headers={"x-api-key": serve.api_key}) as http:
        stats: Callable[[], dict[str, int]] = lambda: http.get("/_emulator/stats").json()[  # noqa: E731
            ORDERS_BY_STATE.path
        ]
        # Orders to list, and the warm key cached once.
        for number in range(listed_orders):
            http.post("/graphql", json=_request("createOrder", number)).raise_for_status()
        http.post("/graphql", json=_request("ordersByState (cache warm)", 0)).raise_for_status()
        results: dict[str, Any] = {}
        first = 1
        for scenario in SCENARIOS:
            samples: dict[int, list[Sample]] = {clients: [] for clients in CONCURRENCY}
            for round_number in range(create_rounds if scenario == "createOrder" else 1):
                shift = round_number % len(CONCURRENCY)
                for clients in CONCURRENCY[shift:] + CONCURRENCY[:shift]:
                    sample = _sample(serve, stats, scenario, clients, seconds, first)
                    samples[clients].append(sample)
                    first += len(sample.latencies)
            results[scenario] = {
                str(clients): _measured(scenario, taken) for clients, taken in samples.items()
            }
        waiting = queue_length.run(serve, queue, create=_creates_from(first))
    return {
        "seconds_per_level": seconds,
        "create_rounds": create_rounds,
        "concurrency": list(CONCURRENCY),
        # `orders serve` runs its default number of Lambda containers.
        "lambda_containers": CONTAINERS,
        "scenarios": results,
        "ratios": ratios(results["createOrder"]),
        "queue_length": waiting,
    }


def _creates_from(first: int) -> Callable[[ServeProcess, float], tuple[int, float]]:
    numbers = iter(range(first + 1_000_000, first + 20_000_000))

    def create(serve: ServeProcess, seconds: float) -> tuple[int, float]:
        """createOrder from one client for `seconds`: (requests, elapsed s)."""
        _, requests, elapsed = asyncio.run(
            _level(serve.url, serve.api_key, "createOrder", 1, seconds, next(numbers) * 1000)
        )
        return requests, elapsed

    return create


def _p99(values: list[float]) -> float:
    from bench.figures import percentile

    return percentile(values, 0.99)
