"""DynamoDB tables and SQS queues in the synthesized templates."""

from typing import Any

import pytest

from infra.stage import StageConfig
from resolvers.definitions import resources, scale
from resolvers.domain.states import Estado
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _table(synthesized: Synthesized, name: str) -> dict[str, Any]:
    return next(
        t
        for t in synthesized.resources("AWS::DynamoDB::Table").values()
        if t["Properties"]["TableName"] == name
    )


def _as_sets(definition: dict[str, Any]) -> dict[str, Any]:
    """What a CreateTable definition fixes, order-insensitive where DynamoDB is."""
    return {
        "BillingMode": definition["BillingMode"],
        "KeySchema": definition["KeySchema"],
        "AttributeDefinitions": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in definition["AttributeDefinitions"]
        ),
        "GlobalSecondaryIndexes": sorted(
            (i["IndexName"], repr(i["KeySchema"]), repr(i["Projection"]))
            for i in definition.get("GlobalSecondaryIndexes", [])
        ),
        # The shard count the orders table's items are written for (provisioning checks it).
        "ShardTag": [t for t in definition.get("Tags", []) if t["Key"] == scale.STATE_SHARDS_TAG],
    }


@pytest.mark.parametrize(
    ("table", "definition"),
    [
        (
            "orders_table",
            lambda name, config: resources.orders_table_definition(
                name, state_shards=config.scale.state_shards
            ),
        ),
        ("idempotency_table", lambda name, _: resources.idempotency_table_definition(name)),
    ],
)
def test_tables_are_the_ones_the_emulator_provisions(
    synthesized: Synthesized, table: str, definition: Any
) -> None:
    # given the table definitions the emulator and the integration tests create in moto
    name = getattr(resources.ResourceNames(synthesized.stage), table)
    # then the stack builds the same keys, attributes and indexes
    props = _table(synthesized, name)["Properties"]
    config: StageConfig = synthesized.stack.config
    assert _as_sets(props) == _as_sets(definition(name, config))


def test_idempotency_table_expires_records(synthesized: Synthesized) -> None:
    names = resources.ResourceNames(synthesized.stage)
    props = _table(synthesized, names.idempotency_table)["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": resources.IDEMPOTENCY_PARTITION_KEY, "KeyType": "HASH"}
    ]
    assert props["TimeToLiveSpecification"] == {
        "AttributeName": resources.IDEMPOTENCY_TTL_ATTRIBUTE,
        "Enabled": True,
    }


def test_tables_are_recoverable_and_encrypted(synthesized: Synthesized) -> None:
    tables = synthesized.resources("AWS::DynamoDB::Table").values()
    assert len(tables) == 2
    for table in tables:
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["SSESpecification"]["SSEEnabled"] is True


def test_prod_tables_are_protected_and_retained(prod: Synthesized) -> None:
    for table in prod.resources("AWS::DynamoDB::Table").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "RetainExceptOnCreate"  # tests/infra/test_retention.py
        assert table["UpdateReplacePolicy"] == "Retain"


def test_dev_tables_are_deleted_with_the_stack(dev: Synthesized) -> None:
    for table in dev.resources("AWS::DynamoDB::Table").values():
        assert not table["Properties"].get("DeletionProtectionEnabled", False)
        assert table["DeletionPolicy"] == "Delete"


def _queues(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Queues by logical id."""
    return synthesized.resources("AWS::SQS::Queue")


def _attributes_match(props: dict[str, Any], expected: dict[str, str]) -> bool:
    return all(str(props.get(k)).lower() == v.lower() for k, v in expected.items())


def test_each_state_has_a_fifo_queue_redriving_to_its_own_fifo_dlq(
    synthesized: Synthesized,
) -> None:
    names = resources.ResourceNames(synthesized.stage)
    queues = _queues(synthesized)
    by_name = {q["Properties"]["QueueName"]: (lid, q) for lid, q in queues.items()}
    assert len(queues) == 2 * len(Estado)
    dlq_targets = set()
    for estado in Estado:
        _, queue = by_name[names.queue(estado)]
        dlq_id, dlq = by_name[names.dead_letter_queue(estado)]
        props = queue["Properties"]
        assert _attributes_match(props, resources.FIFO_QUEUE_ATTRIBUTES), props
        assert props["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
            "maxReceiveCount": resources.DLQ_MAX_RECEIVE_COUNT,
        }
        assert _attributes_match(dlq["Properties"], resources.DLQ_ATTRIBUTES), dlq
        assert "RedrivePolicy" not in dlq["Properties"]
        dlq_targets.add(dlq_id)
    assert len(dlq_targets) == len(Estado)


def test_every_queue_is_encrypted_and_denies_plain_http(synthesized: Synthesized) -> None:
    policies = synthesized.resources("AWS::SQS::QueuePolicy").values()
    denied = {
        statement["Resource"]["Fn::GetAtt"][0]
        for policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    }
    for logical_id, queue in _queues(synthesized).items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        assert logical_id in denied
