"""The emulator's pure request handling: AppSync's malformed-request rule, its rewording of
errors found before any resolver runs, the argument coercion AppSync applies, and the two
strawberry internals it relies on."""

import json
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, parse, validate

from api.emulator import http_errors
from api.emulator.request_errors import (
    SEVERAL_OPERATIONS,
    appsync_request_errors,
    java_literal,
    operation_error,
)
from api.emulator.strawberry_internals import graphql_info, graphql_schema
from api.schema import schema

GRAPHQL_SCHEMA = graphql_schema(schema)


def test_graphql_schema_reaches_the_graphql_core_schema() -> None:
    # Fails loudly when a strawberry upgrade moves `Schema._schema`.
    assert isinstance(GRAPHQL_SCHEMA, GraphQLSchema)
    assert GRAPHQL_SCHEMA.query_type is not None
    assert "getOrder" in GRAPHQL_SCHEMA.query_type.fields


def test_graphql_info_reaches_graphql_cores_resolve_info() -> None:
    # Fails loudly when a strawberry upgrade moves `Info._raw_info`.
    seen: list[GraphQLResolveInfo[Any]] = []

    @strawberry.type
    class Query:
        @strawberry.field
        def where(self, info: strawberry.Info) -> str:
            seen.append(graphql_info(info))
            return info.field_name

    result = strawberry.Schema(query=Query).execute_sync("query Named { where }")

    assert result.errors is None
    (raw,) = seen
    assert raw.field_name == "where"
    assert raw.field_nodes[0].name.value == "where"
    assert raw.operation.name is not None
    assert raw.operation.name.value == "Named"


# AppSync's HTTP errors, as its team listed them (graphql/graphql-over-http#81): an empty
# body is "Request body is empty."; "meow", "{}", "{}}" and "[]" are "Unable to parse
# GraphQL query.", all HTTP 400 MalformedHttpRequestException.
@pytest.mark.parametrize(
    ("body", "content_type", "why"),
    [
        (b"", "application/json", http_errors.EMPTY_BODY),
        (b"   ", "application/json", http_errors.EMPTY_BODY),
        (b"meow", "application/json", http_errors.UNPARSABLE),
        (b"{}", "application/json", http_errors.UNPARSABLE),
        (b"{}}", "application/json", http_errors.UNPARSABLE),
        (b"[]", "application/json", http_errors.UNPARSABLE),
        (b"null", "application/json", http_errors.UNPARSABLE),
        (b'"x"', "application/json", http_errors.UNPARSABLE),
        (b"123", "application/json", http_errors.UNPARSABLE),
        (b'{"query": 123}', "application/json", http_errors.UNPARSABLE),
        (b'{"query": "{ x }", "variables": [1]}', "application/json", http_errors.UNPARSABLE),
        (b'{"query": "{ x }", "operationName": 1}', "application/json", http_errors.UNPARSABLE),
        (b'{"query": "\x00"}', "application/json", http_errors.UNPARSABLE),
        (b"\xff\xfe", "application/json", http_errors.UNPARSABLE),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", http_errors.UNPARSABLE),
        (b'{"query": "{ x }"}', "text/plain", http_errors.UNPARSABLE),
    ],
)
def test_malformed_requests_are_named_as_appsync_names_them(
    body: bytes, content_type: str, why: str
) -> None:
    assert http_errors.malformed_request(body, content_type) == why


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ x }"}',
        b'{"query": "{ x }", "variables": null, "operationName": null}',
        b'{"query": "query Q { x }", "variables": {"a": 1}, "operationName": "Q"}',
    ],
)
@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", None])
def test_graphql_requests_pass(body: bytes, content_type: str | None) -> None:
    assert http_errors.malformed_request(body, content_type) is None


def test_several_operations_need_a_name_that_exists() -> None:
    assert operation_error(["A"], None) is None
    assert operation_error(["A", "B"], "B") is None
    several = operation_error(["A", "B"], None)
    unknown = operation_error(["A"], "C")
    # graphql-java's UnknownOperationException texts (AppSync's engine)
    assert several is not None
    assert several.message == SEVERAL_OPERATIONS
    assert unknown is not None
    assert unknown.message == "Unknown operation named 'C'."


def _reworded(query: str) -> str:
    errors: list[GraphQLError] = list(validate(GRAPHQL_SCHEMA, parse(query)))
    assert errors, query
    return str(appsync_request_errors(GRAPHQL_SCHEMA, errors)[0]["message"])


def test_a_literal_of_the_wrong_type_is_printed_as_graphql_java_prints_it() -> None:
    # "argument 'data' with value 'ObjectValue{objectFields=[ObjectField{name='upvotes',
    # value=IntValue{value=10}}]}' is not a valid 'AWSJSON' @ 'sendEmail'"
    # (awslabs/aws-mobile-appsync-sdk-js#554)
    message = _reworded('{ ordersByState(estado: recibida, limit: "diez") { nextToken } }')

    assert message == (
        "Validation error of type WrongType: argument 'limit' with value "
        "'StringValue{value='diez'}' is not a valid 'Int' @ 'ordersByState'"
    )


def test_literals_print_like_graphql_javas_syntax_tree() -> None:
    value = parse('{ f(a: {s: "x", i: 10, f: 2.5, b: true, e: A, n: null, l: [1]}) }')
    operation = value.definitions[0]
    argument = operation.selection_set.selections[0].arguments[0]  # type: ignore[attr-defined]

    assert java_literal(argument.value) == (
        "ObjectValue{objectFields=[ObjectField{name='s', value=StringValue{value='x'}}, "
        "ObjectField{name='i', value=IntValue{value=10}}, "
        "ObjectField{name='f', value=FloatValue{value=2.5}}, "
        "ObjectField{name='b', value=BooleanValue{value=true}}, "
        "ObjectField{name='e', value=EnumValue{name='A'}}, "
        "ObjectField{name='n', value=NullValue{}}, "
        "ObjectField{name='l', value=ArrayValue{values=[IntValue{value=1}]}}]}"
    )


def test_an_unknown_field_names_the_path_as_appsync_does() -> None:
    # "Validation error of type FieldUndefined: Field 'badfield' in type 'Query' is
    # undefined @ 'badfield'" (graphql/graphql-over-http#81)
    assert _reworded('{ getOrder(id: "1") { precio } }') == (
        "Validation error of type FieldUndefined: Field 'precio' in type 'Order' is "
        "undefined @ 'getOrder/precio'"
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ x }", "extensions": []}',
        b'{"query": "{ x }", "extensions": "x"}',
        b'{"query": "{ x }", "extensions": 1}',
    ],
)
def test_extensions_that_are_not_an_object_are_malformed(body: bytes) -> None:
    assert http_errors.malformed_request(body, "application/json") == http_errors.UNPARSABLE
    assert (
        http_errors.malformed_request(b'{"query": "{ x }", "extensions": {"a": 1}}', None) is None
    )


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(400, http_errors.MALFORMED), (405, http_errors.BAD_REQUEST)],
)
def test_any_refusal_of_the_graphql_view_is_json_with_its_type(
    status: int, error_type: str
) -> None:
    # whatever strawberry's view refuses (its own plain-text answers) leaves in AppSync's shape
    response = http_errors.refusal(status, "why")
    assert response.status_code == status
    assert response.headers[http_errors.ERROR_TYPE_HEADER] == error_type
    assert json.loads(bytes(response.body)) == {
        "errors": [{"errorType": error_type, "message": "why"}]
    }
