"""bench/results.json (everything, machine-readable) and bench/report.md (the short human
table), both rewritten by every run. Each is written to a temporary file and renamed, so an
interrupted run never leaves half a report."""

import json
import os
from pathlib import Path
from typing import Any

from bench.emulator_cache import HIT, MISS
from bench.projection import PROJECTED, WHOLE

RESULTS = "results.json"
REPORT = "report.md"


def write(results: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    results_path = directory / RESULTS
    report_path = directory / REPORT
    _replace(results_path, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    _replace(report_path, render(results))
    return results_path, report_path


def _replace(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(ratio: dict[str, float]) -> str:
    return f"{ratio['value']:.2f} ({ratio['round_min']:.2f}-{ratio['round_max']:.2f})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render(results: dict[str, Any]) -> str:
    env = results["environment"]
    lines = [
        "# Orders benchmarks",
        "",
        f"{env['date']}, `{results['mode']}` run in {results['duration_seconds']:.0f} s: "
        f"Python {env['python']} on {env['machine']}, {env['cpu_count']} CPUs "
        f"(load {', '.join(str(x) for x in env['load_average_at_start'])} at start), "
        f"commit {env['commit']}. Latencies are medians and p95 over interleaved rounds "
        "after a warm-up; the machine is shared, so compare the ratios (measured within "
        "the run, per-round range in brackets) rather than absolute times across runs. "
        "Everything in `results.json`.",
        "",
    ]
    lines += _handler(results["handler"])
    lines += _projection(results["projection"])
    lines += _emulator_cache(results["emulator_cache"])
    lines += _sizing(results["lambda_sizing"])
    return "\n".join(lines) + "\n"


def _handler(section: dict[str, Any]) -> list[str]:
    rows = [
        [name, _ms(op["median_ms"]), _ms(op["p95_ms"]), str(op["samples"])]
        for name, op in section["operations"].items()
    ]
    return [
        "## 1. Lambda handler in process, against moto on loopback",
        "",
        f"As deployed (API cache on, so reads fetch whole items); the client selects every "
        f"attribute; descriptions of {section['descripcion_chars']} characters. "
        "`createOrder (clientToken)` adds Powertools idempotency (its own table: a record "
        "written before and completed after the order). moto's costs are not DynamoDB's: "
        "read these as the handler's relative costs, not as cloud latencies.",
        "",
        *_table(["operation", "median ms", "p95 ms", "samples"], rows),
        "",
    ]


def _projection(section: dict[str, Any]) -> list[str]:
    rows = []
    for name, read in section.items():
        sizes = read["response_bytes"]
        rows.append(
            [
                name,
                _ms(read[PROJECTED]["median_ms"]),
                _ms(read[WHOLE]["median_ms"]),
                _ratio(read["latency_ratio"]),
                f"{sizes[PROJECTED]:,}",
                f"{sizes[WHOLE]:,}",
                f"{sizes['ratio']:.3f}",
            ]
        )
    return [
        "## 2. Projection: two selected attributes vs whole items",
        "",
        "Same event selecting `id` and `estado`; `ORDERS_CACHE_TTL=0` makes the Lambda "
        "project, the cache on makes it read whole items. Ratios are projected / whole. "
        "A page also reads its key attributes (`fecha_registro`) to build `nextToken`. "
        "The byte ratio is what the Lambda returns to AppSync and holds in the cloud; "
        "the latency ratio is moto's, which parses the projection in Python.",
        "",
        *_table(
            [
                "read",
                "projected median ms",
                "whole median ms",
                "latency ratio",
                "projected bytes",
                "whole bytes",
                "size ratio",
            ],
            rows,
        ),
        "",
    ]


def _emulator_cache(section: dict[str, Any]) -> list[str]:
    rows = [
        [
            variant,
            _ms(section[variant]["median_ms"]),
            _ms(section[variant]["p95_ms"]),
            str(section[variant]["samples"]),
            str(section["stats_delta"][variant]["invocations"]),
            str(section["stats_delta"][variant]["cache_hits"]),
        ]
        for variant in (HIT, MISS)
    ]
    checks = section["checks"]
    verdict = (
        "the hits never invoked the Lambda and every uncached request did"
        if all(checks.values())
        else f"CHECK FAILED: {checks}"
    )
    return [
        "## 3. Emulator over HTTP: getOrder, cache hit vs cache off",
        "",
        *_table(
            ["variant", "median ms", "p95 ms", "requests", "Lambda invocations", "cache hits"],
            rows,
        ),
        "",
        f"Latency ratio hit / miss: {_ratio(section['latency_ratio_hit_to_miss'])}. "
        f"`/_emulator/stats` over the {section['requests_per_variant']} requests of each "
        f"variant: {verdict}.",
        "",
    ]


def _sizing(section: dict[str, Any]) -> list[str]:
    cold, burst, advice = section["cold_import"], section["warm_burst"], section["advice"]
    rss = burst["peak_rss_mb"]
    packages = ", ".join(f"{name} {ms:.0f} ms" for name, ms in cold["slowest_packages_ms"].items())
    estimates = advice["estimated_cold_start_seconds_by_memory_mb"]
    lines = [
        "## 4. Lambda sizing",
        "",
        f"- Cold import of `resolvers.handler`: median {cold['import_seconds']['median']:.3f} s "
        f"({cold['import_seconds']['min']:.3f}-{cold['import_seconds']['max']:.3f}) over "
        f"{cold['runs']} fresh processes; whole process with interpreter start "
        f"{cold['process_seconds']['median']:.3f} s. Import time by package: {packages}.",
        f"- First invocation (a createOrder that also builds the boto3 clients): "
        f"{burst['first_invocation_seconds']:.3f} s, so a cold start costs "
        f"{advice['cold_start_seconds_here']:.3f} s here.",
        f"- Warm burst of {burst['invocations']} invocations (create, get, page of 100 whole "
        f"items, transition): peak RSS {rss['burst']:.1f} MB "
        f"(interpreter {rss['interpreter']:.1f}, "
        f"after import {rss['imported']:.1f}, after the first invocation "
        f"{rss['first_invocation']:.1f}); the burst added {burst['burst_growth_mb']:.1f} MB; "
        f"a warm round allocates at most {burst['warm_round_traced_peak_mb']:.2f} MB "
        "(tracemalloc).",
        "",
        *_table(
            ["memory MB", *estimates.keys()],
            [["estimated cold start s", *(f"{s:.2f}" for s in estimates.values())]],
        ),
        "",
        "Estimated from the cold start here, scaled by Lambda's CPU share (one vCPU at "
        "1,769 MB, proportionally less below), taking a core of this machine as one vCPU. "
        "Measured with tracing off, as the emulator runs it; in the cloud X-Ray patching "
        "adds to the import, and the stack runs Python 3.13 on arm64.",
        "",
    ]
    return lines + _reading(advice)


def _reading(advice: dict[str, Any]) -> list[str]:
    stack = advice["stack"]
    memory, timeout = stack.get("memory_mb"), stack.get("timeout_seconds")
    if memory is None or timeout is None:
        return ["The stack's memory size and timeout were not found in infra/function.py.", ""]
    estimated = advice["estimated_cold_start_seconds_by_memory_mb"][str(memory)]
    if advice["memory_needed_mb"] <= memory:
        memory_line = (
            f"Memory: the peak of {advice['peak_rss_mb']:.0f} MB is "
            f"{advice['memory_utilisation']:.0%} of the stack's {memory} MB; "
            f"{advice['memory_needed_mb']} MB (2x headroom) would hold it, so memory does not "
            f"set the size, CPU does: at {memory} MB a cold start is estimated at "
            f"{estimated:.2f} s."
        )
    else:
        memory_line = (
            f"Memory: the peak of {advice['peak_rss_mb']:.0f} MB leaves less than 2x headroom "
            f"in {memory} MB; size for at least {advice['memory_needed_mb']} MB."
        )
    covers = advice["timeout_covers_cold_start_and_slowest_p95"]
    timeout_line = (
        f"Timeout: {timeout} s {'covers' if covers else 'does NOT cover'} that cold start plus "
        f"the slowest warm p95 ({advice['slowest_warm_p95_ms']:.0f} ms). A hung AWS call can "
        f"take up to {advice['aws_call_worst_case_seconds']:.0f} s under the clients' retry "
        f"settings ({advice['failure_path_worst_case_seconds']:.1f} s for write, failed publish "
        "and undo)"
        + (
            ", longer than the timeout: a hung dependency ends as a Lambda timeout before the "
            "undo, not as a reported error."
            if advice["failure_path_worst_case_seconds"] >= timeout
            else ", within the timeout: the undo always gets to run."
        )
    )
    return [f"- {memory_line}", f"- {timeout_line}", ""]
