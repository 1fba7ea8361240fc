"""The Lambda's code asset: the `resolvers/` package and, beside it, Powertools and what it
needs, at exactly the versions of the committed lock (requirements/serve.txt, the versions
`make test` installs too), each file checked against the lock's hashes, so the cloud runs
what the tests run.

A public Powertools layer would pin a layer number, not a package version (the two drift
apart; layer 27 is Powertools 3.23), and is published from another account in each
partition. Bundling needs neither, and no Docker: pip fetches the wheels built for the
Lambda's Python and architecture into the asset.

The asset carries its bytecode. The function's code is read-only in the execution
environment, so Python could not cache what it compiles: without bytecode in the zip, every
cold start would compile each module it imports, ours and Powertools'. It is compiled by
CPython of the runtime's version (bytecode is per minor version), which the machines that
synthesize need not have: Pyodide, CPython built for WebAssembly, pinned in package.json and
run by Node.js, which the CDK needs anyway (compile_bytecode.mjs)."""

import atexit
import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

import resolvers
from infra.python_lock import SERVE_LOCK, parse_lock

RESOLVERS_DIR = Path(resolvers.__file__).resolve().parent
BYTECODE_COMPILER = Path(__file__).resolve().with_name("compile_bytecode.mjs")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
PYODIDE_PACKAGE = PROJECT_ROOT / "node_modules" / "pyodide" / "package.json"
# Built bundles, by `_bundle_key` (cdk.out/ is ignored by git and removed by `make clean`).
BUNDLE_CACHE = PROJECT_ROOT / "cdk.out" / "lambda-bundles"
KEPT_BUNDLES = 4
ABANDONED_AFTER_SECONDS = 3600
# Powertools with its tracer extra, less what the Lambda runtime brings (boto3, botocore
# and their dependencies). A test checks this list against the installed metadata.
BUNDLED_DISTRIBUTIONS = ("aws-lambda-powertools", "aws-xray-sdk", "wrapt", "typing-extensions")
# pip's platform tag for each Lambda architecture, as AWS's guide to .zip packages with
# native libraries uses it (https://docs.aws.amazon.com/lambda/latest/dg/python-package.html).
PLATFORMS = {
    lambda_.Architecture.ARM_64.name: "manylinux2014_aarch64",
    lambda_.Architecture.X86_64.name: "manylinux2014_x86_64",
}
# The lock's markers, evaluated for the Lambda (Amazon Linux, CPython) rather than here.
_MACHINES = {"manylinux2014_aarch64": "aarch64", "manylinux2014_x86_64": "x86_64"}
IGNORED = ("__pycache__", "*.pyc")


def lambda_environment_markers(python_version: str, platform: str) -> dict[str, str]:
    return {
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "platform_machine": _MACHINES[platform],
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }


def locked_requirements(
    python_version: str, platform: str, lock: Path = SERVE_LOCK
) -> tuple[str, ...]:
    """The bundled distributions as the lock pins them for the Lambda, with their hashes."""
    environment = lambda_environment_markers(python_version, platform)
    wanted = set(BUNDLED_DISTRIBUTIONS)
    found = {
        entry.name: entry.requirement_line()
        for entry in parse_lock(lock.read_text())
        if entry.name in wanted and entry.applies(environment)
    }
    missing = wanted - set(found)
    if missing:
        raise RuntimeError(f"{lock} pins no {sorted(missing)} for the Lambda: run make lock")
    return tuple(found[name] for name in BUNDLED_DISTRIBUTIONS)


@functools.cache
def _dependencies(python_version: str, platform: str, requirements: tuple[str, ...]) -> Path:
    """The requirements installed for the Lambda's platform, once per synth process."""
    target = Path(tempfile.mkdtemp(prefix="orders-lambda-deps-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    requirements_file = target.with_suffix(".txt")
    requirements_file.write_text("\n".join(requirements) + "\n")
    atexit.register(requirements_file.unlink, missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        # Exactly the list: dependencies the runtime has (botocore) stay out.
        "--no-deps",
        # Every file checked against the lock.
        "--require-hashes",
        # No bytecode: the asset hash then depends on the packages alone.
        "--no-compile",
        "--only-binary=:all:",
        "--platform",
        platform,
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--target",
        str(target),
        "-r",
        str(requirements_file),
    ]
    # A fixed command line: this interpreter's pip and the pins of our own lock.
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"pip could not fetch the Lambda's dependencies:\n{done.stderr}")
    return target


def compile_bytecode(folder: Path, python_version: str) -> None:
    """Every module under `folder` compiled for CPython `python_version`, beside its source
    (`__pycache__`, hash-based and checked)."""
    done = subprocess.run(  # noqa: S603  # our own script, fixed arguments
        ["node", str(BYTECODE_COMPILER), str(folder), python_version],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"could not compile the Lambda's bytecode:\n{done.stderr}")


def _sources_digest(folder: Path) -> str:
    """The names and bytes of what a copy of `folder` without IGNORED holds."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        ignored = any(fnmatch(part, pattern) for part in relative.parts for pattern in IGNORED)
        if path.is_file() and not ignored:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _bundle_key(python_version: str, platform: str, resolvers_digest: str) -> str:
    """Everything a bundle is made of: resolvers/ as it is now, the locked requirements for
    the platform, the Python it is compiled for, the compiler (its script and Pyodide's
    version) and this module, which assembles it."""
    digest = hashlib.sha256()
    for part in (
        python_version,
        platform,
        resolvers_digest,
        *locked_requirements(python_version, platform),
    ):
        digest.update(part.encode() + b"\0")
    for path in (BYTECODE_COMPILER, PYODIDE_PACKAGE, Path(__file__)):
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _build_bundle(python_version: str, platform: str, into: Path) -> None:
    shutil.copytree(
        RESOLVERS_DIR, into / RESOLVERS_DIR.name, ignore=shutil.ignore_patterns(*IGNORED)
    )
    dependencies = _dependencies(
        python_version, platform, locked_requirements(python_version, platform)
    )
    shutil.copytree(dependencies, into, dirs_exist_ok=True)
    compile_bytecode(into, python_version)


@functools.cache
def _bundle(python_version: str, platform: str, resolvers_digest: str) -> Path:
    """The whole asset, compiled, once per content of what it is made of (`_bundle_key`).
    Kept in BUNDLE_CACHE between synth processes (`make synth`, `make deploy`, the CDK
    tests), as a bundle takes seconds of CPU (pip, then Pyodide compiling every module). One
    process builds it while the others wait on the lock."""
    key = _bundle_key(python_version, platform, resolvers_digest)
    BUNDLE_CACHE.mkdir(parents=True, exist_ok=True)
    bundle = BUNDLE_CACHE / key
    with (BUNDLE_CACHE / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not bundle.is_dir():
            # Built beside it and renamed: a bundle in the cache is always whole.
            building = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=BUNDLE_CACHE))
            try:
                _build_bundle(python_version, platform, building)
                copied = _sources_digest(building / RESOLVERS_DIR.name)
                if copied != resolvers_digest:
                    # resolvers/ changed while it was copied: this synth's alone, not kept
                    atexit.register(shutil.rmtree, building, ignore_errors=True)
                    return building
                building.rename(bundle)
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
        os.utime(bundle)  # used now: the last to be pruned
        _prune(keep=bundle)
    return bundle


def _prune(keep: Path) -> None:
    """The cache keeps the most recently used bundles (resolvers/ changes often). A folder
    named `key.suffix` is being built, or was built for one synth alone, and is its own
    process's to remove: here only one left behind by a process that died (older than
    ABANDONED_AFTER_SECONDS) is."""
    bundles: list[tuple[float, Path]] = []
    abandoned: list[Path] = []
    now = time.time()
    for entry in BUNDLE_CACHE.iterdir():
        if entry == keep or not entry.is_dir():
            continue
        try:
            modified = entry.stat().st_mtime
        except FileNotFoundError:  # its process removed it just now
            continue
        if "." not in entry.name:
            bundles.append((modified, entry))
        elif now - modified > ABANDONED_AFTER_SECONDS:
            abandoned.append(entry)
    bundles.sort(reverse=True)
    for stale in [entry for _, entry in bundles[KEPT_BUNDLES - 1 :]] + abandoned:
        shutil.rmtree(stale, ignore_errors=True)


@jsii.implements(ILocalBundling)
class _LambdaPackage:
    """`resolvers/` as a folder of the zip, so `resolvers.handler` imports as it does
    locally, with the pinned dependencies at the zip's root, where Python finds them, and
    every module's bytecode for the runtime beside it."""

    def __init__(self, python_version: str, platform: str) -> None:
        self.python_version = python_version
        self.platform = platform

    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        bundle = _bundle(self.python_version, self.platform, _sources_digest(RESOLVERS_DIR))
        shutil.copytree(bundle, output_dir, dirs_exist_ok=True)
        return True


def lambda_package(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(RESOLVERS_DIR),
        exclude=[f"**/{pattern}" for pattern in IGNORED],
        # Hash what is uploaded: a new Powertools version is a new asset even when
        # resolvers/ is unchanged.
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(
            # Only used if local bundling were unavailable; it never is.
            image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.13"),
            local=_LambdaPackage(
                python_version=runtime.name.removeprefix("python"),
                platform=PLATFORMS[architecture.name],
            ),
        ),
    )
