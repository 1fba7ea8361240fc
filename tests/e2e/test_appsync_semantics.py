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


@pytest.mark.emulator_only("reads /_emulator/stats to show nothing ran")
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


@pytest.mark.emulator_only("also reads /_emulator/stats to show no resolver ran")
def test_a_malformed_date_literal_is_worded_as_appsync_words_it(emulator: Emulator) -> None:
    before = _invocations(emulator, "Mutation.createOrder")

    body = emulator.graphql(
        'mutation { createOrder(input: {descripcion: "x", fecha_entrega: "2030-02-30"}) { id } }'
    ).json()

    # AppSync: "Validation error of type WrongType: argument 'a.beginsWith.createdAt' with
    # value 'StringValue{value='2019'}' is not a valid 'AWSDateTime'" (aws/aws-cli#7078),
    # "... is not a valid 'AWSJSON' @ 'sendEmail'" (awslabs/aws-mobile-appsync-sdk-js#554)
    assert _schema_error(body)["message"] == (
        "Validation error of type WrongType: argument 'input.fecha_entrega' with value "
        "'StringValue{value='2030-02-30'}' is not a valid 'AWSDate' @ 'createOrder'"
    )
    assert _invocations(emulator, "Mutation.createOrder") == before


@pytest.mark.emulator_only("also reads /_emulator/stats to show no resolver ran")
def test_a_malformed_date_variable_names_the_input_field(emulator: Emulator) -> None:
    before = _invocations(emulator, "Mutation.createOrder")

    body = emulator.graphql(
        CREATE, {"input": {"descripcion": "x", "fecha_entrega": "31/12/2099"}}
    ).json()

    # AppSync names the input field inside the variable: "Variable 'phone' has an invalid
    # value. Unable to parse `1110004444` as a valid phone number." for $input.phone
    # (aws-amplify/amplify-flutter#822); "Variable 'dateOfBirth' has an invalid value.
    # Unable to parse `2019-12-24T04:15:57.798Z` as a valid date." (aws-amplify/amplify-swift#278)
    assert _schema_error(body)["message"] == (
        "Variable 'fecha_entrega' has an invalid value. "
        "Unable to parse `31/12/2099` as a valid date."
    )
    assert _invocations(emulator, "Mutation.createOrder") == before


def test_a_datetime_without_offset_is_refused_in_appsync_words(emulator: Emulator) -> None:
    body = emulator.graphql(PAGE, {"estado": "recibida", "desde": "2024-01-01T00:00:00"}).json()

    # "Variable 'updatedAt' has an invalid value. Unable to parse `2019` as a valid
    # DateTime Object." (aws-amplify/amplify-cli#2033)
    assert _schema_error(body)["message"] == (
        "Variable 'desde' has an invalid value. "
        "Unable to parse `2024-01-01T00:00:00` as a valid DateTime Object."
    )


def test_an_unknown_enum_literal_is_a_wrong_type(emulator: Emulator) -> None:
    body = emulator.graphql("{ ordersByState(estado: pendiente) { nextToken } }").json()

    # graphql-java prints an enum literal as EnumValue{name='...'}; the sentence is the
    # WrongType one AppSync sends for any literal (aws/aws-cli#7078)
    assert _schema_error(body)["message"] == (
        "Validation error of type WrongType: argument 'estado' with value "
        "'EnumValue{name='pendiente'}' is not a valid 'Estado' @ 'ordersByState'"
    )


def test_an_unknown_enum_variable_names_the_variable(emulator: Emulator) -> None:
    body = emulator.graphql(PAGE, {"estado": "pendiente"}).json()

    message = _schema_error(body)["message"]
    assert message.startswith("Variable 'estado' has an invalid value. ")
    assert "pendiente" in message


def test_an_unknown_field_is_a_validation_error(emulator: Emulator) -> None:
    body = emulator.graphql('{ getOrder(id: "1") { id precio } }').json()

    assert "FieldUndefined" in _schema_error(body)["message"]
    assert "getOrder/precio" in _schema_error(body)["message"]


@pytest.mark.emulator_only("counts invocations and cache hits in /_emulator/stats")
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


@pytest.mark.emulator_only("counts invocations and cache hits in /_emulator/stats")
def test_orders_by_state_is_cached_per_whole_argument_set(emulator: Emulator) -> None:
    variables = {"estado": "cancelada", "desde": now(), "limit": 5}
    emulator.data(PAGE, variables)
    before = emulator.stats()["Query.ordersByState"]

    emulator.data(PAGE, variables)
    emulator.data(PAGE, {**variables, "limit": 6})

    after = emulator.stats()["Query.ordersByState"]
    assert after["cache_hits"] == before["cache_hits"] + 1
    assert after["invocations"] == before["invocations"] + 1


@pytest.mark.emulator_only("/health is the emulator's own")
def test_health_reports_the_provisioned_resources(emulator: Emulator) -> None:
    health = httpx.get(f"{emulator.url}/health").json()

    assert health["status"] == "ok"
    assert health["orders_table"] == "orders-local"
    assert set(health["queues"]) == {"recibida", "enproceso", "completada", "cancelada"}
    assert health["aws_endpoint"] == f"http://{emulator.host}:{emulator.aws_port}"


@pytest.mark.emulator_only("AppSync serves no explorer at its GraphQL URL")
def test_graphiql_is_served_without_a_key(emulator: Emulator) -> None:
    page = httpx.get(f"{emulator.url}/graphql", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
