"""Settings for the whole suite."""

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.soak import REPORT_VARIABLE, write_report

# Property tests check behaviour, never time: on a shared, loaded machine Hypothesis'
# per-example deadline and its "too slow" health check would only make them flaky.
settings.register_profile(
    "orders", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("orders")


# `make test` runs files on several workers (pytest-xdist, `--dist loadgroup`). A file stays
# on one worker, so its module-scoped fixtures (moto, an emulator, the benchmark's quick run)
# are set up once; the CDK tests all go to one worker, which synthesizes each stage once.
_ONE_WORKER_FOLDERS = {"infra"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        module = item.nodeid.split("::", 1)[0]
        folder = module.split("/")[1] if module.count("/") > 1 else ""
        group = folder if folder in _ONE_WORKER_FOLDERS else module
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config: pytest.Config) -> None:
    # The soak figures are counted in the process that runs the tests: a report written by
    # several workers would keep only one worker's share.
    if os.environ.get(REPORT_VARIABLE) and getattr(config.option, "numprocesses", None):
        raise pytest.UsageError(f"{REPORT_VARIABLE} (make soak) runs in one process: drop -n")


# `make soak`: every test's outcome, and the figures the tests recorded, into the report.
_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.nodeid] = "yes" if report.outcome == "passed" else report.outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    write_report(_outcomes)
