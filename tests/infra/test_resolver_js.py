"""The APPSYNC_JS resolver code, run under Node.js with stand-ins for AppSync's `util`
(whose `error` stops the handler by throwing) and `extensions` (which records evictions)."""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.resolver_code import resolver_code
from resolvers.definitions.caching import EVICTIONS, cached_resolver
from resolvers.definitions.fields import (
    CREATE_ORDER,
    GET_ORDER,
    MUTATIONS,
    QUERIES,
    RESOLVER_FIELDS,
    ResolverField,
)

pytestmark = [
    pytest.mark.infra,
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js"),
]

APPSYNC_UTILS_STANDIN = """
export const evictions = [];
export const util = {
  error(message, type) {
    const error = new Error(message);
    error.appsync = { message, type };
    throw error;
  },
};
export const extensions = {
  evictFromApiCache(typeName, fieldName, keys) {
    evictions.push({ typeName, fieldName, keys });
  },
};
"""

DRIVER = """
import { evictions as __evictions } from '@aws-appsync/utils';
const __scenario = JSON.parse(process.env.SCENARIO);
let __outcome;
if (__scenario.handler === 'request') {
  __outcome = { value: request(__scenario.ctx) };
} else {
  try {
    __outcome = { value: response(__scenario.ctx) };
  } catch (error) {
    if (!error.appsync) throw error;
    __outcome = { error: error.appsync };
  }
}
__outcome.evictions = __evictions;
console.log(JSON.stringify(__outcome));
"""

ORDER = {
    "id": "0b6c3c1e-5a8e-4d59-9a57-1f0f0c6e8d11",
    "descripcion": "Cambiar filtro",
    "fecha_entrega": "2030-01-31",
    "estado": "recibida",
    "fecha_registro": "2030-01-01T10:00:00.000000Z",
    "timestamp": 1893492000,
    "fecha_actualizacion": None,
    "motivo_cancelacion": None,
    "version": 1,
}


def _run(tmp_path: Path, field: ResolverField, handler: str, ctx: dict[str, Any]) -> Any:
    standin = tmp_path / "appsync-utils.mjs"
    standin.write_text(APPSYNC_UTILS_STANDIN, encoding="utf-8")
    code = (resolver_code(field) + DRIVER).replace("'@aws-appsync/utils'", f"'{standin.as_uri()}'")
    completed = subprocess.run(  # noqa: S603 - fixed argv, our own code
        ["node", "--input-type=module", "-e", code],  # noqa: S607 - node from PATH
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        env={**os.environ, "SCENARIO": json.dumps({"handler": handler, "ctx": ctx})},
    )
    return json.loads(completed.stdout)


def _context(field: ResolverField, **overrides: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "arguments": {"id": ORDER["id"]},
        "identity": {"sourceIp": ["203.0.113.7"]},
        "source": None,
        "request": {"headers": {"x-api-key": "da2-test"}, "domainName": None},
        "info": {
            "fieldName": field.field_name,
            "parentTypeName": field.type_name,
            "selectionSetList": ["id", "estado"],
            "selectionSetGraphQL": "{ id estado }",
            "variables": {},
        },
        "prev": None,
        "stash": {},
    }
    return ctx | overrides


@pytest.mark.parametrize("field", RESOLVER_FIELDS, ids=lambda f: f.path)
def test_request_invokes_the_lambda_with_the_full_context(
    tmp_path: Path, field: ResolverField
) -> None:
    ctx = _context(field)
    outcome = _run(tmp_path, field, "request", ctx)
    assert outcome["value"] == {"operation": "Invoke", "payload": ctx}


@pytest.mark.parametrize("error_type", ["InvalidTransition", "Unauthorized"])
@pytest.mark.parametrize("field", RESOLVER_FIELDS, ids=lambda f: f.path)
def test_a_domain_error_result_becomes_a_graphql_error(
    tmp_path: Path, field: ResolverField, error_type: str
) -> None:
    error = {"type": error_type, "message": "a completed order cannot change state"}
    outcome = _run(tmp_path, field, "response", _context(field, result={"error": error}))
    assert outcome["error"] == error
    assert outcome["evictions"] == []


@pytest.mark.parametrize("field", RESOLVER_FIELDS, ids=lambda f: f.path)
def test_a_lambda_failure_becomes_a_graphql_error(tmp_path: Path, field: ResolverField) -> None:
    error = {"type": "Lambda:Unhandled", "message": "internal error; correlation id abc"}
    outcome = _run(tmp_path, field, "response", _context(field, error=error, result=None))
    assert outcome["error"] == error
    assert outcome["evictions"] == []


@pytest.mark.parametrize("field", QUERIES, ids=lambda f: f.path)
def test_a_query_returns_its_result_and_evicts_nothing(
    tmp_path: Path, field: ResolverField
) -> None:
    result = {"items": [ORDER], "nextToken": None} if field != GET_ORDER else ORDER
    outcome = _run(tmp_path, field, "response", _context(field, result=result))
    assert outcome == {"value": result, "evictions": []}


def test_get_order_of_a_missing_order_returns_null(tmp_path: Path) -> None:
    outcome = _run(tmp_path, GET_ORDER, "response", _context(GET_ORDER, result=None))
    assert outcome == {"value": None, "evictions": []}


@pytest.mark.parametrize("field", MUTATIONS, ids=lambda f: f.path)
def test_a_mutation_evicts_the_cached_get_order_of_its_order(
    tmp_path: Path, field: ResolverField
) -> None:
    # createOrder has no `id` argument: the key comes from the result, not the arguments.
    ctx = _context(field, arguments={"input": {"descripcion": "x"}}, result=ORDER)
    outcome = _run(tmp_path, field, "response", ctx)
    assert outcome["value"] == ORDER
    assert outcome["evictions"] == [
        {
            "typeName": "Query",
            "fieldName": "getOrder",
            "keys": {"context.arguments.id": ORDER["id"]},
        }
    ]


def test_every_mutation_has_an_eviction() -> None:
    assert {e.mutation for e in EVICTIONS} == set(MUTATIONS)
    assert CREATE_ORDER in {e.mutation for e in EVICTIONS}


def test_evictions_name_the_evicted_resolver_caching_keys_in_order() -> None:
    # evictFromApiCache needs exactly the cached resolver's keys, in its order, minus `$`.
    for eviction in EVICTIONS:
        rule = cached_resolver(eviction.field)
        assert rule is not None, eviction
        assert [key for key, _ in eviction.keys_from_result] == list(rule.caching_keys)
