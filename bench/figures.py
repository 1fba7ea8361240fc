"""The shape of every figure in results.json, so the report, the charts and the smoke test
read one format: a figure is {"unit", "samples", "median", "p90"}; a figure compared with a
baseline adds "baseline" (a figure), "ratio" (median over the baseline's median), "goal" (the
largest ratio the issue accepts) and "met"."""

import statistics
from collections.abc import Sequence
from typing import Any

FIGURE_KEYS = ("unit", "samples", "median", "p90")
COMPARED_KEYS = (*FIGURE_KEYS, "baseline", "ratio", "goal", "met")


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
    subject: dict[str, Any], baseline: dict[str, Any], goal: float | None
) -> dict[str, Any]:
    """`subject` against `baseline`; `goal` None for a comparison that informs only."""
    ratio = subject["median"] / baseline["median"]
    return {
        **subject,
        "baseline": baseline,
        "ratio": round(ratio, 4),
        "goal": goal,
        "met": None if goal is None else ratio <= goal,
    }


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
