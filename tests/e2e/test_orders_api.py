"""Orders through the emulator's HTTP API, answered by the real Lambda handler."""

import uuid

import pytest

from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import (
    CREATE,
    FUTURE_DATE,
    GET,
    PAGE,
    UPDATE,
    create,
    move,
    now,
    single_error,
)

pytestmark = pytest.mark.e2e


def test_a_created_order_reads_back_with_only_the_fields_asked_for(emulator: Emulator) -> None:
    # given
    created = create(emulator, "  Cambiar rodamientos  ")

    # when
    data = emulator.data(
        "query($id: ID!) { getOrder(id: $id) { descripcion estado } }", {"id": created["id"]}
    )

    # then
    assert created["estado"] == "recibida"
    assert created["version"] == 1
    assert created["fecha_entrega"] == FUTURE_DATE
    assert data["getOrder"] == {"descripcion": "Cambiar rodamientos", "estado": "recibida"}


def test_an_order_moves_through_its_states_and_a_final_one_refuses_more(emulator: Emulator) -> None:
    # given
    order = create(emulator, "Revisar caldera")

    # when
    in_process = move(emulator, order["id"], "enproceso")
    done = move(emulator, order["id"], "completada")
    refused = emulator.graphql(
        UPDATE, {"id": order["id"], "estado": "cancelada", "motivo": "tarde"}
    ).json()

    # then
    assert (in_process["estado"], in_process["version"]) == ("enproceso", 2)
    assert in_process["fecha_actualizacion"] is not None
    assert (done["estado"], done["version"]) == ("completada", 3)
    assert refused["data"] is None
    error = single_error(refused)
    assert error["errorType"] == "InvalidTransition"
    assert error["path"] == ["updateOrderState"]
    assert error["errorInfo"] is None
    assert error["data"] is None
    assert error["locations"][0]["line"] > 0
    after = emulator.data(GET, {"id": order["id"]})["getOrder"]
    assert (after["estado"], after["version"]) == ("completada", 3)


def test_a_cancellation_needs_a_reason(emulator: Emulator) -> None:
    order = create(emulator, "Pintar fachada")

    refused = emulator.graphql(UPDATE, {"id": order["id"], "estado": "cancelada"}).json()
    cancelled = move(emulator, order["id"], "cancelada", "cliente desistió")

    assert single_error(refused)["errorType"] == "ValidationError"
    assert cancelled["motivo_cancelacion"] == "cliente desistió"
    assert cancelled["version"] == 2


def test_an_unknown_order_is_null_and_updating_it_is_not_found(emulator: Emulator) -> None:
    missing = str(uuid.uuid4())

    read = emulator.data(GET, {"id": missing})
    update = emulator.graphql(UPDATE, {"id": missing, "estado": "enproceso"}).json()

    assert read == {"getOrder": None}
    assert single_error(update)["errorType"] == "NotFound"


@pytest.mark.parametrize(
    ("descripcion", "fecha_entrega", "estado"),
    [
        ("   ", FUTURE_DATE, None),
        ("x" * 2001, FUTURE_DATE, None),
        ("fecha pasada", "2000-01-01", None),
        ("estado inicial", FUTURE_DATE, "completada"),
    ],
)
def test_bad_input_is_a_validation_error_and_stores_nothing(
    emulator: Emulator, descripcion: str, fecha_entrega: str, estado: str | None
) -> None:
    # given
    since = now()
    order_input = {"descripcion": descripcion, "fecha_entrega": fecha_entrega, "estado": estado}

    # when
    body = emulator.graphql(CREATE, {"input": order_input}).json()

    # then
    assert body["data"] is None
    error = single_error(body)
    assert error["errorType"] == "ValidationError"
    assert error["message"]
    assert "Traceback" not in error["message"]
    stored = emulator.data(PAGE, {"estado": "recibida", "desde": since})["ordersByState"]["items"]
    assert all(item["descripcion"] != descripcion.strip() for item in stored)


def test_pages_follow_arrival_order_to_the_end(emulator: Emulator) -> None:
    # given
    since = now()
    marker = uuid.uuid4().hex[:8]
    created = [create(emulator, f"{marker} orden {n}")["id"] for n in range(5)]

    # when
    seen: list[str] = []
    pages = 0
    token = None
    while True:
        page = emulator.data(
            PAGE, {"estado": "recibida", "desde": since, "limit": 2, "nextToken": token}
        )
        pages += 1
        seen += [
            item["id"]
            for item in page["ordersByState"]["items"]
            if item["descripcion"].startswith(marker)
        ]
        token = page["ordersByState"]["nextToken"]
        if token is None:
            break

    # then
    assert seen == created
    assert pages >= 3


def test_a_tampered_page_token_is_a_validation_error(emulator: Emulator) -> None:
    body = emulator.graphql(PAGE, {"estado": "recibida", "nextToken": "not-a-token"}).json()

    assert single_error(body)["errorType"] == "ValidationError"
    assert body["data"] is None
