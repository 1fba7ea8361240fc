"""The suite against a deployed API, with this session's emulator standing in for AppSync:
reached only through the URL and key a deployed stage gives, as `make e2e-cloud` does."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.api_target import ENV_KEY, ENV_OUTPUTS, ENV_URL
from harness.serve_process import PROJECT_ROOT
from tests.e2e.conftest import Emulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("runs the suite again, against this emulator as the target"),
]

API_TESTS = "tests/e2e/test_orders_api.py"
EMULATOR_TESTS = "tests/e2e/test_queues_and_binding.py"


def test_the_suite_drives_the_api_the_environment_names_and_skips_emulator_only_tests(
    emulator: Emulator, tmp_path: Path
) -> None:
    # given a "deployed" API known only by its URL and key
    created_before = emulator.stats()["Mutation.createOrder"]["invocations"]
    environ = {k: v for k, v in os.environ.items() if k != ENV_OUTPUTS}
    environ |= {ENV_URL: emulator.graphql_url, ENV_KEY: emulator.api_key}
    report = tmp_path / "report.xml"

    # when the suite runs with it
    command = [sys.executable, "-m", "pytest", API_TESTS, EMULATOR_TESTS]
    command += [f"--junitxml={report}", "-p", "no:cacheprovider", "-q"]
    # A fixed command line: this interpreter's pytest on two of the project's test files.
    done = subprocess.run(  # noqa: S603
        command,
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    # then the API's tests ran against that API, not against an emulator of their own
    assert done.returncode == 0, done.stdout + done.stderr
    # The report is the one the run above just wrote.
    cases = ET.parse(report).getroot().iter("testcase")  # noqa: S314
    results = {(c.get("classname", ""), c.get("name")): c for c in cases}
    api_cases = [c for (module, _), c in results.items() if module.endswith("test_orders_api")]
    assert api_cases
    assert all(len(c) == 0 for c in api_cases)  # no <skipped>, <failure> or <error>
    assert emulator.stats()["Mutation.createOrder"]["invocations"] > created_before
    # and each emulator-only test was skipped, saying why
    skipped = [
        c for (module, _), c in results.items() if module.endswith("test_queues_and_binding")
    ]
    assert skipped
    for case in skipped:
        (reason,) = case.findall("skipped")
        assert reason.get("message", "").startswith("emulator only: drains the emulator's")
        assert emulator.graphql_url in reason.get("message", "")
