"""The scale settings per stage (context `stateShards`, `queueGroups`): they reach the
Lambda's environment through the one function the emulator calls too, the orders table
records N, and its state index is keyed on the shard attribute."""

from typing import Any

import pytest
from aws_cdk import App

from capacity import TARGET_RATE, required_settings
from infra.stage import DEFAULT_SCALE, Scale, Stage, StageConfig
from resolvers.definitions import resources, scale
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _orders_table(synthesized: Synthesized) -> dict[str, Any]:
    names = resources.ResourceNames(synthesized.stage)
    return next(
        t["Properties"]
        for t in synthesized.resources("AWS::DynamoDB::Table").values()
        if t["Properties"]["TableName"] == names.orders_table
    )


def test_each_stage_gives_the_lambda_and_the_table_its_settings(
    synthesized: Synthesized,
) -> None:
    expected = DEFAULT_SCALE[Stage(synthesized.stage)]
    env = synthesized.resolver_function()["Properties"]["Environment"]["Variables"]
    assert env[scale.ENV_STATE_SHARDS] == str(expected.state_shards)
    assert env[scale.ENV_QUEUE_GROUPS] == str(expected.queue_groups)
    table = _orders_table(synthesized)
    tag = {"Key": scale.STATE_SHARDS_TAG, "Value": str(expected.state_shards)}
    assert tag in table["Tags"]
    # the state index and the sparse unpublished index are both keyed on the shard
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {resources.STATE_INDEX_NAME, resources.UNPUBLISHED_INDEX_NAME}
    for index in indexes.values():
        assert index["KeySchema"][0] == {"AttributeName": "estado_shard", "KeyType": "HASH"}


def test_dev_keeps_one_order_per_state_and_prod_carries_the_target_rate() -> None:
    assert DEFAULT_SCALE[Stage.dev] == Scale(1, 1)
    # prod's settings are the capacity model's for 10,000 orders/s entering one state (the
    # stack may not import bench/, so they are written in infra/stage.py and checked here)
    model = required_settings(TARGET_RATE)
    assert TARGET_RATE == 10_000
    assert DEFAULT_SCALE[Stage.prod] == Scale(model.state_shards, model.queue_groups)


def test_context_overrides_the_stage_default() -> None:
    config = StageConfig.from_context(
        App(
            context={
                "stage": "prod",
                "alarmEmail": "ops@example.com",
                "stateShards": "8",
                "queueGroups": "16",
            }
        ).node
    )
    assert config.scale == Scale(state_shards=8, queue_groups=16)
    assert StageConfig.from_context(App(context={"stage": "dev"}).node).scale == Scale(1, 1)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("stateShards", "0"),
        ("stateShards", str(scale.MAX_STATE_SHARDS + 1)),
        ("stateShards", "cuatro"),
        ("queueGroups", "0"),
        ("queueGroups", str(scale.MAX_QUEUE_GROUPS + 1)),
    ],
)
def test_a_setting_out_of_range_stops_the_synth_naming_it(key: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"context {key}"):
        StageConfig.from_context(App(context={key: value}).node)
