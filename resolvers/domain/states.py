"""The four states of a work order and the one rule that moves between them."""

from enum import StrEnum


class Estado(StrEnum):
    """A work order's state. Values are the wire names (GraphQL enum, DynamoDB, queues)."""

    recibida = "recibida"
    enproceso = "enproceso"
    completada = "completada"
    cancelada = "cancelada"


INITIAL_STATE = Estado.recibida

TRANSITIONS: dict[Estado, frozenset[Estado]] = {
    Estado.recibida: frozenset({Estado.enproceso, Estado.cancelada}),
    Estado.enproceso: frozenset({Estado.completada, Estado.cancelada}),
    Estado.completada: frozenset(),
    Estado.cancelada: frozenset(),
}


def can_transition_to(current: Estado, target: Estado) -> bool:
    """True when an order in `current` may move to `target`."""
    return target in TRANSITIONS[current]


def sources_of(target: Estado) -> frozenset[Estado]:
    """The states an order may enter `target` from (none for the initial state)."""
    return frozenset(current for current, targets in TRANSITIONS.items() if target in targets)
