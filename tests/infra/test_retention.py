"""What a prod stack keeps. Tables and queues have fixed names (orders-prod...), so they are
retained on update and delete but not when the operation that created them rolls back:
CloudFormation's `RetainExceptOnCreate` ("behaves like Retain for stack operations, except
for the stack operation that initially created the resource. If the stack operation that
created the resource is rolled back, CloudFormation deletes the resource."):
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
A failed first deploy can then simply be retried. `UpdateReplacePolicy` takes only
Delete, Retain or Snapshot, so a replaced resource is retained:
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html
"""

import pytest

from resolvers.definitions import resources
from resolvers.domain.states import Estado
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

# Every resource that holds data or carries a name fixed by the stage.
DATA_TYPES = ("AWS::DynamoDB::Table", "AWS::SQS::Queue")


def _named(synthesized: Synthesized) -> dict[str, dict[str, object]]:
    """Tables and queues by their physical name."""
    named: dict[str, dict[str, object]] = {}
    for type_ in DATA_TYPES:
        for resource in synthesized.resources(type_).values():
            properties = resource["Properties"]
            named[properties.get("TableName") or properties["QueueName"]] = resource
    return named


def test_prod_tables_and_queues_are_retained_except_on_a_failed_create(
    prod: Synthesized,
) -> None:
    names = resources.ResourceNames("prod")
    expected = {
        names.orders_table,
        names.idempotency_table,
        *(names.queue(estado) for estado in Estado),
        *(names.dead_letter_queue(estado) for estado in Estado),
    }
    named = _named(prod)
    # every fixed-name resource, each of them
    assert set(named) == expected
    for name, resource in named.items():
        assert resource["DeletionPolicy"] == "RetainExceptOnCreate", name
        assert resource["UpdateReplacePolicy"] == "Retain", name


def test_no_prod_resource_is_left_behind_by_a_rolled_back_create(prod: Synthesized) -> None:
    # A plain Retain anywhere would leave something behind (a key, a log group, a pool)
    # that a retried first deploy trips over or that costs money unseen.
    policies = {
        logical_id: resource.get("DeletionPolicy")
        for logical_id, resource in prod.json["Resources"].items()
        if "DeletionPolicy" in resource
    }
    assert policies
    assert set(policies.values()) == {"RetainExceptOnCreate"}, policies


def test_dev_deletes_everything_with_the_stack(dev: Synthesized) -> None:
    for name, resource in _named(dev).items():
        assert resource["DeletionPolicy"] == "Delete", name
        assert resource["UpdateReplacePolicy"] == "Delete", name
