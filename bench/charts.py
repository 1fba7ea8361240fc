"""The report's PNG charts (matplotlib, no display needed)."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend is chosen first


def _save(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def cold_start(results: dict[str, Any], directory: Path) -> Path:
    vs = results["cold_start"]["vs_boto3"]
    snap = results["cold_start"]["snapstart"]
    names = ["bare boto3", "handler (tracing on)", "handler (tracing off)", "SnapStart restore"]
    values = [
        vs["handler"]["baseline"]["median"],
        vs["handler"]["median"],
        vs["handler_tracing_off"]["median"],
        snap["after_restore"]["median"],
    ]
    figure, axes = plt.subplots(figsize=(7, 3.2))
    axes.barh(names, values, color=["#888888", "#1f77b4", "#aec7e8", "#2ca02c"])
    axes.set_xlabel("median ms, fresh interpreter (this machine)")
    axes.set_title("Cold start: import + first createOrder")
    axes.invert_yaxis()
    return _save(figure, directory / "cold_start.png")


def warm_overhead(results: dict[str, Any], directory: Path) -> Path:
    operations = results["warm_overhead"]
    names = list(operations)
    handler = [operations[name]["median"] for name in names]
    raw = [operations[name]["baseline"]["median"] for name in names]
    figure, axes = plt.subplots(figsize=(7, 3.2))
    positions = range(len(names))
    axes.bar([p - 0.2 for p in positions], raw, width=0.4, label="raw boto3", color="#888888")
    axes.bar([p + 0.2 for p in positions], handler, width=0.4, label="handler", color="#1f77b4")
    axes.set_xticks(list(positions), names)
    axes.set_ylabel("median ms (moto)")
    axes.set_title("Warm: handler vs the same AWS work in raw boto3")
    axes.legend()
    return _save(figure, directory / "warm_overhead.png")


def page_cost(results: dict[str, Any], directory: Path) -> Path:
    section = results["page_cost"]
    sizes = section["table_sizes"]
    query = [section["by_size"][str(size)]["query"]["median"] for size in sizes]
    scan = [section["by_size"][str(size)]["scan"]["median"] for size in sizes]
    figure, axes = plt.subplots(figsize=(7, 3.2))
    labels = [f"{size:,} orders" for size in sizes]
    positions = range(len(sizes))
    axes.bar([p - 0.2 for p in positions], query, width=0.4, label="Query (state index)")
    axes.bar([p + 0.2 for p in positions], scan, width=0.4, label="Scan + filter", color="#d62728")
    axes.set_yscale("log")
    axes.set_xticks(list(positions), labels)
    axes.set_ylabel("items examined (log)")
    axes.set_title("One page of 20: items DynamoDB examines")
    axes.legend()
    return _save(figure, directory / "page_cost.png")


def throughput(results: dict[str, Any], directory: Path) -> Path:
    section = results["throughput"]
    figure, (rate, latency) = plt.subplots(1, 2, figsize=(10, 3.6))
    for scenario, levels in section["scenarios"].items():
        clients = [int(level) for level in levels]
        rate.plot(
            clients, [levels[str(c)]["requests_per_second"] for c in clients], "o-", label=scenario
        )
        latency.plot(clients, [levels[str(c)]["p99_ms"] for c in clients], "o-", label=scenario)
    for axes in (rate, latency):
        axes.set_xscale("log", base=2)
        axes.set_xticks(section["concurrency"], [str(c) for c in section["concurrency"]])
        axes.set_xlabel("concurrent clients")
    rate.set_ylabel("requests/s")
    rate.set_title("Throughput through the emulator")
    latency.set_ylabel("p99 ms")
    latency.set_yscale("log")
    latency.set_title("p99 latency")
    rate.legend(fontsize="small")
    return _save(figure, directory / "throughput.png")


def draw(results: dict[str, Any], directory: Path) -> list[Path]:
    return [
        chart(results, directory) for chart in (cold_start, warm_overhead, page_cost, throughput)
    ]
