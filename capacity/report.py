"""`make capacity`: the model's tables, the simulation's check and a chart, written to
capacity/capacity.md, capacity/capacity.png and capacity/capacity.json (the settings, for code)."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from capacity import limits, model
from capacity.model import Settings, Workload
from capacity.simulation import BURST_SECONDS, SimulationResult, simulate

HERE = Path(__file__).resolve().parent
SHARD_SWEEP = (1, 5, 10, 15, 18, 22, 25, 32)
GROUP_SWEEP = (1, 10, 20, 30, 34, 38, 42, 100)
TABLE_SHARDS = (1, 2, 4, 8, 16, 20, 25, 32, 64)
TABLE_GROUPS = (1, 4, 10, 34, 42, 100, 1_000, 1_250, 2_000)
AMPLE = 1_000  # shards or groups enough not to bind at the rates of the ceiling checks


@dataclass(frozen=True)
class Checks:
    """Simulated throttling at the target rate across N, across G, and around the ceilings."""

    shards: tuple[SimulationResult, ...]
    groups: tuple[SimulationResult, ...]
    around_ceilings: tuple[SimulationResult, ...]


def run_checks(workload: Workload, rate: float, seconds: float) -> Checks:
    wide = model.required_settings(rate, workload)
    shards = tuple(
        simulate(rate, Settings(n, wide.queue_groups), workload, seconds) for n in SHARD_SWEEP
    )
    groups = tuple(
        simulate(rate, Settings(wide.state_shards, g), workload, seconds) for g in GROUP_SWEEP
    )
    # Below its ceiling (at the planned share of it) a setting never throttles; above, it does.
    around: list[SimulationResult] = []
    for n in (1, 4):
        ceiling = model.index_ceiling(n, workload)
        for share in (workload.headroom, 1.2):
            around.append(simulate(ceiling * share, Settings(n, AMPLE), workload, seconds))
    for g in (1, 4):
        ceiling = model.send_ceiling(g, workload)
        for share in (workload.headroom, 1.2):
            around.append(simulate(ceiling * share, Settings(AMPLE, g), workload, seconds))
    return Checks(shards, groups, tuple(around))


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _throttled(result: SimulationResult) -> str:
    if not result.throttled:
        return "none"
    causes = ", ".join(f"{cause} {count:,}" for cause, count in sorted(result.throttled.items()))
    return f"{result.throttled_share:.1%} ({causes})"


def _simulations(results: Iterable[SimulationResult]) -> list[str]:
    return _table(
        ("N", "G", "offered orders/s", "steps", "throttled"),
        (
            (
                f"{r.settings.state_shards:,}",
                f"{r.settings.queue_groups:,}",
                _rate(r.offered_rate),
                f"{r.steps:,}",
                _throttled(r),
            )
            for r in results
        ),
    )


def _page(shards: int, workload: Workload) -> str:
    cost = model.page_cost(shards, workload.page_limit, workload.item_kb)
    return f"{cost.queries} Queries, ≤ {cost.items_read:,} items, ≤ {cost.read_units:g} RCU"


def markdown(rate: float, workload: Workload, checks: Checks) -> str:
    plan = model.plan(rate, workload)
    out = _headline(rate, workload, plan)
    out += _quotas(workload, plan)
    out += _settings(rate, workload, plan.settings)
    out += _checks(workload, checks)
    out += _not_modelled()
    out += _limits_used()
    return "\n".join(out) + "\n"


def _headline(rate: float, workload: Workload, plan: model.Plan) -> list[str]:
    """The settings for `rate`, and why each."""
    settings = plan.settings
    index_state, index_flow = model.busiest_index_state(workload)
    queue_state, queue_flow = model.busiest_queue_state(workload)
    units = workload.write_units_per_index_write
    sends = rate * queue_flow.entries
    for_sends = model.groups_for_sends(rate, workload)
    for_drain = model.groups_for_drain(rate, workload)
    return [
        "# Capacity model: `stateShards` (N) and `queueGroups` (G)",
        "",
        "Written by `make capacity` (`python -m capacity`) from `capacity/`: every "
        "number below follows from AWS's published limits (cited in `limits.py` and listed "
        "at the end) and the workload stated here. Regenerate it when a limit or the workload "
        "changes; `capacity/capacity.json` holds the recommended settings for code.",
        "",
        f"## {_rate(rate)} orders/s entering one state: N = {settings.state_shards}, "
        f"G = {settings.queue_groups:,}",
        "",
        f"Workload: orders are created in `recibida` at {_rate(rate)}/s and follow this mix: "
        + "; ".join(f"{' → '.join(path.states)} {path.share:.0%}" for path in workload.mix)
        + f". An item is at most {workload.item_kb:g} KB ({units} write unit per index write); "
        f"every key, group and queue is planned at {workload.headroom:.0%} of its limit; a "
        f"downstream consumer needs {workload.consumer_seconds * 1000:g} ms per message "
        f"(assumed); a resolver run takes {workload.lambda_seconds * 1000:g} ms (assumed); "
        f"Region {workload.region}.",
        "",
        f"- **N = {settings.state_shards}.** The busiest index state is `{index_state}`: "
        f"{index_flow.entries:g} put + {index_flow.exits:g} delete per order created (a state "
        f"change moves the index key: two index writes), so "
        f"{_rate(rate * index_flow.index_writes * units)} write units/s over N keys of "
        f"{_rate(limits.PARTITION_WRITE_UNITS.value)}/s each, planned at "
        f"{workload.headroom:.0%}.",
        f"- **G = {settings.queue_groups:,}.** The busiest queue is `{queue_state}`'s: "
        f"{_rate(sends)} SendMessage/s. Publishing alone needs G ≥ {for_sends} "
        f"({_rate(limits.GROUP_SENDS.value)} sends/s per group); consumers taking "
        f"{workload.consumer_seconds * 1000:g} ms, one message at a time per group, need "
        f"G ≥ {for_drain:,} to keep up. One queue takes "
        f"{_rate(workload.queue_sends_limit)} sends/s in {workload.region} whatever G is.",
        f"- **Cost per page:** {_page(settings.state_shards, workload)} for a page of "
        f"{workload.page_limit} (one Query per shard, each reading `limit + 1`). Uncached "
        f"pages of one state top out at "
        f"{_rate(model.page_ceiling(workload.page_limit, workload.item_kb))}/s whatever N is: "
        "every page reads every shard key, so sharding raises write capacity, not read "
        "capacity (the API cache does that).",
        "",
        "### What no setting of the stack lifts (account quotas, at this rate)",
        "",
    ]


def _quotas(workload: Workload, plan: model.Plan) -> list[str]:
    out = _table(
        ("need", "at this rate", "default quota", "adjustable", "verdict"),
        (
            (
                need.name,
                _rate(need.needed),
                f"{_rate(need.limit.value)} {need.limit.unit}",
                "yes" if need.limit.adjustable else "no",
                "fits" if need.fits else "request an increase",
            )
            for need in plan.account
        ),
    )
    out += [
        "",
        f"AppSync and Lambda count every mutation ({model.mutations_per_order(workload):g} per "
        "order: the creation and its transitions; reads come on top unless cached). From no "
        f"warm environment, Lambda reaches the needed concurrency in about "
        f"{plan.lambda_ramp_seconds:g} s ({_rate(limits.LAMBDA_SCALING_STEP.value)} "
        f"environments every {limits.LAMBDA_SCALING_PERIOD_S:g} s per function). The index "
        "row compares the index's writes with the per-table on-demand quota.",
        "",
        "## Settings: ordering guarantee, sustainable rate, cost per page",
        "",
        "Sustainable rate is the orders/s created at which the first limit is reached "
        "(publishing side: index keys, message groups, the queue); drain is what consumers "
        f"of {workload.consumer_seconds * 1000:g} ms per message keep up with.",
        "",
    ]
    return out


def _settings(rate: float, workload: Workload, settings: Settings) -> list[str]:
    """What a few settings give, then each setting alone."""
    for_sends = model.groups_for_sends(rate, workload)
    rows = [
        Settings(1, 1),
        Settings(4, 4),
        Settings(settings.state_shards, for_sends),
        settings,
    ]
    out = _table(
        ("N", "G", "ordering guarantee", "sustainable orders/s", "drain orders/s", "per page"),
        (
            (
                row.state_shards,
                f"{row.queue_groups:,}",
                model.ordering_guarantee(row.queue_groups),
                _rate(model.sustainable_rate(row.state_shards, row.queue_groups, workload)),
                _rate(model.drain_ceiling(row.queue_groups, workload)),
                _page(row.state_shards, workload),
            )
            for row in rows
        ),
    )
    out += ["", "### Against N (index keys per state)", ""]
    out += _table(
        ("N", "index ceiling orders/s", "planned orders/s", "per page"),
        (
            (
                n,
                _rate(model.index_ceiling(n, workload)),
                _rate(model.index_ceiling(n, workload) * workload.headroom),
                _page(n, workload),
            )
            for n in TABLE_SHARDS
        ),
    )
    out += ["", "### Against G (message groups per state queue)", ""]
    out += _table(
        ("G", "send ceiling orders/s", "drain ceiling orders/s"),
        (
            (
                f"{g:,}",
                _rate(model.send_ceiling(g, workload)),
                _rate(model.drain_ceiling(g, workload)),
            )
            for g in TABLE_GROUPS
        ),
    )
    return [*out, "", "![sustainable orders/s against N and G](capacity.png)", ""]


def _checks(workload: Workload, checks: Checks) -> list[str]:
    out = [
        "## The simulation's check",
        "",
        "A discrete-event simulation (`simulation.py`, seeded) runs Poisson arrivals through "
        "the mix with token buckets refilled at the limits above (each holding "
        f"{BURST_SECONDS * 1000:g} ms of its limit): one per index key `estado#k`, per message "
        "group `estado#j` and per queue; ids hash to k and j as the stack will. A throttled "
        "step stops its order. Throttling appears when N or G falls below what the model "
        "asks and disappears at the model's settings:",
        "",
    ]
    out += _simulations((*checks.shards, *checks.groups))
    out += [
        "",
        f"Around the ceilings: at {workload.headroom:.0%} of a setting's ceiling nothing "
        f"throttles; at 120% the excess is refused ({AMPLE:,} shards or groups: enough not to "
        "bind, so the other limit is the one under test).",
        "",
    ]
    return out + _simulations(checks.around_ceilings)


def _not_modelled() -> list[str]:
    return [
        "",
        "## Not in the model",
        "",
        "- SQS places message groups on partitions by its own hash, so two groups can share a "
        "partition's 300 sends/s: the group ceiling is an upper bound, and many groups (as the "
        "consumers need anyway) keep partitions evenly loaded, as AWS recommends.",
        "- ReceiveMessage and DeleteMessage have the same per-partition and per-queue quotas "
        "as SendMessage; consumers that batch (10 messages a call) stay well inside them.",
        "- Retries, the compensating write after a failed publish, Powertools idempotency "
        "records (their own table, keyed by token, so spread evenly) and reads, which the API "
        "cache serves when repeated.",
        "- A single order is never hot: each order changes state a few times in its life.",
        "",
        "## Limits used",
        "",
    ]


def _limits_used() -> list[str]:
    return _table(
        ("limit", "value", "adjustable", "source"),
        (
            (
                f"{limit.what}",
                f"{limit.value:,g} {limit.unit}",
                "yes" if limit.adjustable else "no",
                limit.source + (f" and {limit.see_also}" if limit.see_also else ""),
            )
            for limit in limits.ALL.values()
        ),
    )


def chart(rate: float, workload: Workload, checks: Checks, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    figure, (by_shards, by_groups) = plt.subplots(1, 2, figsize=(12, 4.8))
    _ceilings(by_shards, by_groups, workload)
    for axes, results, attribute in (
        (by_shards, checks.shards, "state_shards"),
        (by_groups, checks.groups, "queue_groups"),
    ):
        _simulated(axes, results, attribute, rate)
    _chosen(by_shards, by_groups, rate, workload)
    by_shards.set_xlabel("stateShards N (index keys per state)")
    by_groups.set_xlabel("queueGroups G (message groups per state queue)")
    by_shards.set_title("State index: 1,000 write units/s per key")
    by_groups.set_title("State queue: 300 sends/s and one consumer per group")
    by_shards.legend(fontsize=8, loc="upper left")
    by_groups.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(figure)


def _ceilings(by_shards: Any, by_groups: Any, workload: Workload) -> None:
    """The model's ceilings: against N on the left, against G (log scales) on the right."""
    shards = list(range(1, 41))
    by_shards.plot(
        shards, [model.index_ceiling(n, workload) for n in shards], label="index key ceiling"
    )
    by_shards.plot(
        shards,
        [model.index_ceiling(n, workload) * workload.headroom for n in shards],
        linestyle=":",
        label=f"planned ({workload.headroom:.0%})",
    )
    groups = sorted({round(10 ** (exponent / 20)) for exponent in range(0, 75)})
    by_groups.plot(groups, [model.send_ceiling(g, workload) for g in groups], label="send ceiling")
    by_groups.plot(
        groups,
        [model.drain_ceiling(g, workload) for g in groups],
        label=f"drain ceiling ({workload.consumer_seconds * 1000:g} ms consumers)",
    )
    by_groups.set_xscale("log")
    by_groups.set_yscale("log")


def _simulated(axes: Any, results: Sequence[SimulationResult], attribute: str, rate: float) -> None:
    """The simulation's verdicts at `rate`: a green dot where nothing throttled, a red cross."""
    clean = [getattr(r.settings, attribute) for r in results if not r.throttled]
    hot = [getattr(r.settings, attribute) for r in results if r.throttled]
    for settings, marker, color, verdict in (
        (clean, "o", "green", "no throttling"),
        (hot, "x", "red", "throttled"),
    ):
        axes.scatter(
            settings,
            [rate] * len(settings),
            marker=marker,
            color=color,
            zorder=3,
            label=f"simulated at {rate:,.0f}/s: {verdict}",
        )
    axes.axhline(rate, color="grey", linestyle="--", linewidth=0.8)
    axes.set_ylabel("sustainable orders/s")
    axes.grid(True, which="both", alpha=0.3)


def _chosen(by_shards: Any, by_groups: Any, rate: float, workload: Workload) -> None:
    """The model's answer for `rate`, and the groups publishing alone would need."""
    settings = model.required_settings(rate, workload)
    publishing = model.groups_for_sends(rate, workload)
    for axes, value, marker, size, label in (
        (by_shards, settings.state_shards, "*", 16, f"N = {settings.state_shards}"),
        (by_groups, settings.queue_groups, "*", 16, f"G = {settings.queue_groups}"),
        (by_groups, publishing, "D", 8, f"publishing only: G = {publishing}"),
    ):
        axes.plot(
            [value],
            [rate],
            marker=marker,
            markersize=size,
            color="black",
            linestyle="none",
            label=f"{rate:,.0f}/s{',' if 'publishing' in label else ':'} {label}",
        )


def settings_json(rate: float, workload: Workload) -> str:
    settings = model.required_settings(rate, workload)
    document = {
        "rate": rate,
        "stateShards": settings.state_shards,
        "queueGroups": settings.queue_groups,
        "workload": {key: value for key, value in asdict(workload).items() if key != "mix"}
        | {"mix": [{"states": list(p.states), "share": p.share} for p in workload.mix]},
    }
    return json.dumps(document, indent=2) + "\n"


def write(
    rate: float = model.TARGET_RATE,
    workload: Workload | None = None,
    directory: Path = HERE,
    seconds: float = 0.5,
) -> list[Path]:
    workload = workload or Workload()
    checks = run_checks(workload, rate, seconds)
    paths = [directory / "capacity.md", directory / "capacity.png", directory / "capacity.json"]
    paths[0].write_text(markdown(rate, workload, checks), encoding="utf-8")
    chart(rate, workload, checks, paths[1])
    paths[2].write_text(settings_json(rate, workload), encoding="utf-8")
    return paths
