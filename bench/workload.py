"""The orders the benchmarks read and write. Descriptions are long (1,500 of the 2,000
characters allowed) so that reading whole items costs visibly more than a projection."""

import itertools
from typing import Any

from bench.in_process import InProcessLambda
from resolvers.definitions.fields import CREATE_ORDER
from resolvers.domain.order import ORDER_ATTRIBUTES
from resolvers.domain.states import Estado

DESCRIPCION_CHARS = 1_500
FECHA_ENTREGA = "2099-12-31"
# Every Order attribute, as a client asking for the whole order selects them.
WHOLE_ORDER = sorted(ORDER_ATTRIBUTES)
# What a list screen typically needs.
TWO_ATTRIBUTES = ["id", "estado"]
# The state the read benchmarks list: new orders enter it, so every read benchmark runs
# before the write benchmarks add to it (moto's Query cost grows with what it holds).
LISTED_STATE = Estado.recibida
# Enough for a page of 100 that has a next page.
LISTED_ORDERS = 120


def page_selection(attributes: list[str]) -> list[str]:
    """The selectionSetList of an OrderConnection whose items select `attributes`."""
    return ["items", *(f"items/{name}" for name in attributes), "nextToken"]


_WORDS = ("revisar", "cambiar", "ajustar", "limpiar", "filtro", "motor", "bomba", "valvula")


def descripcion(number: int) -> str:
    """A distinct description of exactly DESCRIPCION_CHARS characters."""
    words = itertools.cycle(_WORDS)
    text = f"orden {number}:"
    while len(text) < DESCRIPCION_CHARS:
        text += " " + next(words)
    return text[:DESCRIPCION_CHARS]


def create_input(number: int, client_token: str | None = None) -> dict[str, Any]:
    order_input: dict[str, Any] = {
        "descripcion": descripcion(number),
        "fecha_entrega": FECHA_ENTREGA,
    }
    if client_token is not None:
        order_input["clientToken"] = client_token
    return {"input": order_input}


def create_orders(orders_lambda: InProcessLambda, count: int) -> list[str]:
    """`count` new orders (in `recibida`); their ids."""
    return [orders_lambda.call(CREATE_ORDER, create_input(n), ["id"])["id"] for n in range(count)]
