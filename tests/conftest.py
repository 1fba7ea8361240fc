"""Settings for the whole suite."""

import pytest
from hypothesis import HealthCheck, settings

from tests.soak import write_report

# Property tests check behaviour, never time: on a shared, loaded machine Hypothesis'
# per-example deadline and its "too slow" health check would only make them flaky.
settings.register_profile(
    "orders", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("orders")


# `make soak`: every test's outcome, and the figures the tests recorded, into the report.
_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.nodeid] = "yes" if report.outcome == "passed" else report.outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    write_report(_outcomes)
