"""Figures the reliability tests record as they run, and `soak/REPORT.md` written from them
when the run is a soak (`make soak` sets ORDERS_SOAK_REPORT)."""

import json
import os
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

REPORT_VARIABLE = "ORDERS_SOAK_REPORT"
SIZE_VARIABLE = "ORDERS_SOAK"


def soaking() -> bool:
    return os.environ.get(SIZE_VARIABLE) == "1"


def size(bounded: int, soak: int) -> int:
    """How many of something to try: `bounded` in `make test`, `soak` in `make soak`."""
    return soak if soaking() else bounded


class Figures:
    """Counters per section, e.g. figures.count("hostile input", "requests")."""

    def __init__(self) -> None:
        self.sections: dict[str, Counter[str]] = defaultdict(Counter)
        self.notes: dict[str, list[str]] = defaultdict(list)

    def count(self, section: str, name: str, n: int = 1) -> None:
        self.sections[section][name] += n

    def note(self, section: str, text: str) -> None:
        self.notes[section].append(text)

    def report(self, outcomes: dict[str, str]) -> str:
        lines = [
            "# Soak report",
            "",
            f"Written by `make soak` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Each section is "
            "one test of the reliability suite run at soak size; `held` says whether every "
            "assertion of that test passed.",
            "",
        ]
        for section in sorted(set(self.sections) | set(self.notes)):
            lines += [f"## {section}", ""]
            lines += [f"{text}" for text in self.notes[section]]
            if self.notes[section]:
                lines.append("")
            lines += ["| figure | value |", "| --- | ---: |"]
            lines += [
                f"| {name} | {value} |" for name, value in sorted(self.sections[section].items())
            ]
            lines.append("")
        lines += ["## Tests", "", "| test | held |", "| --- | --- |"]
        lines += [f"| `{test}` | {held} |" for test, held in sorted(outcomes.items())]
        return "\n".join(lines) + "\n"


figures = Figures()


def write_report(outcomes: dict[str, str]) -> Path | None:
    """Write the report; a run of some of the tests replaces their sections and rows and
    keeps the others from the last run (kept as JSON beside the report)."""
    target = os.environ.get(REPORT_VARIABLE)
    if not target:
        return None
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = path.with_suffix(".json")
    if kept.exists():
        previous = json.loads(kept.read_text())
        for section, counts in previous["sections"].items():
            if section not in figures.sections:
                figures.sections[section].update(counts)
                figures.notes[section].extend(previous["notes"].get(section, []))
        outcomes = {**previous["outcomes"], **outcomes}
    kept.write_text(
        json.dumps(
            {"sections": figures.sections, "notes": figures.notes, "outcomes": outcomes},
            indent=1,
            sort_keys=True,
        )
        + "\n"
    )
    path.write_text(figures.report(outcomes))
    return path
