"""The work order and the one way it changes state."""

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from resolvers.domain.calendar import epoch_seconds, format_instant
from resolvers.domain.errors import ConflictError, InvalidTransition, ValidationError
from resolvers.domain.states import INITIAL_STATE, Estado, can_transition_to

# Stable namespace for ids derived from a clientToken: a retried createOrder gets the same
# id, so it lands on the same item and the same queue deduplication id.
CLIENT_TOKEN_NAMESPACE = uuid.UUID("5f0c2a8e-8d0b-4c55-9b43-6f1e2d7c9a10")

# The stored attribute behind Order.unpublished_since (the sparse index's sort key).
UNPUBLISHED_SINCE = "unpublished_since"

ORDER_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "id",
        "descripcion",
        "fecha_entrega",
        "estado",
        "fecha_registro",
        "timestamp",
        "fecha_actualizacion",
        "motivo_cancelacion",
        "version",
    }
)


def ensure_deliverable(fecha_entrega: date, *, today: date) -> None:
    """An order is never registered after its delivery date; `today` is in UTC."""
    if fecha_entrega < today:
        raise ValidationError(
            f"fecha_entrega {fecha_entrega.isoformat()} is before today ({today.isoformat()} UTC)"
        )


@dataclass(frozen=True)
class NewOrder:
    """A validated createOrder input."""

    descripcion: str
    fecha_entrega: date
    client_token: str | None = None

    def order_id(self) -> str:
        if self.client_token is None:
            return str(uuid.uuid4())
        return str(uuid.uuid5(CLIENT_TOKEN_NAMESPACE, self.client_token))


@dataclass(frozen=True)
class StateChange:
    """A validated updateOrderState request."""

    estado: Estado
    motivo: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class Order:
    id: str
    descripcion: str
    fecha_entrega: str
    estado: Estado
    fecha_registro: str
    timestamp: int
    version: int
    fecha_actualizacion: str | None = None
    motivo_cancelacion: str | None = None
    # When the order entered its state, while that state's message may not be sent yet
    # (set with the write, cleared after the publish); None once published. Bookkeeping of
    # the store, not part of the order: it is left out of comparisons and of as_dict.
    unpublished_since: str | None = field(default=None, compare=False, repr=False)

    @property
    def entered_state_at(self) -> str:
        """When the order entered its current state (fixed-width UTC)."""
        return self.fecha_actualizacion or self.fecha_registro

    def is_same_write(self, other: "Order") -> bool:
        """True when both are the same state entry: same state, version and instant. A
        write that was applied in part (or whose answer was lost) is recognised by it."""
        return (self.id, self.estado, self.version, self.entered_state_at) == (
            other.id,
            other.estado,
            other.version,
            other.entered_state_at,
        )

    @classmethod
    def register(cls, new: NewOrder, *, order_id: str, now: datetime) -> "Order":
        # Input validation checked fecha_entrega against the date it read; registration
        # reads the clock again, and midnight UTC may have passed in between.
        ensure_deliverable(new.fecha_entrega, today=now.astimezone(UTC).date())
        return cls(
            id=order_id,
            descripcion=new.descripcion,
            fecha_entrega=new.fecha_entrega.isoformat(),
            estado=INITIAL_STATE,
            fecha_registro=format_instant(now),
            timestamp=epoch_seconds(now),
            version=1,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Order":
        return cls(
            id=str(data["id"]),
            descripcion=str(data["descripcion"]),
            fecha_entrega=str(data["fecha_entrega"]),
            estado=Estado(data["estado"]),
            fecha_registro=str(data["fecha_registro"]),
            timestamp=int(data["timestamp"]),
            version=int(data["version"]),
            fecha_actualizacion=data.get("fecha_actualizacion"),
            motivo_cancelacion=data.get("motivo_cancelacion"),
            unpublished_since=data.get(UNPUBLISHED_SINCE),
        )

    def as_dict(self) -> dict[str, Any]:
        """Every Order attribute of the GraphQL type (absent ones as None)."""
        return {
            "id": self.id,
            "descripcion": self.descripcion,
            "fecha_entrega": self.fecha_entrega,
            "estado": self.estado.value,
            "fecha_registro": self.fecha_registro,
            "timestamp": self.timestamp,
            "fecha_actualizacion": self.fecha_actualizacion,
            "motivo_cancelacion": self.motivo_cancelacion,
            "version": self.version,
        }


def transition(order: Order, change: StateChange, *, now: datetime) -> Order:
    """The order after `change`, or the error the client should see.

    InvalidTransition is checked before a stale expectedVersion (ConflictError): when both
    apply, the precedence of docs/contract.md ("Errors") reports the transition."""
    if not can_transition_to(order.estado, change.estado):
        raise InvalidTransition(
            f"order {order.id} is {order.estado.value} and cannot move to {change.estado.value}"
        )
    if change.expected_version is not None and change.expected_version != order.version:
        raise ConflictError(
            f"order {order.id} is at version {order.version}, not {change.expected_version}; "
            "read it again and retry"
        )
    return replace(
        order,
        estado=change.estado,
        version=order.version + 1,
        fecha_actualizacion=format_instant(now),
        motivo_cancelacion=change.motivo if change.estado is Estado.cancelada else None,
        unpublished_since=None,
    )
