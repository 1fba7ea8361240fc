"""The committed lock of the Python dependencies (requirements/*.txt, written by `make lock`
with uv's universal resolver and every distribution file's sha256), read where the project
needs it: the Lambda bundle installs its distributions from it (infra/lambda_package.py),
and a test checks it against pyproject.toml (tests/unit/test_python_lock.py).

Each lock starts with the digest of pyproject.toml's dependency tables it was made from:
a change to any of them (a new dependency, a bound, an extra) without `make lock` is seen
at once, even where every pinned version still fits."""

import hashlib
import json
import re
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = PROJECT_ROOT / "pyproject.toml"
# What `make serve` installs (the runtime), and what `make test` installs (runtime, `dev`,
# `infra`): one resolution, the serve lock constrained by the test lock.
SERVE_LOCK = PROJECT_ROOT / "requirements" / "serve.txt"
TEST_LOCK = PROJECT_ROOT / "requirements" / "test.txt"
LOCKS = {SERVE_LOCK: (), TEST_LOCK: ("dev", "infra")}
DIGEST_PREFIX = "# pyproject.toml dependencies sha256: "

_ENTRY = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)"
    r"(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)
_HASH = re.compile(r"--hash=(sha256:[0-9a-f]{64})")


@dataclass(frozen=True)
class Locked:
    name: str  # canonical (PEP 503)
    version: str
    marker: str | None
    hashes: tuple[str, ...]

    def applies(self, environment: dict[str, str]) -> bool:
        return self.marker is None or Marker(self.marker).evaluate(environment)

    def requirement_line(self) -> str:
        """This entry for `pip install --require-hashes` (marker left out: evaluated here)."""
        return " ".join([f"{self.name}=={self.version}", *(f"--hash={h}" for h in self.hashes)])


def parse_lock(text: str) -> list[Locked]:
    """The entries of a hashed requirements file as uv and pip-compile write it."""
    entries: list[Locked] = []
    for line in text.splitlines():
        stripped = line.strip()
        match = _ENTRY.match(stripped)
        if match:
            marker = match["marker"]
            entries.append(
                Locked(
                    name=canonicalize_name(match["name"]),
                    version=match["version"],
                    marker=marker.strip() if marker else None,
                    hashes=(),
                )
            )
        elif entries and (hashes := _HASH.findall(stripped)):
            last = entries[-1]
            entries[-1] = replace(last, hashes=(*last.hashes, *hashes))
    return entries


def dependency_digest(pyproject: Path = PYPROJECT) -> str:
    """sha256 of what the locks are resolved from: Python version, dependencies, extras."""
    project = tomllib.loads(pyproject.read_text())["project"]
    tables = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    for line in lock.read_text().splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def stamp(lock: Path, pyproject: Path = PYPROJECT) -> None:
    """Put the digest of pyproject.toml's dependency tables at the top of `lock`."""
    lines = [line for line in lock.read_text().splitlines() if not line.startswith(DIGEST_PREFIX)]
    lock.write_text("\n".join([DIGEST_PREFIX + dependency_digest(pyproject), *lines]) + "\n")


if __name__ == "__main__":
    # `make lock`, after uv has written the locks named on the command line.
    for path in sys.argv[1:]:
        stamp(Path(path))
