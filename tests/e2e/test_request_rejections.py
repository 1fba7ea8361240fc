"""Every request-level refusal of the emulator's HTTP side answers in AppSync's JSON shape,
never strawberry's plain text: HTTP 400 with {"errors": [{"errorType":
"MalformedHttpRequestException", "message": ...}]} and the type in `x-amzn-ErrorType`, the
shape the AppSync team gave in graphql/graphql-over-http#81 and that
aws-appsync-community#183 shows. And the query depth limit counts introspection fields:
AppSync's guide ("Configuring GraphQL run complexity, query depth, and introspection",
https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html) does not say
whether they count, so the emulator takes the safe reading (api/emulator/query_limits.py)."""

import json

import httpx
import pytest
from graphql import get_introspection_query

from resolvers.definitions.limits import query_limits
from resolvers.definitions.resources import LOCAL_STAGE
from tests.e2e.conftest import Emulator

pytestmark = pytest.mark.e2e
MALFORMED = "MalformedHttpRequestException"
QUERY = '{ getOrder(id: "1") { id } }'


def _post(emulator: Emulator, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        emulator.graphql_url,
        content=body,
        headers={"x-api-key": emulator.api_key, **headers},
        timeout=30,
    )


def _assert_refused_in_appsyncs_json(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-amzn-ErrorType"] == MALFORMED
    (error,) = response.json()["errors"]
    assert error["errorType"] == MALFORMED
    assert error["message"]


@pytest.mark.parametrize(
    "extensions", [[], "x", 1, True], ids=["array", "string", "number", "boolean"]
)
def test_extensions_that_are_not_an_object_are_malformed(
    emulator: Emulator, extensions: object
) -> None:
    body = json.dumps({"query": QUERY, "extensions": extensions}).encode()
    response = _post(emulator, body, {"content-type": "application/json"})
    _assert_refused_in_appsyncs_json(response)
    assert response.json()["errors"][0]["message"] == "Unable to parse GraphQL query."


@pytest.mark.parametrize(
    "body",
    [
        {"query": QUERY, "variables": [1]},
        {"query": QUERY, "operationName": 7},
        {"query": ""},
        {"query": "   "},
    ],
    ids=["variables-array", "operation-name-number", "empty-query", "blank-query"],
)
def test_other_malformed_members_are_refused_in_json(
    emulator: Emulator, body: dict[str, object]
) -> None:
    response = _post(emulator, json.dumps(body).encode(), {"content-type": "application/json"})
    _assert_refused_in_appsyncs_json(response)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.emulator_only("AppSync's answer to other methods is not documented")
def test_another_method_is_refused_in_json(emulator: Emulator, method: str) -> None:
    response = httpx.request(
        method,
        emulator.graphql_url,
        content=json.dumps({"query": QUERY}).encode(),
        headers={"x-api-key": emulator.api_key, "content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/json")
    (error,) = response.json()["errors"]
    assert error["errorType"] == response.headers["x-amzn-ErrorType"] == "BadRequestException"


@pytest.mark.parametrize(
    "headers",
    [{}, {"content-type": "application/graphql"}, {"content-type": "application/json"}],
    ids=["no-content-type", "application-graphql", "application-json"],
)
@pytest.mark.emulator_only("the emulator's reading of content types")
def test_a_json_request_is_read_whatever_its_json_content_type(
    emulator: Emulator, headers: dict[str, str]
) -> None:
    response = _post(emulator, json.dumps({"query": QUERY}).encode(), headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"getOrder": None}}


def _introspection_of_depth(depth: int) -> str:
    """`__type` > `fields` > `type` > `ofType`...: `depth` fields deep."""
    inner = "name"
    for _ in range(depth - 4):
        inner = f"name ofType {{ {inner} }}"
    return f'{{ __type(name: "Order") {{ fields {{ type {{ {inner} }} }} }} }}'


@pytest.mark.emulator_only("the safe reading of an undocumented AppSync behaviour")
def test_introspection_counts_toward_the_depth_limit(emulator: Emulator) -> None:
    limit = query_limits(LOCAL_STAGE).depth
    # at the limit: answered (its deep levels are null: the types end sooner)
    fits = emulator.graphql(_introspection_of_depth(limit)).json()
    assert "errors" not in fits, fits
    # one past: refused before anything runs
    deeper = emulator.graphql(_introspection_of_depth(limit + 1))
    assert deeper.status_code == 200
    body = deeper.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["errorType"] == "QueryDepthLimitReached"
    assert error["message"] == f"The query depth exceeds the limit of {limit}."
    # and GraphiQL's own introspection query still fits the local stage's limit
    standard = emulator.graphql(get_introspection_query(descriptions=True)).json()
    assert "errors" not in standard
