"""The AppSync API in the synthesized templates: schema, resolvers, caching, auth, logs."""

from pathlib import Path
from typing import Any

import pytest
from graphql import (
    REMOVE,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ObjectTypeDefinitionNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    get_introspection_query,
    parse,
    print_ast,
    visit,
)

from infra.resolver_code import resolver_code
from infra.stack import SCHEMA
from resolvers.definitions.access import UPDATE_ORDER_STATE_GROUPS
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS, cached_resolver
from resolvers.definitions.fields import RESOLVER_FIELDS, UPDATE_ORDER_STATE, ResolverField
from resolvers.definitions.limits import QUERY_DEPTH_LIMIT, query_limits
from resolvers.handler import ROUTED_FIELDS
from tests.infra.conftest import Synth, Synthesized

pytestmark = pytest.mark.infra


def _resolvers(synthesized: Synthesized) -> dict[ResolverField, dict[str, object]]:
    return {
        ResolverField(str(r["Properties"]["TypeName"]), str(r["Properties"]["FieldName"])): r
        for r in synthesized.resources("AWS::AppSync::Resolver").values()
    }


# AppSync's directive for each authentication type the API may configure ("Using additional
# authorization modes", https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html).
DIRECTIVE_OF_AUTHENTICATION_TYPE = {
    "API_KEY": "aws_api_key",
    "AWS_IAM": "aws_iam",
    "AMAZON_COGNITO_USER_POOLS": "aws_cognito_user_pools",
    "OPENID_CONNECT": "aws_oidc",
    "AWS_LAMBDA": "aws_lambda",
}


class _AuthDirectives(Visitor):
    """Collects the auth directives of each annotated type; with `strip`, removes them."""

    def __init__(self, strip: bool = False) -> None:
        super().__init__()
        self.strip = strip
        self.by_type: dict[str, set[str]] = {}

    def enter_object_type_definition(self, node: ObjectTypeDefinitionNode, *_: Any) -> None:
        names = {d.name.value for d in node.directives or ()}
        self.by_type[node.name.value] = names & set(DIRECTIVE_OF_AUTHENTICATION_TYPE.values())

    def enter_directive(self, node: DirectiveNode, *_: Any) -> object:
        auth = node.name.value in DIRECTIVE_OF_AUTHENTICATION_TYPE.values()
        return REMOVE if self.strip and auth else None


def _uploaded_schema(synthesized: Synthesized) -> str:
    definition: str = synthesized.only("AWS::AppSync::GraphQLSchema")["Properties"]["Definition"]
    return definition


def _configured_directives(synthesized: Synthesized) -> set[str]:
    api = synthesized.only("AWS::AppSync::GraphQLApi")["Properties"]
    types = [api["AuthenticationType"]]
    types += [p["AuthenticationType"] for p in api.get("AdditionalAuthenticationProviders", [])]
    return {DIRECTIVE_OF_AUTHENTICATION_TYPE[t] for t in types}


@pytest.mark.parametrize(
    ("stage", "absent"), [("dev", "aws_cognito_user_pools"), ("prod", "aws_api_key")]
)
def test_each_stage_schema_names_only_the_modes_that_stage_configures(
    synth: Synth, stage: str, absent: str
) -> None:
    # given the stage's API and the committed schema, which names every mode of any stage
    synthesized = synth(stage)
    configured = _configured_directives(synthesized)
    committed = _AuthDirectives()
    visit(parse(Path(SCHEMA).read_text(encoding="utf-8")), committed)
    # when the stage's uploaded schema is read
    uploaded = _AuthDirectives()
    visit(parse(_uploaded_schema(synthesized)), uploaded)
    # then each type that names modes names exactly the stage's own (default included)
    assert absent in set().union(*committed.by_type.values())
    assert absent not in configured
    assert {name for name, modes in uploaded.by_type.items() if modes} == {
        name for name, modes in committed.by_type.items() if modes
    }
    for name, modes in uploaded.by_type.items():
        assert modes in (set(), configured), name
    assert f"@{absent}" not in _uploaded_schema(synthesized)


def test_the_uploaded_schema_is_schema_graphql_but_for_auth_directives(
    synthesized: Synthesized,
) -> None:
    def bare(sdl: str) -> str:
        return print_ast(visit(parse(sdl), _AuthDirectives(strip=True)))

    committed = bare(Path(SCHEMA).read_text(encoding="utf-8"))
    assert bare(_uploaded_schema(synthesized)) == committed
    assert "@aws_subscribe" in committed


def test_fields_with_resolvers_are_the_fields_the_handler_routes(synthesized: Synthesized) -> None:
    in_stack = set(_resolvers(synthesized))
    assert in_stack == set(RESOLVER_FIELDS)
    assert in_stack == set(ROUTED_FIELDS)


def test_every_resolver_is_appsync_js_on_the_lambda_data_source(synthesized: Synthesized) -> None:
    data_source = synthesized.only("AWS::AppSync::DataSource")["Properties"]
    assert data_source["Type"] == "AWS_LAMBDA"
    for field, resolver in _resolvers(synthesized).items():
        props = resolver["Properties"]
        assert isinstance(props, dict)
        assert props["Kind"] == "UNIT"
        assert props["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        assert props["DataSourceName"] == data_source["Name"]
        assert props["Code"] == resolver_code(field)


def test_caching_configs_follow_the_shared_policy(synthesized: Synthesized) -> None:
    cache_id = synthesized.logical_id(synthesized.stack.orders_api.cache)
    for field, resolver in _resolvers(synthesized).items():
        props = resolver["Properties"]
        assert isinstance(props, dict)
        rule = cached_resolver(field)
        if rule is None:
            assert "CachingConfig" not in props, field
            continue
        expected: dict[str, object] = {"Ttl": DEFAULT_TTL_SECONDS}
        if rule.caching_keys:
            expected["CachingKeys"] = list(rule.caching_keys)
        assert props["CachingConfig"] == expected, field
        # AppSync rejects a caching config on an API without its cache.
        assert cache_id in resolver["DependsOn"]  # type: ignore[operator]


def test_the_api_cache_is_created_after_the_schema(synthesized: Synthesized) -> None:
    # CreateApiCache fails with ConcurrentModificationException while the schema is being
    # created, the race CDK fixed for API keys (aws/aws-cdk#8168, aws/aws-cdk#9737)
    (schema_id,) = synthesized.resources("AWS::AppSync::GraphQLSchema")
    (cache,) = synthesized.resources("AWS::AppSync::ApiCache").values()
    assert schema_id in cache["DependsOn"]


def test_context_cache_ttl_reaches_resolvers_cache_and_lambda(
    dev_with_settings: Synthesized,
) -> None:
    synthesized = dev_with_settings  # cacheTtl 120
    cached = [
        r["Properties"]["CachingConfig"]
        for r in synthesized.resources("AWS::AppSync::Resolver").values()
        if "CachingConfig" in r["Properties"]
    ]
    assert len(cached) == 2
    assert all(c["Ttl"] == 120 for c in cached)
    assert synthesized.only("AWS::AppSync::ApiCache")["Properties"]["Ttl"] == 120
    env = synthesized.resolver_function()["Properties"]["Environment"]["Variables"]
    assert env["ORDERS_CACHE_TTL"] == "120"


@pytest.mark.parametrize(("stage", "instance"), [("dev", "SMALL"), ("prod", "MEDIUM")])
def test_api_cache_is_per_resolver_and_encrypted(synth: Synth, stage: str, instance: str) -> None:
    cache = synth(stage).only("AWS::AppSync::ApiCache")["Properties"]
    assert cache["ApiCachingBehavior"] == "PER_RESOLVER_CACHING"
    assert cache["Type"] == instance
    assert cache["AtRestEncryptionEnabled"] is True
    assert cache["TransitEncryptionEnabled"] is True


def test_dev_uses_an_expiring_api_key_and_iam(dev: Synthesized) -> None:
    api = dev.only("AWS::AppSync::GraphQLApi")["Properties"]
    assert api["AuthenticationType"] == "API_KEY"
    assert api["AdditionalAuthenticationProviders"] == [{"AuthenticationType": "AWS_IAM"}]
    key = dev.only("AWS::AppSync::ApiKey")["Properties"]
    assert isinstance(key["Expires"], int)
    assert "ApiKey" in dev.json["Outputs"]


def test_prod_uses_cognito_and_iam_and_has_no_api_key(prod: Synthesized) -> None:
    api = prod.only("AWS::AppSync::GraphQLApi")["Properties"]
    assert api["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert api["AdditionalAuthenticationProviders"] == [{"AuthenticationType": "AWS_IAM"}]
    pool_id = prod.logical_id(prod.stack.orders_api.users.pool.node.default_child)  # type: ignore[union-attr]
    assert api["UserPoolConfig"]["UserPoolId"] == {"Ref": pool_id}
    assert prod.resources("AWS::AppSync::ApiKey") == {}
    assert "ApiKey" not in prod.json["Outputs"]
    pool = prod.only("AWS::Cognito::UserPool")
    assert pool["Properties"]["MfaConfiguration"] == "ON"
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["DeletionPolicy"] == "RetainExceptOnCreate"


@pytest.mark.parametrize(("stage", "level"), [("dev", "ALL"), ("prod", "ERROR")])
def test_api_logs_traces_and_limits(synth: Synth, stage: str, level: str) -> None:
    synthesized = synth(stage)
    api = synthesized.only("AWS::AppSync::GraphQLApi")["Properties"]
    api_id = synthesized.logical_id(synthesized.stack.orders_api.api.node.default_child)
    assert api["XrayEnabled"] is True
    assert api["LogConfig"]["FieldLogLevel"] == level
    assert api["LogConfig"]["ExcludeVerboseContent"] is (stage == "prod")
    log_role = synthesized.logical_id(synthesized.stack.orders_api.log_role.node.default_child)
    assert api["LogConfig"]["CloudWatchLogsRoleArn"] == {"Fn::GetAtt": [log_role, "Arn"]}
    # The stack and the emulator read one home for the limits.
    assert api["QueryDepthLimit"] == query_limits(stage).depth
    assert api["ResolverCountLimit"] == query_limits(stage).resolver_count
    assert api["QueryDepthLimit"] == (
        QUERY_DEPTH_LIMIT if stage == "prod" else _introspection_depth()
    )
    groups = synthesized.resources("AWS::Logs::LogGroup").values()
    api_group = next(
        g for g in groups if "/aws/appsync/apis/" in str(g["Properties"].get("LogGroupName"))
    )
    assert api_group["Properties"]["LogGroupName"] == {
        "Fn::Join": ["", ["/aws/appsync/apis/", {"Fn::GetAtt": [api_id, "ApiId"]}]]
    }
    assert api_group["Properties"]["RetentionInDays"] > 0
    # The L2 log_config would add a LogRetention custom resource racing that group.
    assert synthesized.resources("Custom::LogRetention") == {}


def _depth(selections: SelectionSetNode | None, fragments: dict[str, Any]) -> int:
    if selections is None:
        return 0
    deepest = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            deepest = max(deepest, _depth(fragments[selection.name.value].selection_set, fragments))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments))
    return deepest


def _introspection_depth() -> int:
    """How deep the standard introspection query (GraphiQL's) nests."""
    document = parse(get_introspection_query(descriptions=True))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    (operation,) = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return _depth(operation.selection_set, fragments)


def test_prod_depth_limit_still_admits_the_deepest_query_of_the_schema() -> None:
    # ordersByState { items { id } } is the deepest: three levels
    document = parse("{ ordersByState(estado: recibida) { items { id } nextToken } }")
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert _depth(operation.selection_set, {}) <= QUERY_DEPTH_LIMIT < _introspection_depth()


def _field_directives(sdl: str, type_name: str, field_name: str) -> dict[str, str]:
    """The directives of one field, by name, each with its arguments as printed."""
    document = parse(sdl)
    (definition,) = (
        d
        for d in document.definitions
        if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == type_name
    )
    (field,) = (f for f in definition.fields or () if f.name.value == field_name)
    return {
        d.name.value: ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in d.arguments or ())
        for d in field.directives or ()
    }


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("dev", {"aws_api_key", "aws_iam"}),
        ("prod", {"aws_iam", "aws_cognito_user_pools"}),
    ],
)
def test_update_order_state_keeps_its_groups_and_the_stages_other_modes(
    synth: Synth, stage: str, expected: set[str]
) -> None:
    # A field's auth directives replace its type's ("Using additional authorization modes",
    # https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html): the field
    # must name every mode of the stage, the user pool one with the policy's groups.
    uploaded = _uploaded_schema(synth(stage))
    directives = _field_directives(uploaded, "Mutation", UPDATE_ORDER_STATE.field_name)
    assert set(directives) == expected == _configured_directives(synth(stage))
    groups = ", ".join(f'"{g}"' for g in UPDATE_ORDER_STATE_GROUPS)
    if "aws_cognito_user_pools" in expected:
        assert directives["aws_cognito_user_pools"] == f"cognito_groups: [{groups}]"
    # and the other fields still follow their type (no directive of their own)
    assert _field_directives(uploaded, "Mutation", "createOrder") == {}
