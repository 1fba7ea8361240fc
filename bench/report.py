"""bench/report.md from results.json: the machine, how to read the figures, the summary
table of every goal, one section per figure and the charts."""

import json
from pathlib import Path
from typing import Any

from bench import charts
from bench.figures import goal_text

# Lambda SnapStart for Python: what it costs on top of requests and duration.
SNAPSTART_PRICING = "https://aws.amazon.com/lambda/pricing/"
SNAPSTART_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html"
SNAPSTART_MONITORING = "https://docs.aws.amazon.com/lambda/latest/dg/snapstart-monitoring.html"


def _n(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _verdict(figure: dict[str, Any]) -> str:
    if figure.get("goal") is None:
        return "-"
    return "met" if figure["met"] else "**not met**"


def _row(name: str, figure: dict[str, Any], unit: str = "", digits: int = 2) -> list[str]:
    """A summary row of a compared figure: measured, baseline, ratio, goal, verdict."""
    return [
        name,
        f"{_n(figure['median'])}{unit}",
        f"{_n(figure['baseline']['median'])}{unit}",
        f"{figure['ratio']:,.{digits}f}",
        goal_text(figure, digits),
        _verdict(figure),
    ]


def _cold_start_rows(results: dict[str, Any]) -> list[list[str]]:
    snap = results["cold_start"]["snapstart"]
    after = {**snap["after_restore"], "baseline": snap["cold_start_without"]}
    return [
        _row(
            "1. Cold start, handler vs bare boto3 (tracing on)",
            results["cold_start"]["vs_boto3"]["handler"],
            " ms",
        ),
        _row("2. SnapStart: after restore vs full cold start", after, " ms"),
    ]


def _in_process_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = [
        _row(f"3. Warm {name} vs raw boto3", figure, " ms")
        for name, figure in results["warm_overhead"].items()
    ]
    pages = results["page_cost"]
    small, large = pages["table_sizes"]
    rows.append(
        _row(
            f"4. Items examined for a page of 20, {large:,} vs {small:,} orders",
            pages["query_large_vs_small"],
        )
    )
    rows.append(
        _row(f"4. Scan-and-filter vs Query, {large:,} orders", pages["scan_vs_query_large"], "", 0)
    )
    rows += [
        _row(f"5. Bytes, {name}", figure, " B", 3)
        for name, figure in results["projection"].items()
        if isinstance(figure, dict) and "ratio" in figure
    ]
    return rows


def _api_rows(results: dict[str, Any]) -> list[list[str]]:
    section = results["throughput"]
    units = {"req/s": " req/s", "ms": " ms"}
    rows = [
        _row(f"6. {name}", figure, units[figure["unit"]])
        for name, figure in section["ratios"].items()
    ]
    waiting = section["queue_length"]
    rows.append(
        _row(
            f"6. createOrder with {waiting['waiting']:,} messages waiting vs an empty queue "
            "(ms per create)",
            waiting["createOrder full vs empty queue (ms per create)"],
            " ms",
        )
    )
    for scenario, levels in section["scenarios"].items():
        top = max(levels.values(), key=lambda level: level["requests_per_second"])
        rows.append(
            [
                f"6. {scenario}, best req/s (p50 / p99 there)",
                f"{_n(top['requests_per_second'])} req/s",
                f"p50 {_n(top['p50_ms'])} / p99 {_n(top['p99_ms'])} ms",
                "-",
                "-",
                "-",
            ]
        )
    return rows


def summary_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per compared figure (met or not where it has a goal), then the best rates."""
    return [*_cold_start_rows(results), *_in_process_rows(results), *_api_rows(results)]


SUMMARY_HEADER = ["figure", "measured (median)", "baseline", "ratio", "goal", ""]


def _summary(results: dict[str, Any]) -> list[str]:
    return ["## Summary", "", *_table(SUMMARY_HEADER, summary_rows(results)), ""]


def _cold_start_table(vs: dict[str, Any]) -> list[str]:
    handler, phases = vs["handler"], vs["phases"]
    return _table(
        ["variant", "median ms", "p90 ms", "phases (median ms)"],
        [
            [
                "handler, tracing on",
                _n(handler["median"]),
                _n(handler["p90"]),
                f"import {_n(phases['handler']['import']['median'])}, first call "
                f"{_n(phases['handler']['first_call']['median'])}",
            ],
            [
                "bare boto3",
                _n(handler["baseline"]["median"]),
                _n(handler["baseline"]["p90"]),
                f"import {_n(phases['boto3']['import']['median'])}, clients "
                f"{_n(phases['boto3']['clients']['median'])}, calls "
                f"{_n(phases['boto3']['calls']['median'])}",
            ],
            [
                "handler, tracing off (emulator)",
                _n(vs["handler_tracing_off"]["median"]),
                _n(vs["handler_tracing_off"]["p90"]),
                "",
            ],
        ],
    )


def _round_ratios(rounds: dict[str, Any], goal: float) -> str:
    """How the ratio moved from round to round: the two variants of a round ran one after
    the other, so their ratio carries the noise of the moment and no more."""
    ratios = rounds["samples"]
    within = sum(ratio <= goal for ratio in ratios)
    return (
        f"Round by round, the ratio of the two ran from {min(ratios):.2f} to "
        f"{max(ratios):.2f} (median {rounds['median']:.2f}); {within} of {len(ratios)} rounds "
        "were within the goal."
    )


def _remaining(vs: dict[str, Any]) -> list[str]:
    """Where the handler's extra milliseconds go: its import, module by module, and its
    first call, phase against phase."""
    phases, imports = vs["phases"], vs["remaining_imports"]
    import_gap = phases["handler"]["import"]["median"] - phases["boto3"]["import"]["median"]
    call_gap = (
        phases["handler"]["first_call"]["median"]
        - phases["boto3"]["clients"]["median"]
        - phases["boto3"]["calls"]["median"]
    )
    rows = [[group, _n(ms)] for group, ms in imports["ms_by_group"].items()]
    rows.append(["total", _n(imports["total_ms"])])
    return [
        f"What remains, measured. The handler's import takes {_n(import_gap)} ms more than "
        f"bare boto3's (medians of the phases above). `python -X importtime` gives each "
        "module's own import time, in more fresh interpreters "
        f"({imports['children']} of each variant); here are the modules only the handler "
        "imports, by what brings them (medians; the option itself slows every import a "
        "little):",
        "",
        *_table(["modules only the handler imports", "own import ms"], rows),
        "",
        f"The first call takes {_n(call_gap)} ms more than bare boto3's clients and calls: "
        "the UpdateItem that clears the order's unpublished marker once the message is sent "
        "(section 3), which the baseline does not make, and the Tracer's subsegments, the "
        "Logger and the metrics flush. Of the import, `resolvers/` is the one part that is "
        "ours to cut: dataclasses generate their methods when their module runs. The rest "
        "comes with Powertools as the entry and tracing on: asyncio comes with the X-Ray SDK "
        "even under a hand-written router, and the Logger, Metrics and Tracer stay. Tried "
        "and left: building clients from botocore without boto3 (boto3 adds s3transfer's "
        "import, but the serializer and Powertools idempotency need boto3 anyway). In the "
        "cloud, prod's SnapStart takes the import out of the cold start (section 2).",
    ]


def _cold_start(results: dict[str, Any]) -> list[str]:
    vs = results["cold_start"]["vs_boto3"]
    handler = vs["handler"]
    lever_rows = [
        [lever["lever"], f"{_n(lever['saved_ms'])} ms"] for lever in vs["levers"].values()
    ]
    return [
        "## 1. Cold start vs bare boto3",
        "",
        f"Fresh interpreters, interleaved, {len(handler['samples'])} of each; wall time of the "
        "interpreter from its start to its report (a container does not exit after a cold start, "
        "so teardown is not counted). The handler imports `resolvers.handler` "
        "and serves its first `createOrder`; bare boto3 does `import boto3`, builds a DynamoDB "
        "and an SQS client and makes the same PutItem and SendMessage, on the same moto "
        "endpoint. Tracing is configured as in the cloud: the Lambda runtime's variables "
        "(LAMBDA_TASK_ROOT, the X-Ray daemon address, a sampled trace header), no "
        "POWERTOOLS_TRACE_DISABLED, so the Tracer patches botocore and sends segments to a "
        "UDP socket on loopback.",
        "",
        *_cold_start_table(vs),
        "",
        f"Ratio handler / boto3: **{handler['ratio']:.2f}** (goal ≤ {handler['goal']}: "
        f"{_verdict(handler)}). {_round_ratios(vs['round_ratios'], handler['goal'])}",
        "",
        "What each lever bought, each timed in fresh interpreters (the work it avoids):",
        "",
        *_table(["lever", "saved (median)"], lever_rows),
        "",
        "The handler runs with bytecode, as the zip ships it: Lambda's `/var/task` is "
        "read-only, so without it each cold start would compile `resolvers/` (the bytecode "
        "row) and Powertools; the synth compiles both for Python 3.13 with Pyodide. The "
        "X-Ray savings count where they apply: the first where tracing is off (the emulator "
        "and the tests), the second in the cloud. The patching saving is measured with "
        "this machine's packages "
        "installed (httpx, requests... all patched by patch_all); the Lambda runtime has "
        "fewer, so there it is smaller. Powertools' AppSync resolver is imported without "
        "the `event_handler` and `data_classes` package inits, which import every resolver "
        "type and event class Powertools has (`resolvers/powertools_appsync.py`).",
        "",
        *_remaining(vs),
        "",
        "![cold start](cold_start.png)",
        "",
    ]


def _snapstart(results: dict[str, Any]) -> list[str]:
    snap = results["cold_start"]["snapstart"]
    estimate = snap["estimated_cold_start_s"]
    return [
        "## 2. Cold start in the cloud: SnapStart",
        "",
        "The `snapStart` stage setting (on in prod) publishes a version with SnapStart "
        "(`ApplyOn: PublishedVersions`) and AppSync invokes it through the `live` alias. "
        "`resolvers/snapstart.py` registers the runtime hooks: before the snapshot the "
        "handler is imported, boto3's service models and endpoint rules are parsed into the "
        "default session and Powertools idempotency is imported; after each restore the "
        "random generator is reseeded. The clients (connections, credentials) are built on "
        "the first invocation after the restore.",
        "",
        *_table(
            ["phase", "median ms", "p90 ms"],
            [
                [
                    "cold start without SnapStart (whole process)",
                    _n(snap["cold_start_without"]["median"]),
                    _n(snap["cold_start_without"]["p90"]),
                ],
                [
                    "before the snapshot (import + hooks; paid once per version)",
                    _n(snap["before_snapshot"]["median"]),
                    _n(snap["before_snapshot"]["p90"]),
                ],
                [
                    "after a restore (hook + first createOrder, clients built)",
                    _n(snap["after_restore"]["median"]),
                    _n(snap["after_restore"]["p90"]),
                ],
            ],
        ),
        "",
        f"SnapStart removes about {_n(snap['removed_ms'])} ms here. At the stack's "
        f"{snap['memory_mb']} MB (CPU share {snap['memory_mb']}/1,769 of a vCPU, so local "
        f"times scaled by {max(1.0, 1769 / snap['memory_mb']):.2f}) a cold start is estimated "
        f"at **{estimate['without']:.2f} s without** SnapStart and "
        f"**{estimate['with_before_restore_time']:.2f} s with it, plus the snapshot restore** "
        "itself, which only the cloud measures (the REPORT line's `Restore Duration`, "
        f"[monitoring]({SNAPSTART_MONITORING})).",
        "",
        f"Cost ([pricing]({SNAPSTART_PRICING}), [SnapStart]({SNAPSTART_DOCS})): for Python, "
        "SnapStart adds a charge for caching each published version's snapshot (per GB of "
        "memory, per second the version is active, at least 3 hours) and a charge for each "
        "restore (per GB restored), on top of requests and duration; the after-restore hook "
        "is billed as `Billed Restore Duration`. At 512 MB that is about 0.5 GB cached for "
        "as long as the version lives plus 0.5 GB per new execution environment: worth it "
        "for a user-facing API whose traffic creates environments often, not for a stage "
        "that idles (which is why dev leaves it off).",
        "",
    ]


def _same_calls(operations: dict[str, Any]) -> list[str]:
    """What the handler adds over raw boto3 making every call it makes (the marker's too)."""
    same = {name: f["same_calls"] for name, f in operations.items() if "same_calls" in f}
    if not same:
        return []
    ratios = ", ".join(
        f"{name} {_n(f['baseline']['median'])} ms, ratio **{f['ratio']:.2f}**"
        for name, f in same.items()
    )
    return [
        "",
        "Against raw boto3 making every call the handler makes, the marker's clearing "
        f"UpdateItem included (measured in the same rounds): {ratios}. That ratio is what "
        "Powertools, the validation and the domain add to the AWS calls themselves.",
    ]


def _warm(results: dict[str, Any]) -> list[str]:
    rows = [
        [
            name,
            _n(figure["median"]),
            _n(figure["p90"]),
            _n(figure["baseline"]["median"]),
            _n(figure["baseline"]["p90"]),
            f"{figure['ratio']:.2f}",
            _verdict(figure),
        ]
        for name, figure in results["warm_overhead"].items()
    ]
    update = results["warm_overhead"]["updateOrderState"]
    return [
        "## 3. Warm overhead vs raw boto3",
        "",
        "In process, interleaved rounds, the same moto endpoint; tracing off. Raw boto3 is "
        "the least a hand-written function does: createOrder = conditional PutItem + "
        "SendMessage; updateOrderState = the handler's own conditional UpdateItem (history "
        "entry appended, on the same conditions) returning the new item + SendMessage; a "
        "page = one Query of 20 on the state index.",
        "",
        *_table(["operation", "handler ms", "p90", "raw ms", "p90", "ratio", "goal ≤ 1.15"], rows),
        "",
        "updateOrderState"
        + (
            " meets the goal."
            if update["met"]
            else " does not meet it. It makes no read: its one conditional UpdateItem is the "
            "raw baseline's, and a refusal is explained from the item the failed write "
            "returns. What remains is one call the baseline does not make, as for "
            "createOrder: once the message is sent, a second UpdateItem clears the order's "
            "unpublished marker, which is what lets `orders repair` tell a lost message from "
            "a sent one."
        ),
        *_same_calls(results["warm_overhead"]),
        "",
        "![warm overhead](warm_overhead.png)",
        "",
    ]


def _pages(results: dict[str, Any]) -> list[str]:
    section = results["page_cost"]
    rows = [
        [
            f"{int(size):,}",
            _n(by["query"]["median"]),
            _n(by["scan"]["median"]),
        ]
        for size, by in section["by_size"].items()
    ]
    query = section["query_large_vs_small"]
    return [
        "## 4. Reads scale with the page, not the table",
        "",
        "Items DynamoDB examines (ScannedCount, what read capacity is charged on) for one "
        "`ordersByState(limit: 20)` page through the handler, orders spread over the four "
        "states. The handler reads one item past the page to know whether a next page "
        "exists, hence 21. The Scan-and-filter listing returns the same page (checked): "
        "a Scan has no order, so the oldest 20 are known only after reading every item.",
        "",
        *_table(["orders in the table", "Query: items examined", "Scan + filter"], rows),
        "",
        f"Large / small for the Query: **{query['ratio']:.2f}** (goal ≤ {query['goal']}: "
        f"{_verdict(query)}). moto's own Query time grows with the table (it filters in "
        "Python), so wall time is not the figure here.",
        "",
        "![page cost](page_cost.png)",
        "",
    ]


def _projection(results: dict[str, Any]) -> list[str]:
    section = results["projection"]
    lines = ["## 5. Only the fields asked for", ""]
    for name, figure in section.items():
        if isinstance(figure, dict) and "ratio" in figure:
            lines += [
                f"{name}, uncached path (API cache off, so the read projects): "
                f"{_n(figure['median'])} bytes selecting `id` vs "
                f"{_n(figure['baseline']['median'])} selecting every field, ratio "
                f"**{figure['ratio']:.3f}** (goal ≤ 1/3: {_verdict(figure)}). The `id` page "
                f"also reads {', '.join(section['attributes_read']['id'])} to build nextToken; "
                f"descriptions are {section['descripcion_chars']} characters.",
                "",
            ]
    return lines


def _throughput(results: dict[str, Any]) -> list[str]:
    section = results["throughput"]
    rows = []
    for scenario, levels in section["scenarios"].items():
        for clients, level in levels.items():
            rows.append(
                [
                    scenario,
                    clients,
                    _n(level["requests_per_second"]),
                    _n(level["p50_ms"]),
                    _n(level["p99_ms"]),
                    f"{level['emulator_cpu_cores']:.2f}",
                    _n(level["emulator_cpu_ms_per_request"]),
                    f"{level['load_generator_cpu_cores']:.2f}",
                    f"{level['cache_hit_ratio']:.0%}" if "cache_hit_ratio" in level else "-",
                ]
            )
    return [
        "## 6. Through the API (the emulator)",
        "",
        f"`orders serve` in its own process; asyncio clients in the benchmark process, each "
        f"waiting for its answer, {section['seconds_per_level']} s per level; createOrder's "
        f"levels in {section['create_rounds']} rounds, their order rotating, each level's "
        "rate the median of its rounds' (its latency and CPU over every request). Cache cold: "
        "every request has a new caching key (a different `desde` before every order), so "
        "each invokes the Lambda; warm: one key, served from the cache. Hit ratios from "
        "`/_emulator/stats`. The emulator's CPU is that of its whole process tree.",
        "",
        *_table(
            [
                "scenario",
                "clients",
                "req/s",
                "p50 ms",
                "p99 ms",
                "emulator CPU (cores)",
                "emulator CPU ms/request",
                "client CPU (cores)",
                "cache hits",
            ],
            rows,
        ),
        "",
        *_throughput_explained(section),
        "![throughput](throughput.png)",
        "",
        *_queue_length(section["queue_length"]),
    ]


def _throughput_explained(section: dict[str, Any]) -> list[str]:
    creates = section["scenarios"]["createOrder"]
    ratio_rows = [
        [name, f"{figure['ratio']:.2f}", goal_text(figure), _verdict(figure)]
        for name, figure in section["ratios"].items()
    ]
    return [
        *_table(["createOrder", "ratio", "goal", ""], ratio_rows),
        "",
        "How the emulator uses the machine (docs/emulator-performance.md): the API "
        "(uvicorn, strawberry, AppSync's cache and response handlers) is one process; the "
        "embedded moto server is another, with its own interpreter; the Lambda handler runs "
        f"in {section['lambda_containers']} containers, worker processes forked from one that "
        "imported it, each "
        "serving one invocation at a time as Lambda does. An invocation mostly waits for "
        "moto, so while one waits another runs, on the other core: from 1 to 8 clients "
        f"createOrder goes from {_n(creates['1']['requests_per_second'])} to "
        f"{_n(creates['8']['requests_per_second'])} req/s, using "
        f"{creates['8']['emulator_cpu_cores']:.2f} cores, and 32 clients are served "
        f"at {_n(creates['32']['requests_per_second'])} req/s: the extra clients queue for a "
        "container, so their latency grows with their number while the rate stays. "
        "On a shared machine the emulator gets less than the cores it asks for (the CPU "
        "column), which lowers every number here but not the shape. Concurrency in the cloud "
        "is AppSync's and Lambda's (one execution environment per concurrent request): "
        "these figures size a laptop's tests, not the service.",
        "",
    ]


def _queue_length(waiting: dict[str, Any]) -> list[str]:
    figure = waiting["createOrder full vs empty queue (ms per create)"]
    return [
        "### createOrder against the queue's length",
        "",
        f"In {waiting['rounds']} interleaved rounds on the same emulator: the `recibida` "
        f"queue purged, createOrder from one client for {waiting['seconds_per_sample']} s, "
        f"then {waiting['waiting']:,} messages sent to that queue straight to the embedded "
        f"AWS (counted there: {', '.join(f'{n:,}' for n in waiting['messages_counted'])}) "
        f"and createOrder again. Per create: {_n(figure['median'])} ms with the backlog, "
        f"{_n(figure['baseline']['median'])} ms without, ratio **{figure['ratio']:.2f}** "
        f"(goal {goal_text(figure)}: {_verdict(figure)}).",
        "",
        "moto 5.2's SQS model reads the clock for every message of a queue several times on "
        "each send (it counts the visible, in-flight and delayed messages four times per "
        "SendMessage, and walks the queue for the FIFO deduplication check), so a send cost "
        "grew with the backlog, and locally nothing drains the state queues. The embedded "
        "AWS runs a small layer over moto's queue model (api/emulator/sqs_model.py, tested "
        "against moto's own model in tests/integration/test_sqs_model.py and pinned to "
        "moto's minor version): deduplication against a five-minute window of accepted ids, "
        "as SQS documents it, and sends that read only the one attribute they need. "
        "Receives still walk the queue, as moto does, with one clock read per call.",
        "",
    ]


def _memory(results: dict[str, Any]) -> list[str]:
    burst = results["memory"]
    rss = burst["peak_rss_mb"]
    return [
        "## Memory of a warm container",
        "",
        f"A fresh process serving {burst['invocations']} invocations (create, get, page of "
        f"100 whole items, transition): peak RSS {rss['burst']:.1f} MB (interpreter "
        f"{rss['interpreter']:.1f}, after import {rss['imported']:.1f}, after the first "
        f"invocation {rss['first_invocation']:.1f}). Memory does not set the Lambda's size; "
        "CPU share does (section 2).",
        "",
    ]


def render(results: dict[str, Any]) -> str:
    env = results["environment"]
    load = ", ".join(str(value) for value in env["load_average_at_start"])
    lines = [
        "# Orders benchmarks",
        "",
        f"{env['date']}, `{results['mode']}` run in {results['duration_seconds']} s: Python "
        f"{env['python']} on {env['machine']}, {env['cpu_count']} CPUs (load {load} at "
        f"start), commit {env['commit']}. Everything in `results.json`.",
        "",
        "How to read it: each figure is a median with its p90 over samples taken on a "
        "shared, noisy machine, so absolute times drift between runs; a figure compared with "
        "a baseline was measured interleaved with it, so their **ratio** is what carries "
        "over. Counts (items examined, bytes) do not depend on the machine. A goal is the "
        "largest ratio accepted (≤), or for a rate that must grow with clients the smallest "
        "(≥) (docs/performance.md). AWS here is moto on loopback: its latencies are not "
        "DynamoDB's.",
        "",
        *_summary(results),
        *_cold_start(results),
        *_snapstart(results),
        *_warm(results),
        *_pages(results),
        *_projection(results),
        *_throughput(results),
        *_memory(results),
    ]
    return "\n".join(lines)


def write(results: dict[str, Any], directory: Path) -> list[Path]:
    results_path = directory / "results.json"
    results_path.write_text(json.dumps(results, indent=2) + "\n")
    pictures = charts.draw(results, directory)
    report_path = directory / "report.md"
    report_path.write_text(render(results) + "\n")
    return [results_path, report_path, *pictures]
