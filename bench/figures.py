"""The shape of every figure in results.json, so the report, the charts and the smoke test
read one format: a figure is {"unit", "samples", "median", "p90"}; a figure compared with a
baseline adds "baseline" (a figure), "ratio" (median over the baseline's median), "goal" (the
largest ratio accepted, or the smallest when "goal_is" is "at least") and "met"."""

import statistics
from collections.abc import Sequence
from typing import Any

FIGURE_KEYS = ("unit", "samples", "median", "p90")
COMPARED_KEYS = (*FIGURE_KEYS, "baseline", "ratio", "goal", "goal_is", "met")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default method)."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _rounded(value: float) -> float:
    return round(value, 3) if abs(value) < 1000 else round(value, 1)


def figure(samples: Sequence[float], unit: str) -> dict[str, Any]:
    return {
        "unit": unit,
        "samples": [_rounded(value) for value in samples],
        "median": _rounded(statistics.median(samples)),
        "p90": _rounded(percentile(samples, 0.9)),
    }


def compared(
    subject: dict[str, Any],
    baseline: dict[str, Any],
    goal: float | None,
    *,
    at_least: bool = False,
) -> dict[str, Any]:
    """`subject` against `baseline`; `goal` None for a comparison that informs only. A goal
    is the largest ratio accepted, or with `at_least` (a rate that must grow) the smallest;
    "goal_is" says which."""
    ratio = subject["median"] / baseline["median"]
    met = None if goal is None else (ratio >= goal if at_least else ratio <= goal)
    return {
        **subject,
        "baseline": baseline,
        "ratio": round(ratio, 4),
        "goal": goal,
        "goal_is": "at least" if at_least else "at most",
        "met": met,
    }


def goal_text(figure: dict[str, Any], digits: int = 2) -> str:
    """The goal as the report prints it: "≤ 1.3", "≥ 1.5", "-" without one."""
    if figure.get("goal") is None:
        return "-"
    sign = "≥" if figure.get("goal_is") == "at least" else "≤"
    return f"{sign} {figure['goal']:.{digits}f}"


def goals(results: Any, path: str = "") -> dict[str, bool]:
    """Every compared figure with a goal, by its path in `results`: met or not."""
    found: dict[str, bool] = {}
    if isinstance(results, dict):
        if results.get("goal") is not None and "ratio" in results:
            found[path] = bool(results["met"])
        for key, value in results.items():
            if key != "baseline":
                found.update(goals(value, f"{path}.{key}" if path else key))
    return found
