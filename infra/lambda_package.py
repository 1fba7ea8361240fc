"""The Lambda's code asset: the `resolvers/` package and, beside it, Powertools and what it
needs, at exactly the versions installed here, so the cloud runs what the tests run.

A public Powertools layer would pin a layer number, not a package version (the two drift
apart; layer 27 is Powertools 3.23), and is published from another account in each
partition. Bundling needs neither, and no Docker: pip fetches the wheels built for the
Lambda's Python and architecture into the asset."""

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

import resolvers

RESOLVERS_DIR = Path(resolvers.__file__).resolve().parent
# Powertools with its tracer extra, less what the Lambda runtime brings (boto3, botocore
# and their dependencies). A test checks this list against the installed metadata.
BUNDLED_DISTRIBUTIONS = ("aws-lambda-powertools", "aws-xray-sdk", "wrapt", "typing-extensions")
# pip's platform tag for each Lambda architecture, as AWS's guide to .zip packages with
# native libraries uses it (https://docs.aws.amazon.com/lambda/latest/dg/python-package.html).
PLATFORMS = {
    lambda_.Architecture.ARM_64.name: "manylinux2014_aarch64",
    lambda_.Architecture.X86_64.name: "manylinux2014_x86_64",
}
IGNORED = ("__pycache__", "*.pyc")


def pinned_requirements() -> tuple[str, ...]:
    """The bundled distributions at the versions installed in this environment."""
    return tuple(f"{name}=={version(name)}" for name in BUNDLED_DISTRIBUTIONS)


@functools.cache
def _dependencies(python_version: str, platform: str, requirements: tuple[str, ...]) -> Path:
    """The requirements installed for the Lambda's platform, once per synth process."""
    target = Path(tempfile.mkdtemp(prefix="orders-lambda-deps-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        # Exactly the list: dependencies the runtime has (botocore) stay out.
        "--no-deps",
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
        *requirements,
    ]
    # A fixed command line: this interpreter's pip and pinned names from our own metadata.
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"pip could not fetch the Lambda's dependencies:\n{done.stderr}")
    return target


@jsii.implements(ILocalBundling)
class _LambdaPackage:
    """`resolvers/` as a folder of the zip, so `resolvers.handler` imports as it does
    locally, with the pinned dependencies at the zip's root, where Python finds them."""

    def __init__(self, python_version: str, platform: str) -> None:
        self.python_version = python_version
        self.platform = platform

    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        output = Path(output_dir)
        shutil.copytree(
            RESOLVERS_DIR, output / RESOLVERS_DIR.name, ignore=shutil.ignore_patterns(*IGNORED)
        )
        dependencies = _dependencies(self.python_version, self.platform, pinned_requirements())
        shutil.copytree(dependencies, output, dirs_exist_ok=True)
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
