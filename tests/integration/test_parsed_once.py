"""The emulator parses a request's document once: the HTTP view parses it to check the
operation's name and hands that document to strawberry (api.emulator.graphql_app
.ParsedOnce). Parsing is most of what a large document costs, so a second parse would
double the work a hostile one makes. In process (starlette's TestClient, no socket)."""

from typing import Any

import pytest
from graphql.language.parser import Parser
from starlette.testclient import TestClient

from api.emulator.graphql_app import build_app
from api.emulator.lambda_function import LambdaFunction
from api.emulator.resolver_cache import ResolverCache
from api.emulator.runtime import LocalAppSync

KEY = "parse-key"
ORDER = {"id": "o-1", "descripcion": "x", "estado": "recibida"}


def _handler(event: dict[str, Any], context: Any) -> Any:
    return {**ORDER, "id": event["arguments"]["id"]}


@pytest.fixture
def client() -> TestClient:
    runtime = LocalAppSync(LambdaFunction(_handler), ResolverCache(ttl_seconds=0))
    return TestClient(build_app(runtime, KEY, dict))


@pytest.fixture
def parsed(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source of every document graphql-core parses once the app is built."""
    sources: list[str] = []
    parse_document = Parser.parse_document

    def counted(parser: Parser) -> Any:
        sources.append(parser._lexer.source.body)
        return parse_document(parser)

    monkeypatch.setattr(Parser, "parse_document", counted)
    return sources


def test_a_query_is_parsed_once_and_answered(client: TestClient, parsed: list[str]) -> None:
    query = 'query One { getOrder(id: "o-7") { id descripcion } }'

    response = client.post("/graphql", json={"query": query}, headers={"x-api-key": KEY})

    assert response.json() == {"data": {"getOrder": {"id": "o-7", "descripcion": "x"}}}
    assert parsed == [query]


def test_a_refused_operation_name_is_still_refused_after_one_parse(
    client: TestClient, parsed: list[str]
) -> None:
    query = 'query A { getOrder(id: "a") { id } } query B { getOrder(id: "b") { id } }'

    response = client.post("/graphql", json={"query": query}, headers={"x-api-key": KEY})

    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == (
        "Must provide operation name if query contains multiple operations."
    )
    assert parsed == [query]
