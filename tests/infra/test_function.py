"""The resolver Lambda in the synthesized templates, and its staged code asset."""

import _imp
import re
from importlib.metadata import distribution, version
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.function import MEMORY_MB, TIMEOUT
from infra.lambda_package import BUNDLED_DISTRIBUTIONS, compile_bytecode
from resolvers.adapters import aws_clients
from resolvers.definitions import resources
from resolvers.definitions.function import HANDLER
from resolvers.domain.states import Estado
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_lambda_runtime_and_tracing(synthesized: Synthesized) -> None:
    props = synthesized.resolver_function()["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == HANDLER == "resolvers.handler.lambda_handler"
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Timeout"] == TIMEOUT.to_seconds()
    assert props["MemorySize"] == MEMORY_MB


# AppSync ends a GraphQL request after 30 seconds, whatever its resolvers are doing
# ("Request execution time for mutations, queries, and subscriptions", AppSync's service
# quotas: https://docs.aws.amazon.com/general/latest/gr/appsync.html).
APPSYNC_REQUEST_LIMIT_SECONDS = 30
# Estimated at 512 MB by `make bench` (bench/report.md): 1.5 to 2 s, by the load of the run.
COLD_START_SECONDS = 2


def test_timeout_leaves_room_to_undo_a_write_and_ends_before_appsync_gives_up() -> None:
    # given the clients' worst case for write + failed publish + undo, which must be left
    # when a write starts, and a cold start (bench/report.md) plus a read before the write
    needed = aws_clients.WORST_CASE_COMPENSATED_SECONDS
    slow_read = aws_clients.CONNECT_TIMEOUT_SECONDS + aws_clients.READ_TIMEOUT_SECONDS
    before_the_write = COLD_START_SECONDS + slow_read
    # then the function outlives it, so the undo runs
    assert needed + before_the_write < TIMEOUT.to_seconds()
    # and a request that meets a cold start (initialisation runs before the invocation's
    # own timeout starts) still ends before AppSync gives up on it
    assert TIMEOUT.to_seconds() + COLD_START_SECONDS < APPSYNC_REQUEST_LIMIT_SECONDS
    # and the clients really use that budget
    config: Any = aws_clients.CLIENT_CONFIG  # botocore's Config sets its options dynamically
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert (config.connect_timeout, config.read_timeout) == (0.5, 1.0)


def test_the_lambda_runs_the_powertools_version_the_tests_run(synthesized: Synthesized) -> None:
    # given the Powertools this test process imports
    tested = version("aws-lambda-powertools")
    # when the uploaded package is read
    asset = synthesized.asset_dir()
    # then it carries that very version (and no layer brings another one)
    assert (asset / f"aws_lambda_powertools-{tested}.dist-info").is_dir()
    assert (asset / "aws_lambda_powertools" / "__init__.py").is_file()
    assert "Layers" not in synthesized.resolver_function()["Properties"]
    for name in BUNDLED_DISTRIBUTIONS:
        folder = f"{name.replace('-', '_')}-{version(name)}.dist-info"
        assert (asset / folder).is_dir(), folder


def test_compiled_modules_are_built_for_the_lambdas_python_and_architecture(
    synthesized: Synthesized,
) -> None:
    # wrapt (the X-Ray SDK's) ships a C extension: the one for x86_64 Python 3.11 that this
    # machine runs would not load on arm64 Python 3.13
    compiled = [p.name for p in synthesized.asset_dir().rglob("*.so")]
    assert compiled
    for name in compiled:
        assert re.search(r"\.cpython-313-aarch64-linux-gnu\.so$", name), name


def _requirements(name: str, extras: set[str]) -> set[str]:
    """The distributions `name` (with `extras`) needs, transitively, as installed here."""
    needed: set[str] = set()
    pending = [(name, extras)]
    while pending:
        current, current_extras = pending.pop()
        key = canonicalize_name(current)
        if key in needed:
            continue
        needed.add(key)
        for line in distribution(current).requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in current_extras or {""}):
                pending.append((requirement.name, set(requirement.extras)))
    return needed


def test_the_bundle_is_powertools_with_its_tracer_less_what_the_runtime_has() -> None:
    # the Lambda Python runtime includes boto3 and what it needs
    runtime = _requirements("boto3", set())
    powertools = _requirements("aws-lambda-powertools", {"tracer"})
    assert {canonicalize_name(n) for n in BUNDLED_DISTRIBUTIONS} == powertools - runtime


def test_environment_names_every_resource(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    env = synthesized.resolver_function()["Properties"]["Environment"]["Variables"]
    ref = synthesized.logical_id
    assert env[resources.ENV_STAGE] == synthesized.stage
    assert env[resources.ENV_ORDERS_TABLE] == {"Ref": ref(stack.tables.orders.node.default_child)}
    assert env[resources.ENV_IDEMPOTENCY_TABLE] == {
        "Ref": ref(stack.tables.idempotency.node.default_child)
    }
    for estado in Estado:
        queue = stack.queues.queues[estado]
        assert env[resources.env_queue_url(estado)] == {"Ref": ref(queue.node.default_child)}
    assert env[resources.ENV_CACHE_TTL] == "30"
    assert env["POWERTOOLS_SERVICE_NAME"] == resources.SERVICE
    assert env["POWERTOOLS_METRICS_NAMESPACE"]


def test_lambda_logs_to_its_own_group_with_retention(synthesized: Synthesized) -> None:
    props = synthesized.resolver_function()["Properties"]
    group_id = props["LoggingConfig"]["LogGroup"]["Ref"]
    group = synthesized.json["Resources"][group_id]
    assert group["Properties"]["RetentionInDays"] > 0


def _top_level_entries(dist_info: Path) -> set[str]:
    record = (dist_info / "RECORD").read_text(encoding="utf-8").splitlines()
    return {line.split(",")[0].split("/")[0] for line in record if line}


def test_asset_is_the_resolvers_package_and_its_dependencies(synthesized: Synthesized) -> None:
    asset = synthesized.asset_dir()
    dependencies: set[str] = set()
    for dist_info in asset.glob("*.dist-info"):
        dependencies |= _top_level_entries(dist_info)
    # The bytecode of the dependencies' top-level modules (typing_extensions) is at the root.
    assert {p.name for p in asset.iterdir()} == {"resolvers", "__pycache__"} | dependencies
    assert (asset / "resolvers" / "handler.py").is_file()
    assert (asset / "resolvers" / "domain" / "states.py").is_file()


# CPython 3.13's bytecode magic number (Lib/importlib/_bootstrap_external.py, 3571 for
# every 3.13 release) and PEP 552's header: magic, flags (hash-based and checked: 0b11),
# the source's SipHash keyed by the magic, then the code.
PYTHON_3_13_MAGIC = (3571).to_bytes(2, "little") + b"\r\n"
CHECKED_HASH = (0b11).to_bytes(4, "little")


def test_every_module_of_the_asset_has_its_python_3_13_bytecode(
    synthesized: Synthesized,
) -> None:
    # The code is read-only in Lambda: bytecode not in the zip is compiled at every cold start.
    assert synthesized.resolver_function()["Properties"]["Runtime"] == "python3.13"
    asset = synthesized.asset_dir()
    sources = sorted(asset.rglob("*.py"))
    assert len(sources) > 400  # resolvers/ and Powertools, the X-Ray SDK, wrapt
    key = int.from_bytes(PYTHON_3_13_MAGIC, "little")
    for source in sources:
        cached = source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"
        header = cached.read_bytes()[:16]
        assert header[:8] == PYTHON_3_13_MAGIC + CHECKED_HASH, cached
        # The hash Python 3.13 checks at import: this very source's (_imp.source_hash takes
        # the key, so this interpreter computes 3.13's).
        assert header[8:] == _imp.source_hash(key, source.read_bytes()), source
    # Nothing else: no bytecode of another Python, no .pyc without its source.
    every_pyc = set(asset.rglob("*.pyc"))
    assert every_pyc == {s.parent / "__pycache__" / f"{s.stem}.cpython-313.pyc" for s in sources}


def test_bytecode_of_another_python_than_the_runtimes_is_refused(tmp_path: Path) -> None:
    # A Pyodide whose CPython is not the runtime's would write bytecode the Lambda ignores.
    (tmp_path / "module.py").write_text("VALUE = 1\n")
    with pytest.raises(RuntimeError, match=re.escape("Pyodide runs CPython 3.13, the Lambda 3.12")):
        compile_bytecode(tmp_path, "3.12")
    assert not list(tmp_path.rglob("*.pyc"))
