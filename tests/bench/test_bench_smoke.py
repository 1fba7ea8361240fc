"""`make bench QUICK=1` works and writes well-formed results: every section, every figure
with its samples, median and p90, every goal with its ratio. Times are never asserted: the
quick run's numbers mean little, only their shape is checked."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.cold_start import IMPORT_GROUPS
from bench.figures import COMPARED_KEYS, FIGURE_KEYS
from harness.serve_process import PROJECT_ROOT

pytestmark = pytest.mark.e2e

# Each figure that has a goal, by its path in results.json.
GOALS = {
    "cold_start.vs_boto3.handler": 1.3,
    "warm_overhead.createOrder": 1.15,
    "warm_overhead.updateOrderState": 1.15,
    "warm_overhead.ordersByState (limit 20)": 1.15,
    "page_cost.query_large_vs_small": 1.05,
    "projection.ordersByState (limit 20) id vs every field": 1 / 3,
    "throughput.ratios.createOrder 8 vs 1 clients (req/s)": 1.5,
    "throughput.ratios.createOrder 32 vs 8 clients (req/s)": 0.9,
    "throughput.ratios.createOrder p99 vs p50 at 8 clients": 4.0,
    "throughput.queue_length.createOrder full vs empty queue (ms per create)": 1.2,
}
# Goals on a rate that must grow: the smallest ratio accepted. The others are the largest.
AT_LEAST = {
    "throughput.ratios.createOrder 8 vs 1 clients (req/s)",
    "throughput.ratios.createOrder 32 vs 8 clients (req/s)",
}
LEVERS = {"bytecode", "tracer-off", "patch", "idempotency", "clients"}
SCENARIOS = {"createOrder", "ordersByState (cache cold)", "ordersByState (cache warm)"}
CHARTS = ("cold_start.png", "warm_overhead.png", "page_cost.png", "throughput.png")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("bench")
    done = subprocess.run(  # noqa: S603  # our own module, fixed arguments
        [sys.executable, "-m", "bench", "--quick", "--output-dir", str(output)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return output


@pytest.fixture(scope="module")
def results(quick_run: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((quick_run / "results.json").read_text())
    return loaded


def _at(results: dict[str, Any], path: str) -> Any:
    node: Any = results
    for key in path.split("."):
        node = node[key]
    return node


def _figures(node: Any) -> list[dict[str, Any]]:
    """Every object that claims to be a figure (has `samples`)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "samples" in node:
            found.append(node)
        for value in node.values():
            found.extend(_figures(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_figures(value))
    return found


def test_every_goal_is_a_compared_figure_with_its_goal(results: dict[str, Any]) -> None:
    for path, goal in GOALS.items():
        figure = _at(results, path)
        assert set(COMPARED_KEYS) <= set(figure), path
        assert figure["goal"] == pytest.approx(goal), path
        assert figure["ratio"] == pytest.approx(
            figure["median"] / figure["baseline"]["median"], rel=1e-3
        ), path
        at_least = path in AT_LEAST
        assert figure["goal_is"] == ("at least" if at_least else "at most"), path
        met = figure["ratio"] >= goal if at_least else figure["ratio"] <= goal
        assert figure["met"] == met, path
    assert set(results["goals"]) == set(GOALS)


def test_every_figure_has_samples_median_and_p90(results: dict[str, Any]) -> None:
    figures = _figures(results)
    assert len(figures) > 30
    for figure in figures:
        assert set(FIGURE_KEYS) <= set(figure)
        samples = figure["samples"]
        assert samples, figure
        assert min(samples) <= figure["median"] <= max(samples)
        assert figure["median"] <= figure["p90"] <= max(samples)


def test_levers_snapstart_and_the_estimate_are_reported(results: dict[str, Any]) -> None:
    cold = results["cold_start"]
    assert set(cold["vs_boto3"]["levers"]) == LEVERS
    snap = cold["snapstart"]
    assert snap["memory_mb"] > 0
    assert set(snap["estimated_cold_start_s"]) == {"without", "with_before_restore_time"}
    assert snap["after_restore"]["baseline"] == snap["cold_start_without"]


def test_the_cold_start_s_extra_import_is_measured_module_by_module(
    results: dict[str, Any], quick_run: Path
) -> None:
    remaining = results["cold_start"]["vs_boto3"]["remaining_imports"]
    groups = remaining["ms_by_group"]
    # Only the handler imports its own package, Powertools and (tracing on) the X-Ray SDK.
    for brought_by in ("resolvers", "aws_lambda_powertools", "aws_xray_sdk"):
        assert groups[IMPORT_GROUPS[brought_by]] > 0, brought_by
    assert remaining["total_ms"] == pytest.approx(sum(groups.values()), abs=0.1 * len(groups))
    report = (quick_run / "report.md").read_text()
    assert f"| {IMPORT_GROUPS['resolvers']} |" in report


def test_the_cold_start_ratio_is_given_round_by_round(
    results: dict[str, Any], quick_run: Path
) -> None:
    vs = results["cold_start"]["vs_boto3"]
    rounds, handler = vs["round_ratios"], vs["handler"]
    # one ratio a round: the handler's wall time over bare boto3's in the same round
    expected = [
        mine / theirs
        for mine, theirs in zip(handler["samples"], handler["baseline"]["samples"], strict=True)
    ]
    assert rounds["samples"] == pytest.approx(expected, rel=1e-2)
    assert "Round by round, the ratio of the two ran from" in (quick_run / "report.md").read_text()


def test_page_cost_counts_what_dynamodb_examines(results: dict[str, Any]) -> None:
    pages = results["page_cost"]
    small, large = pages["table_sizes"]
    # Counts, not times: a Query page examines the page and one item more; a Scan, the table.
    assert pages["query_large_vs_small"]["samples"] == [21] * len(
        pages["query_large_vs_small"]["samples"]
    )
    assert pages["by_size"][str(large)]["scan"]["median"] == large
    assert pages["by_size"][str(small)]["scan"]["median"] == small


def test_throughput_has_every_scenario_at_every_concurrency(results: dict[str, Any]) -> None:
    section = results["throughput"]
    assert set(section["scenarios"]) == SCENARIOS
    for scenario, levels in section["scenarios"].items():
        assert set(levels) == {"1", "8", "32"}
        for level in levels.values():
            assert {"requests_per_second", "p50_ms", "p99_ms", "latency"} <= set(level)
            if scenario != "createOrder":
                assert "cache_hit_ratio" in level
    for level in section["scenarios"]["createOrder"].values():
        assert len(level["round_rates"]) == section["create_rounds"]
    # The queue really held the backlog when the "full" samples were taken.
    waiting = section["queue_length"]
    assert min(waiting["messages_counted"]) >= waiting["waiting"]
    # The stats endpoint proves what the scenarios claim.
    for level in section["scenarios"]["ordersByState (cache cold)"].values():
        assert level["cache_hit_ratio"] == 0
    for level in section["scenarios"]["ordersByState (cache warm)"].values():
        assert level["cache_hit_ratio"] == 1


def test_the_report_and_its_charts_are_written(quick_run: Path) -> None:
    report = (quick_run / "report.md").read_text()
    for heading in ("## Summary", "## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6."):
        assert heading in report
    for chart in CHARTS:
        assert (quick_run / chart).read_bytes().startswith(b"\x89PNG"), chart
        assert f"]({chart})" in report
