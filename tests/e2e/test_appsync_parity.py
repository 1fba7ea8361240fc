"""Where a request that works locally must work the same on AppSync: limits, malformed
requests, the x-amzn headers, argument coercion and operation selection."""

import uuid
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import PAGE, create, now, single_error

pytestmark = pytest.mark.e2e


def _post(
    emulator: Emulator, body: bytes, content_type: str = "application/json"
) -> httpx.Response:
    return httpx.post(
        emulator.graphql_url,
        content=body,
        headers={"x-api-key": emulator.api_key, "content-type": content_type},
        timeout=30,
    )


# The resolver count limit (10, from resolvers/definitions/limits.py as the stack): "exceeding
# the configured resolver limit causes the query to end with a ResolverExecutionLimitReached
# error on additional resolvers" (AppSync guide, "Configuring GraphQL run complexity, query
# depth, and introspection").
@pytest.mark.emulator_only("counts the resolvers that ran in /_emulator/stats")
def test_past_ten_resolvers_the_rest_get_resolver_execution_limit_reached(
    emulator: Emulator,
) -> None:
    before = emulator.stats()["Query.getOrder"]
    aliases = [f"g{n}" for n in range(1, 13)]
    query = "{ " + " ".join(f'{a}: getOrder(id: "{uuid.uuid4()}") {{ id }}' for a in aliases) + " }"

    body = emulator.graphql(query).json()

    after = emulator.stats()["Query.getOrder"]
    ran = (after["invocations"] + after["cache_hits"]) - (
        before["invocations"] + before["cache_hits"]
    )
    assert ran == 10
    assert body["data"] == dict.fromkeys(aliases)
    refused = [(e["path"], e["errorType"]) for e in body["errors"]]
    assert refused == [
        (["g11"], "ResolverExecutionLimitReached"),
        (["g12"], "ResolverExecutionLimitReached"),
    ]


def test_graphiqls_introspection_query_fits_the_local_depth_limit(emulator: Emulator) -> None:
    # The emulator serves as the `local` stage, with dev's limits: depth 15, so the
    # standard introspection query (15 levels) runs, as it does on the dev API.
    body = emulator.graphql(get_introspection_query(descriptions=True)).json()

    assert "errors" not in body, body["errors"][:2]
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


# AppSync's answers to requests that are not GraphQL requests (graphql/graphql-over-http#81,
# by the AppSync team): HTTP 400, {"errors": [{"message": "Unable to parse GraphQL query.",
# "errorType": "MalformedHttpRequestException"}]}; "Request body is empty." for no body.
@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", "application/json", "Request body is empty."),
        (b"meow", "application/json", "Unable to parse GraphQL query."),
        (b"null", "application/json", "Unable to parse GraphQL query."),
        (b'"x"', "application/json", "Unable to parse GraphQL query."),
        (b"123", "application/json", "Unable to parse GraphQL query."),
        (b"[]", "application/json", "Unable to parse GraphQL query."),
        (b"{}", "application/json", "Unable to parse GraphQL query."),
        (b'{"query": 123}', "application/json", "Unable to parse GraphQL query."),
        (
            b'{"query": "{ getOrder(id: \\"1\\") { id } }"\x00}',
            "application/json",
            "Unable to parse GraphQL query.",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", "Unable to parse GraphQL query."),
        (
            b'{"query": "{ getOrder(id: \\"1\\") { id } }"}',
            "text/plain",
            "Unable to parse GraphQL query.",
        ),
    ],
    ids=[
        "empty",
        "not-json",
        "null",
        "string",
        "number",
        "array",
        "no-query",
        "query-number",
        "nul-byte",
        "deep-nesting",
        "content-type",
    ],
)
@pytest.mark.emulator_only("also reads the emulator's log for tracebacks")
def test_a_malformed_request_is_a_400_in_appsyncs_json(
    emulator: Emulator, body: bytes, content_type: str, message: str
) -> None:
    response = _post(emulator, body, content_type)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "errors": [{"errorType": "MalformedHttpRequestException", "message": message}]
    }
    assert response.headers["x-amzn-ErrorType"] == "MalformedHttpRequestException"
    assert "Traceback" not in emulator.log.read_text()


@pytest.mark.emulator_only("also asks the emulator's /health")
def test_every_answer_carries_a_request_id(emulator: Emulator) -> None:
    answers = [
        emulator.graphql('{ getOrder(id: "1") { id } }'),
        emulator.graphql('{ getOrder(id: "1") { id } }', headers={}),
        _post(emulator, b"meow"),
        httpx.get(f"{emulator.url}/health"),
    ]

    ids = [answer.headers.get("x-amzn-RequestId") for answer in answers]
    assert [answer.status_code for answer in answers] == [200, 401, 400, 200]
    assert all(ids)
    assert len(set(ids)) == len(ids)


def test_a_refused_key_names_its_error_type_in_a_header(emulator: Emulator) -> None:
    response = emulator.graphql('{ getOrder(id: "1") { id } }', headers={})

    assert response.status_code == 401
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"


def test_browsers_may_read_the_amzn_headers(emulator: Emulator) -> None:
    response = httpx.post(
        emulator.graphql_url,
        json={"query": '{ getOrder(id: "1") { id } }'},
        headers={"x-api-key": emulator.api_key, "origin": "http://localhost:5173"},
    )

    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"x-amzn-requestid", "x-amzn-errortype"} <= exposed


@pytest.mark.parametrize("how", ["literal", "variable"])
def test_an_integer_id_reaches_the_lambda_as_a_string(emulator: Emulator, how: str) -> None:
    # AppSync coerces ID arguments to strings before the resolver sees them; the Lambda
    # refuses a non-string id, so an error here means the integer went through as is.
    number = uuid.uuid4().int % 10**9
    if how == "literal":
        body = emulator.graphql(f"{{ getOrder(id: {number}) {{ id }} }}").json()
    else:
        body = emulator.graphql(
            "query Get($id: ID!) { getOrder(id: $id) { id } }", {"id": number}
        ).json()

    assert body == {"data": {"getOrder": None}}


def test_an_int_sent_as_a_whole_float_is_an_integer(emulator: Emulator) -> None:
    order = create(emulator, "flotante")
    variables: dict[str, Any] = {"estado": "recibida", "desde": now(), "limit": 2.0}
    variables["desde"] = order["fecha_registro"]

    body = emulator.graphql(PAGE, variables).json()

    assert "errors" not in body, body
    assert [item["id"] for item in body["data"]["ordersByState"]["items"]][:1] == [order["id"]]


SEVERAL = """
query First { getOrder(id: "1") { id } }
query Second { getOrder(id: "2") { id } }
"""


@pytest.mark.emulator_only("reads /_emulator/stats to show nothing ran")
def test_several_operations_without_an_operation_name_are_refused(emulator: Emulator) -> None:
    before = emulator.stats()["Query.getOrder"]

    response = emulator.graphql(SEVERAL)

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    # graphql-java's wording (AppSync runs on it): UnknownOperationException
    assert single_error(body)["message"] == (
        "Must provide operation name if query contains multiple operations."
    )
    assert emulator.stats()["Query.getOrder"] == before


def test_an_unknown_operation_name_is_a_graphql_error(emulator: Emulator) -> None:
    response = httpx.post(
        emulator.graphql_url,
        json={"query": SEVERAL, "operationName": "Third"},
        headers={"x-api-key": emulator.api_key},
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["data"] is None
    assert single_error(body)["message"] == "Unknown operation named 'Third'."


def test_a_named_operation_of_several_runs_alone(emulator: Emulator) -> None:
    response = httpx.post(
        emulator.graphql_url,
        json={"query": SEVERAL, "operationName": "Second"},
        headers={"x-api-key": emulator.api_key},
    )

    assert response.json() == {"data": {"getOrder": None}}
