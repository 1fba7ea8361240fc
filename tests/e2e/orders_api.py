"""The GraphQL operations the e2e tests send, written once."""

from datetime import UTC, datetime
from typing import Any

from tests.e2e.conftest import Emulator

CREATE = """
mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { id descripcion fecha_entrega estado fecha_registro version }
}"""
UPDATE = """
mutation Update($id: ID!, $estado: Estado!, $motivo: String) {
  updateOrderState(id: $id, estado: $estado, motivo: $motivo) {
    id estado version fecha_actualizacion motivo_cancelacion
  }
}"""
GET = "query Get($id: ID!) { getOrder(id: $id) { id descripcion estado version } }"
PAGE = """
query Page($estado: Estado!, $desde: AWSDateTime, $limit: Int, $nextToken: String) {
  ordersByState(estado: $estado, desde: $desde, limit: $limit, nextToken: $nextToken) {
    items { id descripcion }
    nextToken
  }
}"""
FUTURE_DATE = "2099-12-31"


def now() -> str:
    """An AWSDateTime for `desde`: orders registered from here on."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def create(emulator: Emulator, descripcion: str) -> dict[str, Any]:
    data = emulator.data(
        CREATE, {"input": {"descripcion": descripcion, "fecha_entrega": FUTURE_DATE}}
    )
    order: dict[str, Any] = data["createOrder"]
    return order


def move(
    emulator: Emulator, order_id: str, estado: str, motivo: str | None = None
) -> dict[str, Any]:
    data = emulator.data(UPDATE, {"id": order_id, "estado": estado, "motivo": motivo})
    order: dict[str, Any] = data["updateOrderState"]
    return order


def single_error(body: dict[str, Any]) -> dict[str, Any]:
    errors = body["errors"]
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error
