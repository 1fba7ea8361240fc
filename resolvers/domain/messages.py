"""What a state queue carries: one message per state an order enters, version 1.

The body is an envelope that says what happened (the order entered `estado`, leaving
`desde`, moved by `por` at `at`) and carries the whole order as the GraphQL `Order` type
returns it. Three message attributes repeat the envelope's `schemaVersion`, `type` and
`estado`, so a consumer can route or filter without parsing the body. Everything is derived
from the order itself, so a message republished later (`orders repair`) is the same
message. The JSON Schema of the body is generated from here (resolvers.domain.message_schema)
and committed as order-message.schema.json."""

from dataclasses import dataclass
from typing import Any

from resolvers.domain.order import UNKNOWN_CALLER, Cambio, Order
from resolvers.domain.states import Estado

SCHEMA_VERSION = 1
MESSAGE_TYPE = "OrderEnteredState"

# The envelope's fields in the order they are written; the schema lists the same.
ENVELOPE_FIELDS = ("schemaVersion", "type", "estado", "desde", "por", "at", "order")
# The message attributes (SQS MessageAttributes), each a copy of the envelope field.
ATTRIBUTE_FIELDS = ("schemaVersion", "type", "estado")


@dataclass(frozen=True)
class OrderEnteredState:
    """`order` entered `estado` (its current state), leaving `desde` (None on creation)."""

    order: Order
    desde: Estado | None
    por: str
    at: str

    @classmethod
    def of(cls, order: Order) -> "OrderEnteredState":
        """The message of the state `order` is in now, from its own history."""
        entered, left = _last_two_entries(order)
        return cls(order=order, desde=left, por=entered.por, at=entered.fecha)

    @property
    def estado(self) -> Estado:
        return self.order.estado

    def body(self) -> dict[str, Any]:
        """The envelope, ready for json.dumps."""
        return {
            "schemaVersion": SCHEMA_VERSION,
            "type": MESSAGE_TYPE,
            "estado": self.estado.value,
            "desde": None if self.desde is None else self.desde.value,
            "por": self.por,
            "at": self.at,
            "order": self.order.as_dict(),
        }

    def attributes(self) -> dict[str, int | str]:
        """The routing attributes: name to value (a number or a string)."""
        body = self.body()
        return {name: body[name] for name in ATTRIBUTE_FIELDS}


def _last_two_entries(order: Order) -> tuple[Cambio, Estado | None]:
    """The history entry of the order's current state, and the state it left (None on
    creation). An order stored before orders kept their history has none: its entry is
    made from its fields (`creado_por` says `desconocido` then), and the state it left from
    the state machine, when only one state leads to its own (a cancellation, reachable
    from two, says None)."""
    if order.historial:
        entered = order.historial[-1]
        left = order.historial[-2].estado if len(order.historial) > 1 else None
        return entered, left
    entered = Cambio(
        order.estado,
        order.entered_state_at,
        UNKNOWN_CALLER,
        order.motivo_cancelacion,
        order.version,
    )
    return entered, _ONLY_WAY_IN.get(order.estado)


_ONLY_WAY_IN: dict[Estado, Estado] = {
    Estado.enproceso: Estado.recibida,
    Estado.completada: Estado.enproceso,
}
