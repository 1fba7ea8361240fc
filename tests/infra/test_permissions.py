"""Least privilege in the synthesized templates: every policy document, every statement."""

from collections.abc import Iterator
from typing import Any

import pytest

from infra.function import (
    IDEMPOTENCY_TABLE_ACTIONS,
    ORDERS_TABLE_ACTIONS,
    QUEUE_ACTIONS,
    STATE_INDEX_ACTIONS,
)
from infra.log_groups import LOG_ACTIONS
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _documents(synthesized: Synthesized) -> Iterator[tuple[str, dict[str, Any]]]:
    """(logical id, policy document) of every identity and resource policy."""
    for logical_id, resource in synthesized.json["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("PolicyDocument", "KeyPolicy"):
            if key in props:
                yield logical_id, props[key]
        for inline in props.get("Policies", []) if resource["Type"] == "AWS::IAM::Role" else []:
            yield logical_id, inline["PolicyDocument"]


def _allows(
    synthesized: Synthesized, *, key_policies: bool = True
) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, document in _documents(synthesized):
        if (
            not key_policies
            and synthesized.json["Resources"][logical_id]["Type"] == "AWS::KMS::Key"
        ):
            continue
        for statement in document["Statement"]:
            if statement["Effect"] == "Allow":
                yield logical_id, statement


def _is_key_admin(statement: dict[str, Any]) -> bool:
    """KMS's default key policy: the account itself administers the key (no lock-out)."""
    principal = statement.get("Principal", {}).get("AWS", {})
    return statement["Action"] == "kms:*" and ":root" in str(principal)


def test_no_allow_statement_has_a_wildcard_action(synthesized: Synthesized) -> None:
    offending = [
        (logical_id, statement["Action"])
        for logical_id, statement in _allows(synthesized)
        if any("*" in action for action in _as_list(statement["Action"]))
        and not _is_key_admin(statement)
    ]
    assert offending == []


def test_only_xray_is_granted_on_every_resource(synthesized: Synthesized) -> None:
    # In a key policy `*` means the key itself, so key policies are not in question here.
    for logical_id, statement in _allows(synthesized, key_policies=False):
        if "*" in _as_list(statement.get("Resource")):
            assert set(_as_list(statement["Action"])) <= XRAY_ACTIONS, logical_id


def _role_statements(synthesized: Synthesized, role: Any) -> list[dict[str, Any]]:
    role_id = synthesized.logical_id(role.node.default_child)
    return [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_lambda_may_do_exactly_what_its_code_does(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    ref = synthesized.logical_id
    orders = ref(stack.tables.orders.node.default_child)
    grants = {
        (frozenset(_as_list(s["Action"])), repr(s["Resource"]))
        for s in _role_statements(synthesized, stack.resolver_function.role)
    }
    queues = [
        {"Fn::GetAtt": [ref(q.node.default_child), "Arn"]} for q in stack.queues.queues.values()
    ]
    log_group = ref(stack.resolver_function.log_group.node.default_child)
    assert grants == {
        (frozenset(ORDERS_TABLE_ACTIONS), repr({"Fn::GetAtt": [orders, "Arn"]})),
        (
            frozenset(STATE_INDEX_ACTIONS),
            repr({"Fn::Join": ["", [{"Fn::GetAtt": [orders, "Arn"]}, "/index/by-estado"]]}),
        ),
        (
            frozenset(IDEMPOTENCY_TABLE_ACTIONS),
            repr({"Fn::GetAtt": [ref(stack.tables.idempotency.node.default_child), "Arn"]}),
        ),
        (frozenset(QUEUE_ACTIONS), repr(queues)),
        (frozenset(LOG_ACTIONS), repr({"Fn::GetAtt": [log_group, "Arn"]})),
        (frozenset(XRAY_ACTIONS), repr("*")),
    }
    # No AWS managed policy (AWSLambdaBasicExecutionRole would cover every log group).
    role = synthesized.json["Resources"][ref(stack.resolver_function.role.node.default_child)]
    assert "ManagedPolicyArns" not in role["Properties"]


def test_appsync_may_invoke_only_the_resolver_alias(synthesized: Synthesized) -> None:
    # AppSync invokes the `live` alias (a published version): the grant names it alone, no
    # version wildcard.
    alias = synthesized.logical_id(synthesized.stack.resolver_function.alias.node.default_child)
    (statement,) = _role_statements(synthesized, _data_source_role(synthesized))
    assert statement["Action"] == "lambda:InvokeFunction"
    assert _as_list(statement["Resource"]) == [{"Ref": alias}]


def _data_source_role(synthesized: Synthesized) -> Any:
    role = synthesized.stack.orders_api.data_source.node.try_find_child("ServiceRole")
    assert role is not None
    return role
