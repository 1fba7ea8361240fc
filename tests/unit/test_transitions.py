"""The state machine: the whole transition table, checked over every pair."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.domain.errors import ConflictError, InvalidTransition
from resolvers.domain.order import UNKNOWN_CALLER, NewOrder, Order, StateChange, transition
from resolvers.domain.states import TRANSITIONS, Estado, can_transition_to

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
LATER = datetime(2030, 1, 3, 0, 0, 0, tzinfo=UTC)
# DESIGN.md: recibida -> enproceso -> completada; recibida|enproceso -> cancelada.
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
    new = NewOrder("x", date(2030, 1, 5), por="ana@example.com")
    order = Order.register(new, order_id="o-9", now=NOW)
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
        "creado_por": "ana@example.com",
        "historial": [
            {
                "estado": "recibida",
                "fecha": "2030-01-02T03:04:05.000000Z",
                "por": "ana@example.com",
                "motivo": None,
                "version": 1,
            }
        ],
    }


def test_each_transition_appends_who_entered_which_state_when_and_why() -> None:
    # given an order created by one caller
    order = Order.register(NewOrder("x", date(2030, 1, 5)), order_id="o-9", now=NOW)
    # when two others move it on
    started = transition(order, StateChange(Estado.enproceso, por="luis@example.com"), now=LATER)
    cancelled = transition(
        started, StateChange(Estado.cancelada, "sin repuesto", por="ana@example.com"), now=LATER
    )
    # then: one entry per state entered, oldest first, the last one the current state
    assert cancelled.creado_por == "api-key"
    assert [(c.estado, c.por, c.motivo, c.version) for c in cancelled.historial] == [
        (Estado.recibida, "api-key", None, 1),
        (Estado.enproceso, "luis@example.com", None, 2),
        (Estado.cancelada, "ana@example.com", "sin repuesto", 3),
    ]
    assert cancelled.historial[-1].fecha == cancelled.fecha_actualizacion
    assert cancelled.historial[0].fecha == cancelled.fecha_registro
    # and a refused transition records nothing
    with pytest.raises(InvalidTransition):
        transition(cancelled, StateChange(Estado.enproceso), now=LATER)


def test_stored_entries_carry_no_version_and_read_back_counted_from_the_order() -> None:
    order = Order.register(NewOrder("x", date(2030, 1, 5)), order_id="o-9", now=NOW)
    started = transition(order, StateChange(Estado.enproceso, por="luis"), now=LATER)
    stored = {**started.as_dict(), "historial": [c.as_entry() for c in started.historial]}
    assert all("version" not in entry for entry in stored["historial"])
    assert Order.from_dict(stored) == started
    assert Order.from_dict(started.as_dict()) == started


def test_an_order_stored_before_who_did_what_was_kept_still_reads() -> None:
    order = Order.register(NewOrder("x", date(2030, 1, 5)), order_id="o-9", now=NOW)
    legacy = {k: v for k, v in order.as_dict().items() if k not in ("creado_por", "historial")}
    read = Order.from_dict(legacy)
    assert (read.creado_por, read.historial) == (UNKNOWN_CALLER, ())


def test_ids_from_the_same_client_token_are_equal_and_differ_between_tokens() -> None:
    first = NewOrder("x", date(2030, 1, 5), client_token="tok-1")
    assert first.order_id() == NewOrder("y", date(2030, 1, 6), client_token="tok-1").order_id()
    assert first.order_id() != NewOrder("x", date(2030, 1, 5), client_token="tok-2").order_id()
    assert NewOrder("x", date(2030, 1, 5)).order_id() != NewOrder("x", date(2030, 1, 5)).order_id()
