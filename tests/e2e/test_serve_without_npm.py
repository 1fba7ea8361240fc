"""`make serve` needs Python and make alone (README.md, "The two commands"): run with a PATH
that holds make and the few shell tools the Makefile calls, and no npm or Node.js, it serves
the API, the board and the explorer with its scripts (vendored in
api/emulator/web/explorer/vendor/)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from harness.serve_process import HOST, PROJECT_ROOT, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.emulator_only("runs make serve itself")]

# What the Makefile's serve path runs besides the venv's own programs.
TOOLS = ("make", "sh", "cat", "cksum", "cut", "rm", "touch")
# A first run may install the package into the venv (pip, no npm).
STARTUP_SECONDS = 300
EXPLORER_SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
)


def _path_without_npm(tmp_path: Path) -> str:
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed")
        (tools / tool).symlink_to(found)
    python = Path(sys.executable)
    (tools / "python3").symlink_to(python)
    path = str(tools)
    assert shutil.which("npm", path=path) is None
    assert shutil.which("node", path=path) is None
    return path


def _wait_healthy(url: str, make: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert make.poll() is None, f"make serve exited:\n{log.read_text()}"
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"make serve never became healthy:\n{log.read_text()}")


def test_make_serve_runs_with_no_npm_on_the_path(tmp_path: Path) -> None:
    # given a shell whose PATH has make and no npm, and free ports
    port, aws_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERS_", "AWS_"))}
    env |= {
        "PATH": _path_without_npm(tmp_path),
        "ORDERS_PORT": str(port),
        "ORDERS_AWS_PORT": str(aws_port),
        "ORDERS_EPHEMERAL": "1",
        "ORDERS_RUNTIME_DIR": str(tmp_path / "running"),
        "VENV": str(Path(sys.prefix)),
    }
    log = tmp_path / "make-serve.log"
    url = f"http://{HOST}:{port}"
    # when `make serve` runs
    with log.open("wb") as output:
        make = subprocess.Popen(  # noqa: S603  # make, our own Makefile's target
            [env["PATH"] + "/make", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(url, make, log)
        # then the board, the explorer and its scripts are served, from the package alone
        assert httpx.get(f"{url}/").status_code == 200
        assert httpx.get(f"{url}/graphql", headers={"accept": "text/html"}).status_code == 200
        for script in EXPLORER_SCRIPTS:
            served = httpx.get(f"{url}/explorer/vendor/{script}")
            assert served.status_code == 200, script
            assert len(served.content) > 1000, script
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=60)
    assert "npm" not in log.read_text()


def test_the_vendored_scripts_are_the_versions_the_web_package_pins() -> None:
    web = PROJECT_ROOT / "api" / "emulator" / "web"
    pinned = json.loads((web / "package.json").read_text())["dependencies"]
    notice = (web / "explorer" / "vendor" / "NOTICE").read_text()
    for package, version in pinned.items():
        assert f"{package} {version}" in notice, f"vendor/NOTICE does not name {package}"
    for script in EXPLORER_SCRIPTS:
        assert (web / "explorer" / "vendor" / script).is_file()
