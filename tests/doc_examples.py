"""The fenced examples of README.md and docs/, read from the Markdown as a reader sees them.

A block of a runnable language is marked on the line just before its opening fence (the
convention is documented in docs/contributing.md):

    <!-- example -->                  run it against `orders serve --ephemeral`
    <!-- example: tls -->             run it against `orders serve --tls`
    <!-- example: plain tls -->       both
    <!-- example: error -->            it must answer with a GraphQL error
    <!-- example: skip (reason) -->   not run, for the reason given
"""

import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The fence's language -> how the block runs.
RUNNABLE = {
    "sh": "shell",
    "bash": "shell",
    "shell": "shell",
    "console": "shell",
    "graphql": "graphql",
    "gql": "graphql",
    "python": "python",
    "py": "python",
    "js": "javascript",
    "javascript": "javascript",
    "mjs": "javascript",
}
OPTIONS = {"plain", "tls", "error"}
_MARKER = re.compile(r"^\s*<!--\s*example(?::\s*(?P<options>.*?))?\s*-->\s*$")
_SKIP = re.compile(r"^skip\s*\((?P<reason>[^)]*\S[^)]*)\)$")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<language>[\w+-]*)")


class MarkerError(ValueError):
    """A marker the convention does not know."""


@dataclass(frozen=True)
class Example:
    path: Path
    line: int  # of the opening fence, 1-based
    language: str  # as written after the fence
    code: str
    marker: str | None  # the marker's options ("" for a bare `<!-- example -->`), None: none

    @property
    def where(self) -> str:
        shown = (
            self.path.relative_to(PROJECT_ROOT)
            if self.path.is_relative_to(PROJECT_ROOT)
            else self.path
        )
        return f"{shown}:{self.line}"

    @property
    def kind(self) -> str | None:
        """How the block runs; None for a language the runner does not run (json, text…)."""
        return RUNNABLE.get(self.language.lower())

    @property
    def skip_reason(self) -> str | None:
        skip = _SKIP.match(self.marker or "")
        return skip.group("reason").strip() if skip else None

    @property
    def options(self) -> frozenset[str]:
        """The marker's words; a bare marker means `plain`."""
        if self.marker is None or self.skip_reason is not None:
            return frozenset()
        words = frozenset(self.marker.split())
        unknown = words - OPTIONS
        if unknown or (self.marker.startswith("skip")):
            raise MarkerError(f"{self.where}: unknown example marker {self.marker!r}")
        return words if words & {"plain", "tls"} else words | {"plain"}


def documents() -> list[Path]:
    """README.md and every page under docs/."""
    return [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").rglob("*.md"))]


def examples(path: Path) -> list[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = opening.group("indent"), opening.group("fence")
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        body = [
            line[len(indent) :] if line.startswith(indent) else line
            for line in lines[index + 1 : end]
        ]
        marker = _MARKER.match(lines[index - 1]) if index > 0 else None
        found.append(
            Example(
                path=path,
                line=index + 1,
                language=opening.group("language"),
                code="\n".join(body) + "\n",
                marker=(marker.group("options") or "") if marker else None,
            )
        )
        index = end + 1
    return found
