"""The use cases against in-memory fakes: what is stored, what is published, what is undone."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from harness.clocks import START, SteppingClock
from resolvers.domain.errors import ConflictError, InvalidTransition, NotFound, ValidationError
from resolvers.domain.order import NewOrder, Order, StateChange
from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.domain.states import Estado
from resolvers.service.orders import NoTimeToUndo, OrderNotPublished
from resolvers.service.ports import OrderAlreadyStored, StaleOrder
from tests.unit.fakes import (
    FakeDeadline,
    FakeIdempotentCreation,
    FakePublisher,
    FakeRepository,
    order_service,
)

NEW = NewOrder("Revisar ascensor", date(2030, 3, 1))


def test_create_stores_one_order_and_publishes_it_in_recibida() -> None:
    # given
    repository, publisher = FakeRepository(), FakePublisher()
    service = order_service(repository, publisher)
    # when
    created = service.create_order(NEW)
    # then
    stored = repository.orders[created["id"]]
    assert stored.as_dict() == created
    assert publisher.published == [stored]
    assert created["estado"] == "recibida"
    assert created["version"] == 1


def test_create_whose_publish_fails_leaves_nothing_stored() -> None:
    repository, publisher = FakeRepository(), FakePublisher()
    publisher.failing = True
    with pytest.raises(OrderNotPublished):
        order_service(repository, publisher).create_order(NEW)
    assert repository.orders == {}


def test_same_client_token_and_input_returns_the_same_order_once() -> None:
    repository, publisher = FakeRepository(), FakePublisher()
    service = order_service(repository, publisher, FakeIdempotentCreation())
    new = replace(NEW, client_token="tok")
    first = service.create_order(new)
    assert service.create_order(new) == first
    assert len(repository.orders) == 1
    assert len(publisher.published) == 1
    with pytest.raises(ConflictError):
        service.create_order(replace(new, descripcion="otra cosa"))


def test_a_retry_after_a_crash_before_publishing_converges_on_the_stored_order() -> None:
    # given: the first attempt stored the order and died before publishing (no idempotency record)
    repository, publisher = FakeRepository(), FakePublisher()
    new = replace(NEW, client_token="tok")
    crashed = order_service(repository, FakePublisher(), clock=SteppingClock())
    crashed.publisher.failing = True  # type: ignore[attr-defined]
    stored = Order.register(new, order_id=new.order_id(), now=crashed.clock())
    repository.add(stored)
    # when (a retry that computes the same order: its clock reads what the first one read)
    again = order_service(repository, publisher, clock=SteppingClock()).create_order(new)
    # then: same order, its first message sent now, nothing doubled
    assert again == stored.as_dict()
    assert publisher.published == [stored]
    assert len(repository.orders) == 1


def test_a_client_token_colliding_with_another_input_is_a_conflict() -> None:
    repository = FakeRepository()
    new = replace(NEW, client_token="tok")
    repository.add(
        Order.register(
            replace(new, descripcion="otra"), order_id=new.order_id(), now=order_service().clock()
        )
    )
    with pytest.raises(ConflictError):
        order_service(repository).create_order(new)


def test_update_moves_the_order_and_publishes_the_new_state() -> None:
    repository, publisher = FakeRepository(), FakePublisher()
    service = order_service(repository, publisher)
    order_id = service.create_order(NEW)["id"]
    updated = service.update_order_state(order_id, StateChange(Estado.enproceso))
    assert updated["estado"] == "enproceso"
    assert updated["version"] == 2
    assert [(o.estado, o.version) for o in publisher.published] == [
        (Estado.recibida, 1),
        (Estado.enproceso, 2),
    ]


def test_update_whose_publish_fails_is_undone() -> None:
    repository, publisher = FakeRepository(), FakePublisher()
    service = order_service(repository, publisher)
    order_id = service.create_order(NEW)["id"]
    before = repository.orders[order_id]
    publisher.failing = True
    with pytest.raises(OrderNotPublished):
        service.update_order_state(order_id, StateChange(Estado.cancelada, "sin stock"))
    assert repository.orders[order_id] == before


def test_update_of_an_unknown_order_is_not_found() -> None:
    with pytest.raises(NotFound):
        order_service().update_order_state("nope", StateChange(Estado.enproceso))


def test_a_lost_race_is_reported_as_the_late_request_would_see_it() -> None:
    # given: another request moves the order between our read and our write
    repository, publisher = FakeRepository(), FakePublisher()
    service = order_service(repository, publisher)
    order_id = service.create_order(NEW)["id"]

    def concurrent_enproceso() -> None:
        repository.before_conditional_write = None
        service.update_order_state(order_id, StateChange(Estado.enproceso))

    repository.before_conditional_write = concurrent_enproceso
    # when / then: cancelling from enproceso is legal, so the loser sees a conflict
    with pytest.raises(ConflictError, match="concurrently"):
        service.update_order_state(order_id, StateChange(Estado.cancelada, "ya no"))
    assert repository.orders[order_id].estado is Estado.enproceso
    # and a second enproceso racing the same way sees the transition it can no longer make
    repository.before_conditional_write = lambda: repository.orders.update(
        {order_id: replace(repository.orders[order_id], estado=Estado.completada, version=3)}
    )
    with pytest.raises(InvalidTransition):
        service.update_order_state(order_id, StateChange(Estado.cancelada, "ya no"))


def test_orders_by_state_pages_without_gaps_or_duplicates() -> None:
    service = order_service()
    created = [service.create_order(NEW)["id"] for _ in range(7)]
    query = StateQuery(Estado.recibida, SortDirection.DESC)
    seen: list[str] = []
    token = None
    while True:
        page = service.orders_by_state(query, limit=3, next_token=token, attributes=None)
        seen.extend(item["id"] for item in page["items"])
        token = page["nextToken"]
        if token is None:
            break
    assert seen == list(reversed(created))


def test_a_retried_transition_whose_first_attempt_landed_is_published() -> None:
    # given: the conditional write lands, its answer is lost, and botocore's retry finds the
    # order already in the new state (ConditionalCheckFailed with our own write as the item)
    repository, publisher = FakeRepository(), FakePublisher()
    service = order_service(repository, publisher)
    order_id = service.create_order(NEW)["id"]
    landed: list[Order] = []
    real_enter = repository.enter_state

    def enter_then_lose_the_answer(order_id: str, change: StateChange, *, now: datetime) -> Order:
        real_enter(order_id, change, now=now)
        landed.append(repository.orders[order_id])
        raise StaleOrder(landed[0])

    repository.enter_state = enter_then_lose_the_answer  # type: ignore[method-assign]
    # when
    updated = service.update_order_state(order_id, StateChange(Estado.enproceso))
    # then: the client is told what happened, and the new state has its message
    assert updated == landed[0].as_dict()
    assert [(o.estado, o.version) for o in publisher.published][-1] == (Estado.enproceso, 2)


def test_a_retry_after_the_token_record_expired_never_deletes_the_stored_order() -> None:
    # given: an order created long ago with a clientToken, still recibida, whose message
    # was lost with its invocation (it is still marked unpublished)
    repository = FakeRepository()
    new = replace(NEW, client_token="tok")
    first = order_service(repository).create_order(new)
    stored = repository.orders[first["id"]]
    repository.orders[first["id"]] = replace(stored, unpublished_since=stored.fecha_registro)
    # when: the same call is replayed after its idempotency record expired, and the
    # re-publish fails
    publisher = FakePublisher()
    publisher.failing = True
    # (a new FakeIdempotentCreation: the first call's record has expired)
    replay = order_service(
        repository,
        publisher,
        idempotent_creation=FakeIdempotentCreation(),
        clock=SteppingClock(START + timedelta(days=2)),
    )
    with pytest.raises(OrderNotPublished):
        replay.create_order(new)
    # then: this call wrote nothing, so it undoes nothing
    assert repository.orders[first["id"]].as_dict() == first


def test_a_replay_of_a_published_creation_sends_nothing_again() -> None:
    # given an order created and published long ago with a clientToken
    repository, publisher = FakeRepository(), FakePublisher()
    new = replace(NEW, client_token="tok")
    first = order_service(
        repository, publisher, idempotent_creation=FakeIdempotentCreation()
    ).create_order(new)
    # when the call is replayed after its idempotency record expired (a new FakeIdempotentCreation)
    replay = order_service(
        repository,
        publisher,
        idempotent_creation=FakeIdempotentCreation(),
        clock=SteppingClock(START + timedelta(days=2)),
    )
    # then it gets the stored order, and its message is not sent a second time
    assert replay.create_order(new) == first
    assert [o.id for o in publisher.published] == [first["id"]]


def test_a_creation_whose_answer_was_lost_is_still_undone_when_publishing_fails() -> None:
    # given: PutItem lands, its answer is lost, and the retry finds the order stored
    repository, publisher = FakeRepository(), FakePublisher()
    publisher.failing = True

    def add_then_lose_the_answer(order: Order) -> None:
        repository.orders[order.id] = replace(order, unpublished_since=order.entered_state_at)
        raise OrderAlreadyStored(order.id)

    repository.add = add_then_lose_the_answer  # type: ignore[method-assign]
    # when / then: this call wrote it, so this call undoes it
    with pytest.raises(OrderNotPublished):
        order_service(repository, publisher).create_order(NEW)
    assert repository.orders == {}


def test_no_write_starts_without_the_time_to_undo_it() -> None:
    # given an invocation with less time left than a write, its publish and its undo need
    repository, publisher = FakeRepository(), FakePublisher()
    deadline = FakeDeadline(seconds=30.0)
    service = order_service(
        repository, publisher, deadline=deadline, seconds_to_write_and_undo=22.5
    )
    created = service.create_order(NEW)
    deadline.seconds = 22.4
    # when / then: neither a creation nor a transition starts, and nothing changes
    with pytest.raises(NoTimeToUndo):
        service.create_order(replace(NEW, descripcion="otra"))
    with pytest.raises(NoTimeToUndo):
        service.update_order_state(created["id"], StateChange(Estado.enproceso))
    assert [o.as_dict() for o in repository.orders.values()] == [created]
    assert len(publisher.published) == 1


def test_an_order_is_never_registered_after_its_delivery_date() -> None:
    # given an input validated on the last microsecond of a day (delivery that same day)
    last_moment = datetime(2030, 2, 28, 23, 59, 59, 999_999, tzinfo=UTC)
    new = NewOrder("Revisar ascensor", last_moment.date())
    repository, publisher = FakeRepository(), FakePublisher()
    # when registration reads the clock after midnight
    service = order_service(repository, publisher, clock=SteppingClock(start=last_moment))
    # then it is refused as the late input it now is, and nothing is stored or published
    with pytest.raises(ValidationError, match="before today"):
        service.create_order(new)
    assert repository.orders == {}
    assert publisher.published == []


@pytest.mark.parametrize(
    ("order_id", "change", "error"),
    [
        ("nope", StateChange(Estado.enproceso), NotFound),
        (None, StateChange(Estado.completada), InvalidTransition),
        (None, StateChange(Estado.enproceso, expected_version=3), ConflictError),
    ],
)
def test_a_refused_transition_is_explained_from_the_refused_write_without_a_read(
    order_id: str | None, change: StateChange, error: type[Exception]
) -> None:
    # given an order, and a store that records every read
    repository, publisher = FakeRepository(), FakePublisher()
    service = order_service(repository, publisher)
    created = service.create_order(NEW)["id"]
    repository.loads.clear()
    repository.writes.clear()
    # when / then: one conditional write, refused and explained; nothing read or sent
    with pytest.raises(error):
        service.update_order_state(order_id or created, change)
    assert repository.writes == [("enter_state", order_id or created)]
    assert repository.loads == []
    assert [o.estado for o in publisher.published] == [Estado.recibida]
