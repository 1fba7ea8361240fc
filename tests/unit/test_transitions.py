"""The state machine: the whole transition table, checked over every pair."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.domain.errors import ConflictError, InvalidTransition
from resolvers.domain.order import NewOrder, Order, StateChange, transition
from resolvers.domain.states import TRANSITIONS, Estado, can_transition_to

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
LATER = datetime(2030, 1, 3, 0, 0, 0, tzinfo=UTC)
# docs/contract.md, "States": recibida -> enproceso -> completada; recibida|enproceso -> cancelada.
LEGAL = {
    (Estado.recibida, Estado.enproceso),
    (Estado.enproceso, Estado.completada),
    (Estado.recibida, Estado.cancelada),
    (Estado.enproceso, Estado.cancelada),
}
ESTADOS = st.sampled_from(list(Estado))


def order_in(estado: Estado, version: int = 1) -> Order:
    base = Order.register(NewOrder("Pintar la fachada", date(2030, 2, 1)), order_id="o-1", now=NOW)
    return Order(**{**base.__dict__, "estado": estado, "version": version})


def change_to(target: Estado, expected_version: int | None = None) -> StateChange:
    motivo = "cliente desiste" if target is Estado.cancelada else None
    return StateChange(target, motivo, expected_version)


def test_the_table_is_exactly_the_designed_one() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == LEGAL
    assert {e for e in Estado if not TRANSITIONS[e]} == {Estado.completada, Estado.cancelada}


@given(current=ESTADOS, target=ESTADOS, version=st.integers(min_value=1, max_value=10**6))
def test_transition_follows_the_table(current: Estado, target: Estado, version: int) -> None:
    order = order_in(current, version)
    if (current, target) in LEGAL:
        moved = transition(order, change_to(target), now=LATER)
        assert moved.estado is target
        assert moved.version == version + 1
        assert moved.fecha_actualizacion == "2030-01-03T00:00:00.000000Z"
        assert (moved.id, moved.fecha_registro, moved.descripcion) == (
            order.id,
            order.fecha_registro,
            order.descripcion,
        )
        assert moved.motivo_cancelacion == (
            "cliente desiste" if target is Estado.cancelada else None
        )
    else:
        assert not can_transition_to(current, target)
        with pytest.raises(InvalidTransition, match=current.value):
            transition(order, change_to(target), now=LATER)


@given(current=ESTADOS, target=ESTADOS, stored=st.integers(1, 50), expected=st.integers(1, 50))
def test_stale_expected_version_is_a_conflict_unless_the_move_is_illegal(
    current: Estado, target: Estado, stored: int, expected: int
) -> None:
    order = order_in(current, stored)
    change = change_to(target, expected)
    if (current, target) not in LEGAL:
        # Precedence: InvalidTransition before ConflictError.
        with pytest.raises(InvalidTransition):
            transition(order, change, now=LATER)
    elif stored != expected:
        with pytest.raises(ConflictError, match=str(stored)):
            transition(order, change, now=LATER)
    else:
        assert transition(order, change, now=LATER).version == stored + 1


def test_a_new_order_is_recibida_version_1_never_updated() -> None:
    order = Order.register(NewOrder("x", date(2030, 1, 5)), order_id="o-9", now=NOW)
    assert order.as_dict() == {
        "id": "o-9",
        "descripcion": "x",
        "fecha_entrega": "2030-01-05",
        "estado": "recibida",
        "fecha_registro": "2030-01-02T03:04:05.000000Z",
        "timestamp": int(NOW.timestamp()),
        "fecha_actualizacion": None,
        "motivo_cancelacion": None,
        "version": 1,
    }


def test_ids_from_the_same_client_token_are_equal_and_differ_between_tokens() -> None:
    first = NewOrder("x", date(2030, 1, 5), client_token="tok-1")
    assert first.order_id() == NewOrder("y", date(2030, 1, 6), client_token="tok-1").order_id()
    assert first.order_id() != NewOrder("x", date(2030, 1, 5), client_token="tok-2").order_id()
    assert NewOrder("x", date(2030, 1, 5)).order_id() != NewOrder("x", date(2030, 1, 5)).order_id()
