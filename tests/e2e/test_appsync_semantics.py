"""What AppSync does around the resolvers: API key, errors before any resolver, the cache."""

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import CREATE, FUTURE_DATE, GET, PAGE, create, move, now, single_error

pytestmark = pytest.mark.e2e

UNAUTHORIZED = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "You are not authorized to make this call.",
        }
    ]
}


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "not-the-key"}])
def test_a_missing_or_wrong_key_is_refused_before_anything_runs(
    emulator: Emulator, headers: dict[str, str]
) -> None:
    before = emulator.stats()

    response = emulator.graphql(
        CREATE, {"input": {"descripcion": "x", "fecha_entrega": FUTURE_DATE}}, headers
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert emulator.stats() == before


def _invocations(emulator: Emulator, field: str) -> int:
    return emulator.stats()[field]["invocations"]


def _schema_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None
    error = single_error(body)
    assert "errorType" not in error
    assert error["path"] is None
    return error


def test_a_malformed_date_literal_names_the_argument_and_the_format(emulator: Emulator) -> None:
    before = _invocations(emulator, "Mutation.createOrder")

    body = emulator.graphql(
        'mutation { createOrder(input: {descripcion: "x", fecha_entrega: "2030-02-30"}) { id } }'
    ).json()

    message = _schema_error(body)["message"]
    assert "input.fecha_entrega" in message
    assert "AWSDate" in message
    assert "2030-02-30" in message
    assert _invocations(emulator, "Mutation.createOrder") == before


def test_a_malformed_date_variable_names_the_variable(emulator: Emulator) -> None:
    before = _invocations(emulator, "Mutation.createOrder")

    body = emulator.graphql(
        CREATE, {"input": {"descripcion": "x", "fecha_entrega": "31/12/2099"}}
    ).json()

    message = _schema_error(body)["message"]
    assert message.startswith("Variable 'input' has an invalid value")
    assert "fecha_entrega" in message
    assert "AWSDate" in message
    assert "YYYY-MM-DD" in message
    assert _invocations(emulator, "Mutation.createOrder") == before


def test_a_datetime_without_offset_is_refused(emulator: Emulator) -> None:
    body = emulator.graphql(PAGE, {"estado": "recibida", "desde": "2024-01-01T00:00:00"}).json()

    message = _schema_error(body)["message"]
    assert "Variable 'desde'" in message
    assert "AWSDateTime" in message


def test_an_unknown_enum_value_lists_the_valid_ones(emulator: Emulator) -> None:
    literal = emulator.graphql("{ ordersByState(estado: pendiente) { nextToken } }").json()
    variable = emulator.graphql(PAGE, {"estado": "pendiente"}).json()

    literal_message = _schema_error(literal)["message"]
    assert "argument 'estado'" in literal_message
    assert "'Estado'" in literal_message
    assert "recibida" in literal_message
    assert "Variable 'estado'" in _schema_error(variable)["message"]


def test_an_unknown_field_is_a_validation_error(emulator: Emulator) -> None:
    body = emulator.graphql('{ getOrder(id: "1") { id precio } }').json()

    assert "FieldUndefined" in _schema_error(body)["message"]
    assert "getOrder/precio" in _schema_error(body)["message"]


def test_a_repeated_get_order_comes_from_the_cache_until_a_mutation_evicts_it(
    emulator: Emulator,
) -> None:
    # given
    order = create(emulator, "Cambiar filtro")
    emulator.data(GET, {"id": order["id"]})
    before = emulator.stats()["Query.getOrder"]

    # when
    cached = emulator.data(GET, {"id": order["id"]})["getOrder"]
    after_hit = emulator.stats()["Query.getOrder"]
    move(emulator, order["id"], "enproceso")
    fresh = emulator.data(GET, {"id": order["id"]})["getOrder"]
    after_eviction = emulator.stats()["Query.getOrder"]

    # then
    assert cached["estado"] == "recibida"
    assert after_hit == {
        "invocations": before["invocations"],
        "cache_hits": before["cache_hits"] + 1,
    }
    assert fresh["estado"] == "enproceso"
    assert after_eviction["invocations"] == before["invocations"] + 1


def test_orders_by_state_is_cached_per_whole_argument_set(emulator: Emulator) -> None:
    variables = {"estado": "cancelada", "desde": now(), "limit": 5}
    emulator.data(PAGE, variables)
    before = emulator.stats()["Query.ordersByState"]

    emulator.data(PAGE, variables)
    emulator.data(PAGE, {**variables, "limit": 6})

    after = emulator.stats()["Query.ordersByState"]
    assert after["cache_hits"] == before["cache_hits"] + 1
    assert after["invocations"] == before["invocations"] + 1


def test_health_reports_the_provisioned_resources(emulator: Emulator) -> None:
    health = httpx.get(f"{emulator.url}/health").json()

    assert health["status"] == "ok"
    assert health["orders_table"] == "orders-local"
    assert set(health["queues"]) == {"recibida", "enproceso", "completada", "cancelada"}
    assert health["aws_endpoint"] == f"http://{emulator.host}:{emulator.aws_port}"


def test_graphiql_is_served_without_a_key(emulator: Emulator) -> None:
    page = httpx.get(f"{emulator.url}/graphql", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
