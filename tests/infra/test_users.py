"""Prod's Cognito user pool in the synthesized template: its app client, its groups and the
trigger that puts the user's email in the access token."""

from typing import Any

import pytest

from api.emulator import user_pool
from infra.log_groups import LOG_ACTIONS
from infra.users import TRIGGER_TIMEOUT
from resolvers import pre_token_generation
from resolvers.definitions.access import ENTRY_GROUPS, GROUPS
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

# What a client with OAuth on carries ("AWS::Cognito::UserPoolClient",
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cognito-userpoolclient.html).
OAUTH_PROPERTIES = {
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
}


def _client(prod: Synthesized) -> dict[str, Any]:
    properties: dict[str, Any] = prod.only("AWS::Cognito::UserPoolClient")["Properties"]
    return properties


def test_the_app_client_has_oauth_turned_off(prod: Synthesized) -> None:
    client = _client(prod)
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert OAUTH_PROPERTIES.isdisjoint(client), sorted(OAUTH_PROPERTIES & set(client))
    # No hosted sign-in page either, so nothing could redirect to a callback.
    assert prod.resources("AWS::Cognito::UserPoolDomain") == {}


def test_the_app_client_signs_in_with_a_password_or_srp_and_keeps_no_secret(
    prod: Synthesized,
) -> None:
    client = _client(prod)
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["GenerateSecret"] is False


def test_the_emulators_pool_keeps_prods_password_policy_and_auth_flows(
    prod: Synthesized,
) -> None:
    # The emulator creates its pool through the Cognito API and cannot import the stack:
    # its copy of the policy is checked against the template instead.
    pool = prod.only("AWS::Cognito::UserPool")["Properties"]
    assert pool["Policies"]["PasswordPolicy"] == user_pool.PASSWORD_POLICY
    assert set(_client(prod)["ExplicitAuthFlows"]) == set(user_pool.AUTH_FLOWS)


def test_the_api_takes_tokens_of_the_stacks_app_client_only(prod: Synthesized) -> None:
    # Unset, "no filtering is applied": a token of any client of the pool is accepted
    # (https://docs.aws.amazon.com/appsync/latest/APIReference/API_CognitoUserPoolConfig.html).
    config = prod.only("AWS::AppSync::GraphQLApi")["Properties"]["UserPoolConfig"]
    (client,) = prod.resources("AWS::Cognito::UserPoolClient")
    client_id = {"Ref": client}
    assert config["AppIdClientRegex"] == {"Fn::Join": ["", ["^", client_id, "$"]]}


def test_dev_has_no_pool_and_no_trigger(dev: Synthesized) -> None:
    assert dev.resources("AWS::Cognito::UserPool") == {}
    assert len(dev.resources("AWS::Lambda::Function")) == 1


def _trigger(prod: Synthesized) -> tuple[str, dict[str, Any]]:
    users = prod.stack.orders_api.users
    assert users is not None
    function_id = prod.logical_id(users.email_claim.function.node.default_child)
    return function_id, prod.json["Resources"][function_id]


def test_a_v2_pre_token_generation_trigger_customizes_the_access_token(
    prod: Synthesized,
) -> None:
    # given the trigger function
    function_id, function = _trigger(prod)
    pool = prod.only("AWS::Cognito::UserPool")["Properties"]

    # then the pool sends it the V2_0 event, the first that may change the access token,
    # which needs the Essentials or Plus plan ("Pre token generation Lambda trigger",
    # https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html)
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"] == {
        "LambdaArn": {"Fn::GetAtt": [function_id, "Arn"]},
        "LambdaVersion": "V2_0",
    }
    assert pool["UserPoolTier"] in {"ESSENTIALS", "PLUS"}
    # and the function runs the module the unit tests exercise, from the resolvers' asset
    props = function["Properties"]
    assert props["Handler"] == pre_token_generation.HANDLER
    assert props["Code"] == prod.resolver_function()["Properties"]["Code"]
    module = pre_token_generation.HANDLER.rsplit(".", 1)[0].replace(".", "/") + ".py"
    assert (prod.asset_dir() / module).is_file()
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    # Cognito gives a trigger 5 s before it fails the sign-in.
    assert props["Timeout"] == TRIGGER_TIMEOUT.to_seconds() <= 5


def test_only_this_pool_may_invoke_the_trigger(prod: Synthesized) -> None:
    function_id, _ = _trigger(prod)
    pool_id = prod.logical_id(prod.stack.orders_api.users.pool.node.default_child)  # type: ignore[union-attr]
    permissions = [
        p["Properties"]
        for p in prod.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
            "Principal": "cognito-idp.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [pool_id, "Arn"]},
        }
    ]


def test_the_trigger_may_only_write_its_own_logs(prod: Synthesized) -> None:
    users = prod.stack.orders_api.users
    assert users is not None
    role_id = prod.logical_id(users.email_claim.role.node.default_child)
    log_group_id = prod.logical_id(users.email_claim.log_group.node.default_child)
    statements = [
        statement
        for policy in prod.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements == [
        {
            "Action": list(LOG_ACTIONS),
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [log_group_id, "Arn"]},
        }
    ]
    role = prod.json["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role
    assert "Policies" not in role
    log_group = prod.json["Resources"][log_group_id]["Properties"]
    assert log_group["RetentionInDays"] > 0


def test_the_pool_has_one_group_per_group_of_the_access_policy(prod: Synthesized) -> None:
    pool_id = prod.logical_id(prod.stack.orders_api.users.pool.node.default_child)  # type: ignore[union-attr]
    groups = [g["Properties"] for g in prod.resources("AWS::Cognito::UserPoolGroup").values()]
    assert sorted(g["GroupName"] for g in groups) == sorted(GROUPS)
    assert all(g["UserPoolId"] == {"Ref": pool_id} for g in groups)
    # and every group the policy asks for exists, so no rule names a group nobody can join
    assert {group for needed in ENTRY_GROUPS.values() for group in needed} <= set(GROUPS)
