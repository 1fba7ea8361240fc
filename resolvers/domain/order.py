"""The work order and the one way it changes state."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, get_type_hints

from resolvers.domain.calendar import epoch_seconds, format_instant
from resolvers.domain.caller import API_KEY_POR
from resolvers.domain.errors import ConflictError, InvalidTransition, ValidationError
from resolvers.domain.states import INITIAL_STATE, Estado, can_transition_to

# Stable namespace for ids derived from a clientToken: a retried createOrder gets the same
# id, so it lands on the same item and the same queue deduplication id.
CLIENT_TOKEN_NAMESPACE = uuid.UUID("5f0c2a8e-8d0b-4c55-9b43-6f1e2d7c9a10")

# The stored attribute behind Order.unpublished_since (the sparse index's sort key).
UNPUBLISHED_SINCE = "unpublished_since"
# What an order recorded before who-did-what was kept says for `creado_por`.
UNKNOWN_CALLER = "desconocido"


class Wire(StrEnum):
    """What an attribute's value is where its Python type does not say it all: the API maps
    each to AppSync's scalar (api/schema.py), e.g. `instant` to AWSDateTime."""

    id = "id"
    date = "date"  # YYYY-MM-DD
    instant = "instant"  # fixed-width UTC, microseconds (calendar.format_instant)
    epoch_seconds = "epoch_seconds"


def attribute(wire: Wire | None = None, doc: str | None = None) -> dict[str, Any]:
    """The field metadata of an attribute clients see. Its default, if it has one, is what
    a stored item without it reads as (written before the attribute existed, or null)."""
    return {"wire": wire, "doc": doc}


def ensure_deliverable(fecha_entrega: date, *, today: date) -> None:
    """An order is never registered after its delivery date; `today` is in UTC."""
    if fecha_entrega < today:
        raise ValidationError(
            f"fecha_entrega {fecha_entrega.isoformat()} is before today ({today.isoformat()} UTC)"
        )


@dataclass(frozen=True)
class NewOrder:
    """A validated createOrder input; `por` names who asks (docs/access.md)."""

    descripcion: str
    fecha_entrega: date
    client_token: str | None = None
    # A request that names no caller is the API key's (AppSync's identity is null for it).
    por: str = API_KEY_POR

    def order_id(self) -> str:
        if self.client_token is None:
            return str(uuid.uuid4())
        return str(uuid.uuid5(CLIENT_TOKEN_NAMESPACE, self.client_token))


@dataclass(frozen=True)
class StateChange:
    """A validated updateOrderState request; `por` names who asks (docs/access.md)."""

    estado: Estado
    motivo: str | None = None
    expected_version: int | None = None
    # A request that names no caller is the API key's (AppSync's identity is null for it).
    por: str = API_KEY_POR


@dataclass(frozen=True)
class Cambio:
    """One state an order entered: when, by whom, why (a cancellation's motivo), and the
    order's version once it had entered it."""

    estado: Estado = field(metadata=attribute())
    fecha: str = field(metadata=attribute(Wire.instant))
    por: str = field(metadata=attribute())
    motivo: str | None = field(metadata=attribute())
    version: int = field(metadata=attribute())

    def as_dict(self) -> dict[str, Any]:
        return {
            "estado": self.estado.value,
            "fecha": self.fecha,
            "por": self.por,
            "motivo": self.motivo,
            "version": self.version,
        }

    def as_entry(self) -> dict[str, Any]:
        """As stored in the order's list: without its version, which is the order's version
        counted back from the last entry (so that one write can append an entry without
        knowing the version it will have)."""
        entry = {"estado": self.estado.value, "fecha": self.fecha, "por": self.por}
        if self.motivo is not None:
            entry["motivo"] = self.motivo
        return entry


def historial_from(entries: Sequence[Mapping[str, Any]], *, version: int) -> tuple[Cambio, ...]:
    """The history of an order at `version` from its stored entries, oldest first: the last
    entry is the state it is in (at `version`), each earlier one a version before."""
    last = len(entries) - 1
    return tuple(
        Cambio(
            estado=Estado(entry["estado"]),
            fecha=str(entry["fecha"]),
            por=str(entry["por"]),
            motivo=entry.get("motivo"),
            version=version - (last - position),
        )
        for position, entry in enumerate(entries)
    )


@dataclass(frozen=True)
class Order:
    """A work order. Its fields are the one definition of the order's attributes: the
    GraphQL type (api/schema.py), the stored item (adapters/orders_table.py), projections
    and `as_dict`/`from_dict` all follow them (a test adds a field and checks)."""

    id: str = field(metadata=attribute(Wire.id))
    descripcion: str = field(metadata=attribute())
    fecha_entrega: str = field(metadata=attribute(Wire.date))
    estado: Estado = field(metadata=attribute())
    fecha_registro: str = field(metadata=attribute(Wire.instant, "Arrival, UTC, microseconds"))
    timestamp: int = field(metadata=attribute(Wire.epoch_seconds, "Arrival, epoch seconds"))
    version: int = field(metadata=attribute(doc="Optimistic concurrency: +1 per transition"))
    fecha_actualizacion: str | None = field(
        default=None,
        metadata=attribute(Wire.instant, "Last state change; null until the first transition"),
    )
    motivo_cancelacion: str | None = field(default=None, metadata=attribute())
    creado_por: str = field(
        default=UNKNOWN_CALLER,
        metadata=attribute(
            doc="Who created it: a user's email (or username), an IAM ARN, or api-key"
        ),
    )
    historial: tuple[Cambio, ...] = field(
        default=(),
        metadata=attribute(
            doc="One entry per state entered, oldest first; the last is the current state"
        ),
    )
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
        registered = format_instant(now)
        return cls(
            id=order_id,
            descripcion=new.descripcion,
            fecha_entrega=new.fecha_entrega.isoformat(),
            estado=INITIAL_STATE,
            fecha_registro=registered,
            timestamp=epoch_seconds(now),
            version=1,
            creado_por=new.por,
            historial=(Cambio(INITIAL_STATE, registered, new.por, None, 1),),
            fecha_actualizacion=None,
            motivo_cancelacion=None,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Order":
        """An order from a stored item or an `as_dict` (history entries with or without
        their versions); an attribute the item lacks reads as its `absent` value."""
        values: dict[str, Any] = {
            name: _parse(name, data[name]) if data.get(name) is not None else absent
            for name, absent in _ABSENT.items()
            if data.get(name) is not None or absent is not MISSING
        }
        if isinstance(data.get("historial"), Sequence):
            values["historial"] = historial_from(data["historial"], version=values["version"])
        return cls(**values, unpublished_since=data.get(UNPUBLISHED_SINCE))

    def as_dict(self) -> dict[str, Any]:
        """Every Order attribute of the GraphQL type (absent ones as None)."""
        return {name: _plain(getattr(self, name)) for name in _ABSENT}


def _attributes(cls: type) -> dict[str, Any]:
    """Each client-visible attribute of a dataclass and what it reads as when absent
    (MISSING: a stored item always has it)."""
    return {f.name: f.default for f in fields(cls) if "wire" in f.metadata}


_ABSENT = _attributes(Order)
ORDER_ATTRIBUTES: frozenset[str] = frozenset(_ABSENT)
_TYPES = get_type_hints(Order)


def _parse(name: str, value: Any) -> Any:
    kind = _TYPES[name]
    if kind is Estado:
        return Estado(value)
    if kind is int:
        return int(value)
    if kind is str or kind == str | None:
        return str(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Estado):
        return value.value
    if isinstance(value, tuple):
        return [entry.as_dict() for entry in value]
    return value


def transition(order: Order, change: StateChange, *, now: datetime) -> Order:
    """The order after `change`, or the error the client should see.

    InvalidTransition is checked before a stale expectedVersion (ConflictError): when both
    apply, the API's precedence (docs/access.md) reports the transition."""
    if not can_transition_to(order.estado, change.estado):
        raise InvalidTransition(
            f"order {order.id} is {order.estado.value} and cannot move to {change.estado.value}"
        )
    if change.expected_version is not None and change.expected_version != order.version:
        raise ConflictError(
            f"order {order.id} is at version {order.version}, not {change.expected_version}; "
            "read it again and retry"
        )
    return _entered(order, change, format_instant(now), version=order.version + 1)


def _motivo(change: StateChange) -> str | None:
    # Only a cancellation keeps its reason; validation refuses one on any other state.
    return change.motivo if change.estado is Estado.cancelada else None


def _entered(order: Order, change: StateChange, entered: str, *, version: int) -> Order:
    """`order` once `change` entered its state at `entered`, at `version`, by `change.por`."""
    motivo = _motivo(change)
    return replace(
        order,
        estado=change.estado,
        version=version,
        fecha_actualizacion=entered,
        motivo_cancelacion=motivo,
        historial=(*order.historial, Cambio(change.estado, entered, change.por, motivo, version)),
        unpublished_since=None,
    )


def appended_entry(change: StateChange, *, now: datetime) -> dict[str, Any]:
    """The stored history entry (`Cambio.as_entry`) of `change` made at `now`: what a write
    that does not read the order first appends."""
    return Cambio(change.estado, format_instant(now), change.por, _motivo(change), 0).as_entry()


def holds_write_of(stored: Order, change: StateChange, *, now: datetime) -> bool:
    """Whether `stored` is in the state `change` asked for since the instant `now` (when that
    request wrote it): the request's own write, whole or in part."""
    return stored.estado is change.estado and stored.entered_state_at == format_instant(now)


def completed_write(stored: Order, change: StateChange, *, now: datetime) -> Order:
    """`stored`, which holds the write of `change` made at `now` (perhaps in part), as the
    whole write leaves it: at the stored version, with its history entry."""
    entered = format_instant(now)
    history = stored.historial
    if history and (history[-1].estado, history[-1].fecha) == (change.estado, entered):
        history = history[:-1]
    return _entered(replace(stored, historial=history), change, entered, version=stored.version)


def before_last_change(order: Order) -> Order | None:
    """The order as it was before its last transition, from its history; None when the
    history does not reach that far back (an order stored before history was kept)."""
    if len(order.historial) < 2 or order.historial[-1].estado is not order.estado:
        return None
    previous = order.historial[-2]
    return replace(
        order,
        estado=previous.estado,
        version=previous.version,
        # Null until the first transition: the entry of version 1 is the registration.
        fecha_actualizacion=None if previous.version == 1 else previous.fecha,
        motivo_cancelacion=previous.motivo,
        historial=order.historial[:-1],
        unpublished_since=None,
    )
