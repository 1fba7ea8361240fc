"""The resolver Lambda in the synthesized templates, and its staged code asset."""

from typing import Any

import pytest

from infra.function import MEMORY_MB, TIMEOUT
from resolvers.adapters import aws_clients
from resolvers.contract import resources
from resolvers.contract.function import HANDLER
from resolvers.domain.states import Estado
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_lambda_runtime_and_tracing(synthesized: Synthesized) -> None:
    props = synthesized.only("AWS::Lambda::Function")["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == HANDLER == "resolvers.handler.lambda_handler"
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Timeout"] == TIMEOUT.to_seconds()
    assert props["MemorySize"] == MEMORY_MB


# AppSync ends a GraphQL request after 30 seconds, whatever its resolvers are doing.
APPSYNC_REQUEST_LIMIT_SECONDS = 30
# Estimated at 512 MB by `make bench` (bench/report.md): 1.5 to 2 s, by the load of the run.
COLD_START_SECONDS = 2


def test_timeout_leaves_room_to_undo_a_write_and_ends_before_appsync_gives_up() -> None:
    # given the clients' worst case for write + failed publish + undo, which must be left
    # when a write starts, and a cold start (bench/report.md) plus a read before the write
    needed = aws_clients.WORST_CASE_COMPENSATED_SECONDS
    slow_read = aws_clients.CONNECT_TIMEOUT_SECONDS + aws_clients.READ_TIMEOUT_SECONDS
    before_the_write = COLD_START_SECONDS + slow_read
    # then the function outlives it, so the undo runs, and AppSync still gets an answer
    assert needed + before_the_write < TIMEOUT.to_seconds() < APPSYNC_REQUEST_LIMIT_SECONDS
    # and the clients really use that budget
    config: Any = aws_clients.CLIENT_CONFIG  # botocore's Config sets its options dynamically
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert (config.connect_timeout, config.read_timeout) == (0.5, 1.0)


def test_powertools_comes_from_its_public_layer_in_the_stack_region(
    synthesized: Synthesized,
) -> None:
    (layer,) = synthesized.only("AWS::Lambda::Function")["Properties"]["Layers"]
    arn = layer["Fn::Sub"]
    assert arn.startswith("arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:layer:")
    assert ":AWSLambdaPowertoolsPythonV3-python313-arm64:" in arn


def test_environment_names_every_resource(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    env = synthesized.only("AWS::Lambda::Function")["Properties"]["Environment"]["Variables"]
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
    props = synthesized.only("AWS::Lambda::Function")["Properties"]
    group_id = props["LoggingConfig"]["LogGroup"]["Ref"]
    group = synthesized.json["Resources"][group_id]
    assert group["Properties"]["RetentionInDays"] > 0


def test_asset_is_the_resolvers_package_alone(synthesized: Synthesized) -> None:
    asset = synthesized.asset_dir()
    assert [p.name for p in asset.iterdir()] == ["resolvers"]
    assert (asset / "resolvers" / "handler.py").is_file()
    assert (asset / "resolvers" / "domain" / "states.py").is_file()
    assert not list(asset.rglob("__pycache__"))
    assert not list(asset.rglob("*.pyc"))
