"""The emulator's provisioning against moto: the orders table records the shard count it
was created for, and an existing table with another count (a persisted data directory, an
external endpoint) is refused instead of served with keys it was not written for."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from api.emulator.provisioning import TableMismatch, provision
from resolvers.definitions import resources, scale

NAMES = resources.ResourceNames("provisioning")


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("dynamodb"), boto3.client("sqs")


def test_the_table_records_its_shard_count_and_a_restart_with_it_is_served(
    clients: tuple[Any, Any],
) -> None:
    dynamodb, sqs = clients
    # when
    first = provision(dynamodb, sqs, NAMES, state_shards=4)
    again = provision(dynamodb, sqs, NAMES, state_shards=4)
    # then
    assert first.state_shards == again.state_shards == 4
    table = dynamodb.describe_table(TableName=NAMES.orders_table)["Table"]
    tags = dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    assert {"Key": scale.STATE_SHARDS_TAG, "Value": "4"} in tags
    # both indexes (the state index and the sparse unpublished one) are keyed on the shard
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {resources.STATE_INDEX_NAME, resources.UNPUBLISHED_INDEX_NAME}
    for index in indexes.values():
        assert index["KeySchema"][0] == {
            "AttributeName": resources.STATE_SHARD_ATTRIBUTE,
            "KeyType": "HASH",
        }


def test_another_shard_count_than_the_tables_is_refused_saying_how_to_start(
    clients: tuple[Any, Any],
) -> None:
    dynamodb, sqs = clients
    provision(dynamodb, sqs, NAMES, state_shards=1)
    with pytest.raises(TableMismatch) as refused:
        provision(dynamodb, sqs, NAMES, state_shards=4)
    assert str(refused.value) == (
        f"table {NAMES.orders_table} was created with 1 state index shard(s), not 4: the "
        "shard count is fixed when the table is created. Start with ORDERS_STATE_SHARDS=1, "
        "or with a fresh data directory"
    )


def test_a_table_from_before_sharding_is_refused(clients: tuple[Any, Any]) -> None:
    # given: the orders table as it was created before the index was keyed on estado_shard
    dynamodb, sqs = clients
    definition = resources.orders_table_definition(NAMES.orders_table, state_shards=1)
    definition["AttributeDefinitions"] = [
        {"AttributeName": name, "AttributeType": "S"}
        for name in ("id", "estado", "fecha_registro", "unpublished_since")
    ]
    # both indexes (the state index and the sparse unpublished one) were keyed on estado
    for index in definition["GlobalSecondaryIndexes"]:
        index["KeySchema"][0]["AttributeName"] = "estado"
    del definition["Tags"]
    dynamodb.create_table(**definition)
    # then
    with pytest.raises(TableMismatch, match="created by an older version"):
        provision(dynamodb, sqs, NAMES, state_shards=1)
