"""Races, retries and injected AWS faults: nothing lost, nothing doubled."""

import json
from typing import Any

import pytest
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse

from api.emulator.lambda_context import LambdaContext
from harness.appsync_events import appsync_event
from resolvers.adapters.aws_clients import TOTAL_ATTEMPTS, WORST_CASE_COMPENSATED_SECONDS
from resolvers.domain.states import Estado
from resolvers.handler import InternalError
from tests.integration.conftest import Aws, Invoke, Wiring

TOKEN_INPUT = {"descripcion": "Reparar bomba", "fecha_entrega": "2099-05-05", "clientToken": "c-1"}


def idempotency_records(aws: Aws) -> list[dict[str, Any]]:
    return list(aws.dynamodb.scan(TableName=aws.names.idempotency_table)["Items"])


def test_two_updates_racing_on_the_same_version_exactly_one_wins(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given: an order, and a second update that runs between the first one's read and write
    order_id = invoke("create_order")["id"]
    aws.messages(Estado.recibida)
    results: dict[str, Any] = {}

    def interleave(params: dict[str, Any], **_: Any) -> None:
        if "cancel" not in results:
            results["cancel"] = None  # only once: the nested call's write passes through
            results["cancel"] = invoke(
                "update_order_state",
                {"id": order_id, "estado": "cancelada", "motivo": "duplicado"},
            )

    client = wiring.dynamodb
    client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", interleave)
    # when
    results["start"] = invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    # then: the one that wrote first wins, the other is told what it can no longer do
    assert results["cancel"]["estado"] == "cancelada"
    assert results["start"]["error"]["type"] == "InvalidTransition"
    assert invoke("get_order", {"id": order_id}, ["estado", "version"]) == {
        "estado": "cancelada",
        "version": 2,
    }
    assert len(aws.messages(Estado.cancelada)) == 1
    assert aws.messages(Estado.enproceso) == []


def test_a_lost_race_that_is_still_legal_is_a_conflict(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    order_id = invoke("create_order")["id"]
    results: dict[str, Any] = {}

    def interleave(params: dict[str, Any], **_: Any) -> None:
        if "start" not in results:
            results["start"] = None
            results["start"] = invoke("update_order_state", {"id": order_id, "estado": "enproceso"})

    client = wiring.dynamodb
    client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", interleave)
    cancel = invoke(
        "update_order_state", {"id": order_id, "estado": "cancelada", "motivo": "duplicado"}
    )
    assert results["start"]["version"] == 2
    assert cancel["error"]["type"] == "ConflictError"
    assert invoke("get_order", {"id": order_id}, ["estado"]) == {"estado": "enproceso"}


def test_same_token_same_input_is_one_order_one_message(invoke: Invoke, aws: Aws) -> None:
    first = invoke("create_order", {"input": TOKEN_INPUT})
    again = invoke("create_order", {"input": TOKEN_INPUT})
    assert again == first
    assert len(aws.stored_orders()) == 1
    assert len(aws.messages(Estado.recibida)) == 1


def test_same_token_other_input_is_a_conflict(invoke: Invoke, aws: Aws) -> None:
    invoke("create_order", {"input": TOKEN_INPUT})
    other = invoke("create_order", {"input": {**TOKEN_INPUT, "descripcion": "otra cosa"}})
    assert other["error"]["type"] == "ConflictError"
    assert len(aws.stored_orders()) == 1


def test_publish_failure_after_the_write_changes_nothing_and_a_retry_converges(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given: the recibida queue fails on every attempt
    wiring.fail("SendMessage", "InternalError", status=500)
    # when
    with pytest.raises(InternalError):
        invoke("create_order", {"input": TOKEN_INPUT})
    # then: retried by botocore (TOTAL_ATTEMPTS in all), then compensated: no order, no message,
    # no token record
    assert wiring.attempts["SendMessage"] == TOTAL_ATTEMPTS
    assert aws.stored_orders() == []
    assert aws.messages(Estado.recibida) == []
    assert idempotency_records(aws) == []
    # and the client's retry with the same clientToken finishes the job once
    wiring.heal("SendMessage")
    created = invoke("create_order", {"input": TOKEN_INPUT})
    assert invoke("create_order", {"input": TOKEN_INPUT}) == created
    assert [o["id"]["S"] for o in aws.stored_orders()] == [created["id"]]
    (message,) = aws.messages(Estado.recibida)
    assert message["Attributes"]["MessageDeduplicationId"] == f"{created['id']}:recibida:1"


def test_a_retry_after_a_crash_between_write_and_publish_converges(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given: publishing and the compensating delete (every attempt) both fail, as if the
    # invocation had died between write and publish: the order stays without its message
    wiring.fail("SendMessage", "InternalError", status=500)
    wiring.fail("DeleteItem", "InternalServerError", status=500, times=TOTAL_ATTEMPTS)
    with pytest.raises(InternalError):
        invoke("create_order", {"input": TOKEN_INPUT})
    assert len(aws.stored_orders()) == 1
    assert aws.messages(Estado.recibida) == []
    # when: AWS recovers and the client retries
    wiring.heal("SendMessage")
    wiring.heal("DeleteItem")
    created = invoke("create_order", {"input": TOKEN_INPUT})
    # then: the same single order, now with its one message
    assert [o["id"]["S"] for o in aws.stored_orders()] == [created["id"]]
    assert len(aws.messages(Estado.recibida)) == 1


def test_a_transition_whose_publish_fails_is_undone(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    order_id = invoke("create_order")["id"]
    wiring.fail("SendMessage", "InternalError", status=500)
    with pytest.raises(InternalError):
        invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    wiring.heal("SendMessage")
    assert invoke("get_order", {"id": order_id}, ["estado", "version", "fecha_actualizacion"]) == {
        "estado": "recibida",
        "version": 1,
    }
    retried = invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    assert retried["version"] == 2
    assert len(aws.messages(Estado.enproceso)) == 1


@pytest.mark.parametrize("operation", ["PutItem", "UpdateItem"])
def test_a_throttled_table_loses_nothing_and_reports_an_error(
    invoke: Invoke, aws: Aws, wiring: Wiring, operation: str
) -> None:
    # given
    order_id = invoke("create_order")["id"]
    aws.messages(Estado.recibida)
    before = aws.stored_orders()
    wiring.fail(operation, "ProvisionedThroughputExceededException")
    # when
    event = (
        appsync_event("create_order")
        if operation == "PutItem"
        else appsync_event("update_order_state", {"id": order_id, "estado": "enproceso"})
    )
    with pytest.raises(InternalError) as raised:
        wiring.handler(event, LambdaContext())
    # then: retried in standard mode, nothing half-done, no internals in the error
    assert wiring.attempts[operation] == TOTAL_ATTEMPTS
    assert "Throughput" not in str(raised.value)
    assert aws.stored_orders() == before
    assert all(aws.messages(e) == [] for e in Estado)


def test_a_throttled_first_attempt_is_absorbed_by_the_retries(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    wiring.fail("PutItem", "ProvisionedThroughputExceededException", times=1)
    created = invoke("create_order")
    assert created["estado"] == "recibida"
    assert len(aws.messages(Estado.recibida)) == 1


def lose_the_first_answer(aws: Aws, wiring: Wiring, operation: str) -> list[str]:
    """The first `operation` on the orders table lands, but its answer is lost (a 500 after
    the write), so botocore retries it and the retry's condition finds the write done."""
    lost: list[str] = []

    def land_then_fail(request: Any, **_: Any) -> Any:
        if lost:
            return None
        lost.append(operation)
        getattr(aws.dynamodb, xform_name(operation))(**json.loads(request.body))
        request.url = "https://injected-fault.invalid/"
        body = json.dumps({"__type": "InternalServerError", "message": "answer lost"}).encode()
        headers: Any = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 500, headers, MockRawResponse(body))

    client = wiring.dynamodb
    client.meta.events.register_first(f"before-send.dynamodb.{operation}", land_then_fail)
    return lost


def test_a_transition_whose_answer_was_lost_is_not_misreported(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given
    order_id = invoke("create_order")["id"]
    aws.messages(Estado.recibida)
    lost = lose_the_first_answer(aws, wiring, "UpdateItem")
    # when
    result = invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    # then: the client sees its change, and the state it entered has its message
    assert lost == ["UpdateItem"]
    assert result["estado"] == "enproceso"
    assert result["version"] == 2
    (message,) = aws.messages(Estado.enproceso)
    assert message["Attributes"]["MessageDeduplicationId"] == f"{order_id}:enproceso:2"


def test_a_creation_whose_answer_was_lost_is_undone_when_publishing_fails(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given: the order's PutItem lands with its answer lost, and the queue is down
    lost = lose_the_first_answer(aws, wiring, "PutItem")
    wiring.fail("SendMessage", "InternalError", status=500)
    # when
    with pytest.raises(InternalError):
        invoke("create_order")
    # then: the order this call wrote is undone, as any other failed publish
    assert lost == ["PutItem"]
    assert aws.stored_orders() == []


def test_same_token_while_the_first_call_runs_is_a_conflict_that_expires_with_it(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given: a second createOrder with the same token arrives while the first one writes
    seen: dict[str, Any] = {}

    def second_call(params: dict[str, Any], **_: Any) -> None:
        if "retry" not in seen and params.get("TableName") == aws.names.orders_table:
            seen["retry"] = None
            seen["retry"] = invoke("create_order", {"input": TOKEN_INPUT})
            (seen["record"],) = idempotency_records(aws)

    client = wiring.dynamodb
    client.meta.events.register("before-parameter-build.dynamodb.PutItem", second_call)
    # when
    first = invoke("create_order", {"input": TOKEN_INPUT})
    # then: the second is told to retry, the first finishes once
    assert seen["retry"]["error"]["type"] == "ConflictError"
    assert "still running" in seen["retry"]["error"]["message"]
    assert first["estado"] == "recibida"
    assert len(aws.messages(Estado.recibida)) == 1
    # and the in-progress record ends with the invocation (the Lambda context is
    # registered), so a retry after a timeout is not refused for the record's 24 hours
    assert seen["record"]["status"]["S"] == "INPROGRESS"
    assert "in_progress_expiration" in seen["record"]


class NearlyTimedOut(LambdaContext):
    """A Lambda context with less time left than a write and its undo may need."""

    def get_remaining_time_in_millis(self) -> int:
        return int(WORST_CASE_COMPENSATED_SECONDS * 1000) - 1


@pytest.mark.parametrize("operation", ["create_order", "update_order_state"])
def test_a_write_without_time_to_undo_it_is_not_started(
    invoke: Invoke, aws: Aws, wiring: Wiring, operation: str
) -> None:
    # given an order, and an invocation too close to its timeout to undo a write
    order_id = invoke("create_order")["id"]
    aws.messages(Estado.recibida)
    before = aws.stored_orders()
    arguments = {"id": order_id, "estado": "enproceso"} if operation != "create_order" else None
    # when
    with pytest.raises(InternalError):
        wiring.handler(appsync_event(operation, arguments), NearlyTimedOut())
    # then nothing was written or published, and a call with time to spare goes through
    assert aws.stored_orders() == before
    assert all(aws.messages(e) == [] for e in Estado)
    expected = "recibida" if operation == "create_order" else "enproceso"
    assert invoke(operation, arguments)["estado"] == expected
