"""A write that fails halfway is never reported as something else (issue 9, point 2): the
service reads the store again and reports the truth."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from harness.clocks import START, SteppingClock
from resolvers.domain.errors import ConflictError
from resolvers.domain.order import Order, StateChange
from resolvers.domain.states import Estado
from resolvers.service.orders import IN_FLIGHT_SECONDS
from resolvers.service.repair import PublicationRepair
from tests.unit.fakes import FakePublisher, FakeRepository, order_service
from tests.unit.test_order_service import NEW

CANCEL = StateChange(Estado.cancelada, motivo="duplicado")


class StoreFailed(Exception):
    """What botocore raises when the store answers an error (or no answer comes)."""


def created(repository: FakeRepository, publisher: FakePublisher) -> str:
    order_id: str = order_service(repository, publisher).create_order(NEW)["id"]
    publisher.published.clear()
    return order_id


def test_a_transition_applied_in_part_is_completed_and_published() -> None:
    # given: the store applies only estado and version of the cancellation, then fails
    # (the report: a cancelada order, version 2, no motivo, no message)
    repository, publisher = FakeRepository(), FakePublisher()
    order_id = created(repository, publisher)
    real_enter = repository.enter_state

    def half_then_fail(order_id: str, change: StateChange, *, now: datetime) -> Order:
        repository.enter_state = real_enter  # type: ignore[method-assign]
        real_enter(order_id, replace(change, motivo=None), now=now)
        raise StoreFailed("connection reset after the write")

    repository.enter_state = half_then_fail  # type: ignore[method-assign]
    # when
    result = order_service(repository, publisher).update_order_state(order_id, CANCEL)
    # then: the caller is told its cancellation happened, the store holds all of it, and
    # the state it entered has its one message
    assert result["estado"] == "cancelada"
    assert result["motivo_cancelacion"] == "duplicado"
    stored = repository.orders[order_id]
    assert stored.as_dict() == result
    assert stored.unpublished_since is None
    assert [(o.estado, o.version, o.motivo_cancelacion) for o in publisher.published] == [
        (Estado.cancelada, 2, "duplicado")
    ]


def test_a_transition_that_landed_whole_with_its_answer_lost_is_published() -> None:
    repository, publisher = FakeRepository(), FakePublisher()
    order_id = created(repository, publisher)
    real_enter = repository.enter_state

    def land_then_fail(order_id: str, change: StateChange, *, now: datetime) -> Order:
        real_enter(order_id, change, now=now)
        raise StoreFailed("read timeout")

    repository.enter_state = land_then_fail  # type: ignore[method-assign]
    result = order_service(repository, publisher).update_order_state(order_id, CANCEL)
    assert (result["estado"], result["version"]) == ("cancelada", 2)
    assert [o.version for o in publisher.published] == [2]


def test_a_transition_that_did_not_land_reports_the_failure_and_changes_nothing() -> None:
    repository, publisher = FakeRepository(), FakePublisher()
    order_id = created(repository, publisher)
    before = repository.orders[order_id]

    def fail(order_id: str, change: StateChange, *, now: datetime) -> Order:
        raise StoreFailed("throttled")

    repository.enter_state = fail  # type: ignore[method-assign]
    with pytest.raises(StoreFailed):
        order_service(repository, publisher).update_order_state(order_id, CANCEL)
    assert repository.orders[order_id] == before
    assert publisher.published == []


def test_a_failed_call_beside_someone_elses_write_is_reported_as_their_write() -> None:
    # given: our call fails without landing, and meanwhile another request cancelled
    repository, publisher = FakeRepository(), FakePublisher()
    order_id = created(repository, publisher)
    real_enter = repository.enter_state

    def other_wins_then_fail(order_id: str, change: StateChange, *, now: datetime) -> Order:
        # (their write lands while ours is on its way, so after our request's instant)
        other = StateChange(Estado.enproceso, por="otro@example.com")
        real_enter(order_id, other, now=now + timedelta(milliseconds=1))
        raise StoreFailed("throttled")

    repository.enter_state = other_wins_then_fail  # type: ignore[method-assign]
    # when our cancellation is still legal from enproceso: a conflict, not a failure
    with pytest.raises(ConflictError):
        order_service(repository, publisher).update_order_state(order_id, CANCEL)


def test_a_creation_that_landed_with_its_answer_lost_is_published() -> None:
    repository, publisher = FakeRepository(), FakePublisher()
    real_add = repository.add

    def add_then_fail(order: Order) -> None:
        real_add(order)
        raise StoreFailed("read timeout")

    repository.add = add_then_fail  # type: ignore[method-assign]
    result = order_service(repository, publisher).create_order(NEW)
    assert [o.id for o in publisher.published] == [result["id"]]
    assert repository.orders[result["id"]].unpublished_since is None


def test_a_creation_that_did_not_land_reports_the_failure() -> None:
    repository, publisher = FakeRepository(), FakePublisher()

    def fail(order: Order) -> None:
        raise StoreFailed("throttled")

    repository.add = fail  # type: ignore[method-assign]
    with pytest.raises(StoreFailed):
        order_service(repository, publisher).create_order(NEW)
    assert repository.orders == {}
    assert publisher.published == []


def crashed_before_publishing(repository: FakeRepository, publisher: FakePublisher) -> Order:
    """An order as an invocation killed between write and publish leaves it: stored in
    recibida, marked unpublished since its registration, no message."""
    order_id = created(repository, publisher)
    stored = repository.orders[order_id]
    repository.orders[order_id] = replace(stored, unpublished_since=stored.fecha_registro)
    return repository.orders[order_id]


def later(seconds: float) -> SteppingClock:
    return SteppingClock(START + timedelta(seconds=seconds))


def test_leaving_a_state_whose_message_was_lost_publishes_it_first() -> None:
    # given an order whose creator was killed after the write, a while ago
    repository, publisher = FakeRepository(), FakePublisher()
    order = crashed_before_publishing(repository, publisher)
    service = order_service(repository, publisher)
    service.clock = later(IN_FLIGHT_SECONDS + 1)
    # when it moves on
    service.update_order_state(order.id, StateChange(Estado.enproceso))
    # then consumers get both states, in order, and nothing stays marked
    assert [(o.estado, o.version) for o in publisher.published] == [
        (Estado.recibida, 1),
        (Estado.enproceso, 2),
    ]
    assert repository.orders[order.id].unpublished_since is None


def test_leaving_a_state_that_may_still_be_publishing_is_a_conflict() -> None:
    # given an order written a moment ago whose publish has not finished (it may yet be
    # undone, so its message must not be sent by anyone else)
    repository, publisher = FakeRepository(), FakePublisher()
    order = crashed_before_publishing(repository, publisher)
    service = order_service(repository, publisher)
    service.clock = later(1)
    # when / then
    with pytest.raises(ConflictError, match="retry"):
        service.update_order_state(order.id, StateChange(Estado.enproceso))
    assert repository.orders[order.id] == order
    assert publisher.published == []


def test_a_failed_unmark_does_not_fail_a_published_write() -> None:
    repository, publisher = FakeRepository(), FakePublisher()

    def unmark_fails(order: Order) -> None:
        raise StoreFailed("throttled")

    repository.mark_published = unmark_fails  # type: ignore[method-assign]
    result = order_service(repository, publisher).create_order(NEW)
    # the client is told the truth (created and published); repair may re-send it later,
    # under the same deduplication id
    assert [o.id for o in publisher.published] == [result["id"]]
    assert repository.orders[result["id"]].unpublished_since is not None


@pytest.mark.parametrize("shards", [1, 4])
def test_repair_republishes_exactly_the_orders_left_unpublished(shards: int) -> None:
    # given: two orders whose invocations were killed before publishing (one in recibida,
    # one after a transition), one published normally, one written a moment ago; the
    # state index (and the unpublished index, keyed like it) in `shards` shards
    repository, publisher = FakeRepository(state_shards=shards), FakePublisher()
    lost_creation = crashed_before_publishing(repository, publisher)
    moved = created(repository, publisher)
    order_service(repository, publisher).update_order_state(moved, CANCEL)
    repository.orders[moved] = replace(
        repository.orders[moved], unpublished_since=repository.orders[moved].entered_state_at
    )
    published = created(repository, publisher)
    publisher.published.clear()
    repair = PublicationRepair(repository, publisher, later(IN_FLIGHT_SECONDS + 60))
    in_flight = order_service(repository, FakePublisher())
    in_flight.clock = later(IN_FLIGHT_SECONDS + 59)
    fresh = in_flight.create_order(NEW)["id"]
    stored = repository.orders[fresh]
    repository.orders[fresh] = replace(stored, unpublished_since=stored.fecha_registro)
    # when
    repaired = repair.run()
    # then: the two lost messages, in their current state and version, and nothing else
    assert sorted((o.id, o.estado, o.version) for o in repaired) == sorted(
        [(lost_creation.id, Estado.recibida, 1), (moved, Estado.cancelada, 2)]
    )
    assert sorted((o.id, o.estado, o.version) for o in publisher.published) == sorted(
        (o.id, o.estado, o.version) for o in repaired
    )
    assert repository.orders[published].unpublished_since is None
    assert fresh not in {o.id for o in repaired}
    # and a second run finds nothing left to do
    publisher.published.clear()
    assert repair.run() == []
    assert publisher.published == []
