"""The committed lock (requirements/*.txt) and pyproject.toml agree: the lock was made from
the dependency tables pyproject.toml has now, pins every direct dependency within its
bounds, hashes every pin, and is what `make serve`, `make test` and the Lambda bundle
install. On any failure here: run `make lock` and commit requirements/."""

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.lambda_package import BUNDLED_DISTRIBUTIONS, locked_requirements
from infra.python_lock import (
    LOCKS,
    PYPROJECT,
    SERVE_LOCK,
    TEST_LOCK,
    Locked,
    dependency_digest,
    parse_lock,
    recorded_digest,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RUN_MAKE_LOCK = "pyproject.toml and the lock disagree: run make lock and commit requirements/"
# The Pythons the project supports (requires-python) and the platforms it runs on.
ENVIRONMENTS = [
    {"python_version": v, "python_full_version": f"{v}.0", "sys_platform": p}
    for v in ("3.11", "3.12", "3.13")
    for p in ("linux", "darwin")
]


def _direct(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    texts = [*project["dependencies"]]
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    return [Requirement(text) for text in texts]


def _entries(lock: Path) -> list[Locked]:
    return parse_lock(lock.read_text())


@pytest.mark.parametrize("lock", list(LOCKS), ids=lambda p: p.name)
def test_the_lock_was_made_from_pyprojects_dependencies_as_they_are(lock: Path) -> None:
    assert recorded_digest(lock) == dependency_digest(), RUN_MAKE_LOCK


@pytest.mark.parametrize(("lock", "extras"), list(LOCKS.items()), ids=lambda v: str(v))
def test_every_direct_dependency_is_pinned_within_its_bounds(
    lock: Path, extras: tuple[str, ...]
) -> None:
    entries = _entries(lock)
    for requirement in _direct(extras):
        name = canonicalize_name(requirement.name)
        for environment in ENVIRONMENTS:
            if requirement.marker and not requirement.marker.evaluate(environment):
                continue
            pins = [e for e in entries if e.name == name and e.applies(environment)]
            assert len(pins) == 1, f"{lock.name}: {name} for {environment}: {RUN_MAKE_LOCK}"
            assert requirement.specifier.contains(pins[0].version, prereleases=True), (
                f"{lock.name} pins {name}=={pins[0].version}, outside {requirement}: "
                + RUN_MAKE_LOCK
            )


def test_every_pin_is_exact_and_hashed() -> None:
    for lock in LOCKS:
        entries = _entries(lock)
        assert entries, lock
        for entry in entries:
            assert entry.hashes, f"{lock.name}: {entry.name} has no hash: {RUN_MAKE_LOCK}"
    # the reading itself: as many pins as the file has lines with ==
    text = TEST_LOCK.read_text()
    pinned_lines = [line for line in text.splitlines() if "==" in line and line[:1].isalnum()]
    assert len(_entries(TEST_LOCK)) == len(pinned_lines)


def test_serving_installs_the_test_locks_versions() -> None:
    tested = {(e.name, e.marker): e.version for e in _entries(TEST_LOCK)}
    for entry in _entries(SERVE_LOCK):
        assert tested.get((entry.name, entry.marker)) == entry.version, (entry, RUN_MAKE_LOCK)


def test_the_lambda_bundle_takes_its_versions_and_hashes_from_the_lock() -> None:
    lines = locked_requirements("3.13", "manylinux2014_aarch64")
    pinned = {e.name: e for e in _entries(SERVE_LOCK)}
    assert [line.split("==")[0] for line in lines] == list(BUNDLED_DISTRIBUTIONS)
    for line in lines:
        name, rest = line.split("==", 1)
        assert rest.startswith(pinned[name].version + " ")
        assert "--hash=sha256:" in rest


def test_a_lock_without_a_pin_for_the_lambda_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "serve.txt"
    lock.write_text("aws-lambda-powertools==3.0.0 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    with pytest.raises(RuntimeError, match="run make lock"):
        locked_requirements("3.13", "manylinux2014_aarch64", lock)


def test_markers_are_read_for_the_environment_they_name() -> None:
    text = (
        "numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:" + "1" * 64 + "\n"
        "numpy==2.5.5 ; python_full_version >= '3.12' \\\n    --hash=sha256:" + "2" * 64 + "\n"
        "    # via matplotlib\n"
    )
    entries = parse_lock(text)
    for_313 = [e.version for e in entries if e.applies({"python_full_version": "3.13.0"})]
    assert for_313 == ["2.5.5"]
    assert [len(e.hashes) for e in entries] == [1, 1]


def _dry_run(target: str, tmp_path: Path) -> list[str]:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    return subprocess.run(  # noqa: S603  # make, a fixed target of our own Makefile
        [make, "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


@pytest.mark.parametrize(
    ("target", "lock"), [("serve-install", SERVE_LOCK), ("install", TEST_LOCK)]
)
def test_make_installs_exactly_the_lock(target: str, lock: Path, tmp_path: Path) -> None:
    installs = [c for c in _dry_run(target, tmp_path) if "pip install" in c]
    relative = lock.relative_to(PROJECT_ROOT)
    assert any(f"--require-hashes -r {relative}" in c for c in installs), installs
    # the project itself adds nothing the lock does not hold
    others = [c for c in installs if "--require-hashes" not in c]
    assert others, installs
    assert all("--no-deps" in c for c in others), others


def test_node_packages_install_from_their_lock_files() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "npm ci" in makefile
    for text in (makefile, ci):
        assert "npm install" not in text
        assert "npm i " not in text
