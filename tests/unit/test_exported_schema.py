"""The exported SDL is what AppSync accepts and what the resolvers serve."""

import re

import pytest
from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLScalarType, build_schema

from api.schema import schema
from api.sdl import SCHEMA_PATH, export_sdl
from resolvers.definitions.fields import RESOLVER_FIELDS
from resolvers.domain.order import ORDER_ATTRIBUTES
from resolvers.domain.states import Estado

# What AppSync itself defines; declared here only so graphql-core can build the SDL.
APPSYNC_PRELUDE = """
scalar AWSDate
scalar AWSDateTime
scalar AWSTimestamp
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
"""


def test_committed_schema_is_the_generated_one() -> None:
    # given the committed file / when generated anew / then they match (run `make schema`)
    assert SCHEMA_PATH.read_text(encoding="utf-8") == export_sdl()


def test_sdl_declares_nothing_appsync_defines() -> None:
    sdl = export_sdl()
    assert not re.search(r"^\s*scalar\s+AWS", sdl, re.MULTILINE)
    assert not re.search(r"^\s*directive\s+@aws_", sdl, re.MULTILINE)
    # AppSync's parser has rejected block-string descriptions (aws-appsync-community#38)
    assert '"""' not in sdl


def test_sdl_builds_with_appsyncs_prelude() -> None:
    built = build_schema(APPSYNC_PRELUDE + export_sdl())
    estado = built.get_type("Estado")
    assert isinstance(estado, GraphQLEnumType)
    assert set(estado.values) == {e.value for e in Estado}
    order = built.get_type("Order")
    assert isinstance(order, GraphQLObjectType)
    # the Lambda returns exactly the attributes the schema declares
    assert set(order.fields) == ORDER_ATTRIBUTES


def test_every_query_and_mutation_field_has_a_lambda_resolver_and_no_more() -> None:
    built = build_schema(APPSYNC_PRELUDE + export_sdl())
    in_sdl = {
        (type_name, field)
        for type_name in ("Query", "Mutation")
        for field in built.get_type(type_name).fields  # type: ignore[union-attr]
    }
    assert in_sdl == {(f.type_name, f.field_name) for f in RESOLVER_FIELDS}


def test_subscriptions_follow_their_mutations() -> None:
    sdl = export_sdl()
    assert re.search(
        r"onOrderCreated\(.*\): Order @aws_subscribe\(mutations: \[\"createOrder\"\]\)", sdl
    )
    assert re.search(
        r"onOrderStateChanged\(.*\): Order @aws_subscribe\(mutations: \[\"updateOrderState\"\]\)",
        sdl,
    )


def _scalar(name: str) -> GraphQLScalarType:
    scalar = schema._schema.get_type(name)
    assert isinstance(scalar, GraphQLScalarType)
    return scalar


@pytest.mark.parametrize(
    "value", ["2026-12-01", "2026-12-01Z", "2026-12-01+02:00", "2026-12-01-07:00:30"]
)
def test_aws_date_accepts_appsyncs_forms(value: str) -> None:
    assert _scalar("AWSDate").parse_value(value) == value


@pytest.mark.parametrize(
    "value", ["2026-13-01", "2026-02-30", "01/12/2026", "2026-12-1", "2026-12-01T00:00Z", 20261201]
)
def test_aws_date_rejects_the_rest(value: object) -> None:
    # AppSync: "Unable to parse `2019-12-24T04:15:57.798Z` as a valid date."
    # (aws-amplify/amplify-swift#278)
    with pytest.raises(ValueError, match=r"^Unable to parse `.*` as a valid date\.$"):
        _scalar("AWSDate").parse_value(value)


@pytest.mark.parametrize(
    "value",
    ["2026-12-01T10:00Z", "2026-12-01T10:00:00.123456789+05:30", "2026-12-01T10:00:59-03:00:00"],
)
def test_aws_datetime_accepts_appsyncs_forms(value: str) -> None:
    assert _scalar("AWSDateTime").parse_value(value) == value


@pytest.mark.parametrize(
    "value", ["2026-12-01T10:00:00", "2026-12-01", "2026-12-01T25:00Z", "2026-12-01T10:00:00.Z"]
)
def test_aws_datetime_needs_a_real_moment_with_an_offset(value: str) -> None:
    # AppSync: "Unable to parse `2019` as a valid DateTime Object." (aws-amplify/amplify-cli#2033)
    with pytest.raises(ValueError, match=r"^Unable to parse `.*` as a valid DateTime Object\.$"):
        _scalar("AWSDateTime").parse_value(value)


@pytest.mark.parametrize("value", ["1700000000", 1.5, True, None])
def test_aws_timestamp_is_whole_seconds(value: object) -> None:
    # the same sentence; no AppSync capture of the timestamp case was found
    with pytest.raises(ValueError, match=r"^Unable to parse `.*` as a valid timestamp\.$"):
        _scalar("AWSTimestamp").parse_value(value)
    assert _scalar("AWSTimestamp").parse_value(1_700_000_000) == 1_700_000_000
