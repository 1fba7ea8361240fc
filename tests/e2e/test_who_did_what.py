"""Who did what, through the emulator, for each of AppSync's three modes: the key, a Cognito
user's access token (Amplify v6 sends that one) and an IAM signature each reach the Lambda as
AppSync's `identity` ("Resolver context object reference", Identity:
https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html), and
`historial[].por` names each caller as resolvers/definitions/identity.py reads it. And the field
rule AppSync itself applies: a user in none of updateOrderState's `cognito_groups` gets
`Unauthorized`, "Not Authorized to access updateOrderState on type Mutation", with nothing run
(https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html; the wording as
clients receive it: aws-amplify/amplify-js#7220)."""

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Emulator
from tests.e2e.test_iam_clients import iam_session, signed_post, user_tokens

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("the emulator's local IAM identity and user pool"),
]

CREATE = """mutation { createOrder(input: {descripcion: "quién", fecha_entrega: "2099-12-31"}) {
  id creado_por } }"""
MOVE = """mutation Move($id: ID!, $estado: Estado!, $motivo: String) {
  updateOrderState(id: $id, estado: $estado, motivo: $motivo) {
    id estado version historial { estado por motivo version }
  }
}"""
GET = "query Get($id: ID!) { getOrder(id: $id) { estado version } }"


def _post(emulator: Emulator, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = httpx.post(
        f"{emulator.url}/graphql",
        json=body,
        headers={"content-type": "application/json", **headers},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_historial_names_the_key_the_iam_caller_and_the_user(emulator: Emulator) -> None:
    # given an order created with the key
    created = _post(emulator, {"query": CREATE}, {"x-api-key": emulator.api_key})
    order = created["data"]["createOrder"]
    assert order["creado_por"] == "api-key"
    # when a service moves it with IAM
    move = {"query": MOVE, "variables": {"id": order["id"], "estado": "enproceso"}}
    moved = signed_post(emulator, json.dumps(move), iam_session(emulator))
    assert moved.status_code == 200, moved.text
    # and a supervisor cancels it with an access token
    email = f"sara-{uuid.uuid4().hex[:6]}@example.com"
    access = user_tokens(emulator, email, "supervisores")["AccessToken"]
    cancel = {
        "query": MOVE,
        "variables": {"id": order["id"], "estado": "cancelada", "motivo": "ya no hace falta"},
    }
    cancelled = _post(emulator, cancel, {"Authorization": access})

    # then each entry names who entered its state
    historial = cancelled["data"]["updateOrderState"]["historial"]
    assert [(c["estado"], c["por"]) for c in historial] == [
        ("recibida", "api-key"),
        ("enproceso", "arn:aws:iam::123456789012:user/orders-local"),
        ("cancelada", email),
    ]


def test_a_user_in_no_group_may_not_call_update_order_state(emulator: Emulator) -> None:
    created = _post(emulator, {"query": CREATE}, {"x-api-key": emulator.api_key})
    order_id = created["data"]["createOrder"]["id"]
    access = user_tokens(emulator, f"nadie-{uuid.uuid4().hex[:6]}@example.com")["AccessToken"]

    refused = _post(
        emulator,
        {"query": MOVE, "variables": {"id": order_id, "estado": "enproceso"}},
        {"Authorization": access},
    )

    assert refused["data"] is None
    (error,) = refused["errors"]
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == "Not Authorized to access updateOrderState on type Mutation"
    after = _post(
        emulator, {"query": GET, "variables": {"id": order_id}}, {"x-api-key": emulator.api_key}
    )
    assert after["data"]["getOrder"] == {"estado": "recibida", "version": 1}
