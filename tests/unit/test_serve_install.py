"""`make serve` installs the runtime only: never the `infra` or `dev` extras, never the CDK.
Checked where it is decided: what the Makefile's serve install runs, and everything the
package's base dependencies pull in, resolved through the installed distributions' metadata."""

import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The cloud toolchain: the CDK (Python libraries, their jsii runtime) and the template linter.
CLOUD_TOOLCHAIN = {"aws-cdk-lib", "constructs", "cdk-nag", "jsii", "cfn-lint"}


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _base_requirements() -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def _closure(requirements: list[Requirement]) -> set[str]:
    """Every distribution the requirements pull in, with their extras, as installed here."""
    seen: set[tuple[str, str]] = set()
    pulled: set[str] = set()
    pending = [(r, "") for r in requirements]
    while pending:
        requirement, parent_extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": parent_extra}):
            continue
        name = _name(requirement.name)
        pulled.add(name)
        for extra in [*requirement.extras, ""]:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            try:
                requires = metadata.requires(name) or []
            except metadata.PackageNotFoundError:
                continue  # not installed on this platform: nothing more to follow
            pending += [(Requirement(text), extra) for text in requires]
    return pulled


def _dry_run(target: str, tmp_path: Path) -> list[str]:
    """The commands `make <target>` would run in a fresh checkout (no venv yet, and `-B`:
    none of the stamps made here, such as node_modules' own, counts as done)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    finished = subprocess.run(  # noqa: S603  # make, a fixed target of our own Makefile
        [make, "-n", "-B", target, f"VENV={tmp_path / 'venv'}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return finished.stdout.splitlines()


def test_the_base_dependencies_pull_in_no_cloud_toolchain() -> None:
    pulled = _closure(_base_requirements())
    # the check follows extras: moto's own server extra would bring cfn-lint
    assert "moto" in pulled
    assert "flask" in pulled
    assert not pulled & CLOUD_TOOLCHAIN, pulled & CLOUD_TOOLCHAIN


def test_the_closure_sees_the_toolchain_through_an_extra() -> None:
    # The check above can fail: the infra extra, or moto[server], does pull the toolchain in.
    assert _closure([Requirement("moto[server]")]) & CLOUD_TOOLCHAIN


@pytest.mark.parametrize("target", ["serve-install", "serve"])
def test_the_serve_install_uses_no_extra_and_no_cdk(target: str, tmp_path: Path) -> None:
    commands = _dry_run(target, tmp_path)
    installs = [c for c in commands if "pip install" in c and "--upgrade pip" not in c]
    assert installs, commands
    for command in installs:
        assert "[" not in command, f"the serve install asks for an extra: {command}"
    for command in commands:
        # Node packages for serving (the explorer's assets) live in their own small package;
        # the root package.json is the CDK command line.
        assert not ("npm" in command and "--prefix" not in command), command
        assert "cdk" not in command, command


def test_the_full_install_adds_the_extras_and_the_cdk(tmp_path: Path) -> None:
    commands = _dry_run("install", tmp_path)
    assert any("pip install" in c and "[dev,infra]" in c for c in commands), commands
    assert any(c.startswith("npm ci") for c in commands), commands
