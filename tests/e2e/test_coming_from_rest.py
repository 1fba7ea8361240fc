"""What a user of the REST service meets first, as docs/coming-from-rest.md shows it."""

import pytest

from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import CREATE, single_error

pytestmark = pytest.mark.e2e


def test_a_rest_date_is_refused_before_any_resolver_runs(emulator: Emulator) -> None:
    # given the REST service's body, moved into createOrder's input
    rest_body = {"descripcion": "Cambiar rodamientos", "fecha_entrega": "10/04/2099"}
    # when
    response = emulator.graphql(CREATE, {"input": rest_body})
    # then AppSync refuses the AWSDate ("an extended ISO 8601 date string in the format
    # YYYY-MM-DD": https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html) before
    # any resolver runs, with HTTP 200, `data` null and its own words, which
    # docs/coming-from-rest.md quotes (aws-amplify/amplify-swift#278)
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    message = single_error(body)["message"]
    assert "fecha_entrega" in message
    assert "Unable to parse `10/04/2099` as a valid date." in message


def test_the_readme_side_by_side_example_creates_and_reports_errors_with_http_200(
    emulator: Emulator,
) -> None:
    # given the GraphQL request of docs/coming-from-rest.md: estado as a string in the variables
    variables = {
        "input": {
            "descripcion": "Cambiar rodamientos",
            "fecha_entrega": "2099-04-10",
            "estado": "recibida",
        }
    }
    # when
    created = emulator.data(CREATE, variables)["createOrder"]
    refused = emulator.graphql(CREATE, {"input": {**variables["input"], "descripcion": " "}})
    # then the order is created, and a bad value is a ValidationError with HTTP 200, not a 400
    # (util.error puts the error, with its errorType, in the response's `errors` and the
    # request still succeeds: https://docs.aws.amazon.com/appsync/latest/devguide/
    # built-in-util-js.html, "util.error")
    assert created["estado"] == "recibida"
    assert created["fecha_entrega"] == "2099-04-10"
    assert refused.status_code == 200
    assert single_error(refused.json())["errorType"] == "ValidationError"
