"""Runs one of the unchanged Amplify JS v6 apps of tests/e2e/amplify/ with Node against the
emulator in TLS mode (its CA trusted through NODE_EXTRA_CA_CERTS), and reads the JSON report
the app prints last."""

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.serve_process import PROJECT_ROOT
from tests.e2e.conftest import Emulator

APPS = Path(__file__).parent / "amplify"


def run_amplify_app(
    script: str, emulator: Emulator, variables: Mapping[str, str], *, timeout: float
) -> dict[str, Any]:
    """`script`'s report, the app given `variables` (its ORDERS_* settings)."""
    node = shutil.which("node")
    assert node, "Node.js is needed (README.md, 'The two commands')"
    assert (PROJECT_ROOT / "node_modules" / "aws-amplify").exists(), "run `make install`"
    assert emulator.ca_cert is not None
    # Node 20 has WebSocket behind a flag; 22 and later have it on (the flag is then a no-op).
    finished = subprocess.run(  # noqa: S603  # our own script, fixed arguments
        [node, "--experimental-websocket", str(APPS / script)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(emulator.ca_cert), **variables},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    report: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return report
