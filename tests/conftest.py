"""Settings for the whole suite."""

import os

import pytest
from hypothesis import HealthCheck, settings
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling

from tests.soak import REPORT_VARIABLE, write_report

# Property tests check behaviour, never time: on a shared, loaded machine Hypothesis'
# per-example deadline and its "too slow" health check would only make them flaky.
settings.register_profile(
    "orders", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("orders")


# `make test` runs files on several workers (pytest-xdist). A file stays on one worker, so
# its module-scoped fixtures (moto, an emulator, the benchmark's quick run) are set up once;
# the CDK tests all go to one worker, which synthesizes each stage once. The grouping is
# this scheduler's, by node id: xdist's own `--dist loadgroup` marks groups by rewriting
# `item._nodeid`, which pytest 9 no longer reads, so its groups silently fall apart.
_ONE_WORKER_FOLDERS = {"infra"}
# Files that use the session's TLS emulator (tests/e2e/conftest.py) share one worker too, so
# it starts once, not once per worker that runs one of them (a start is seconds of CPU).
_TLS_EMULATOR_FILES = {
    "tests/e2e/test_amplify_client.py",
    "tests/e2e/test_amplify_user_pool.py",
    "tests/e2e/test_pages.py",
    "tests/e2e/test_realtime_protocol.py",
}
# The longest files start first, so none is left to run alone at the end.
_FIRST_FOLDERS = ("bench", "e2e", "infra", "integration")


def _group(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    parts = module.split("/")
    folder = parts[1] if len(parts) > 2 else ""
    if module in _TLS_EMULATOR_FILES:
        return "tls_emulator"
    return folder if folder in _ONE_WORKER_FOLDERS else module


class _ByFile(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
    def _split_scope(self, nodeid: str) -> str:
        return _group(nodeid)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling:
    return _ByFile(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        parts = item.nodeid.split("/")
        folder = parts[1] if len(parts) > 2 else ""
        return _FIRST_FOLDERS.index(folder) if folder in _FIRST_FOLDERS else len(_FIRST_FOLDERS)

    items.sort(key=rank)  # stable: a file's tests keep their order


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
