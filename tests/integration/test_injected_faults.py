"""Faults injected at each step of createOrder and updateOrderState (issue 9, point 3):
afterwards every order in state S has exactly one message for S, and a retry converges."""

import json
import time
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from moto.core.botocore_stubber import MockRawResponse

from resolvers.adapters.aws_clients import TOTAL_ATTEMPTS
from resolvers.domain.states import Estado
from resolvers.handler import InternalError
from tests.integration.conftest import Aws, Invoke, Wiring

TOKEN_INPUT = {"descripcion": "Sellar junta", "fecha_entrega": "2099-05-05", "clientToken": "t"}


def assert_one_message_per_order_and_state(aws: Aws) -> None:
    """Every stored order has exactly one message in its current state's queue."""
    stored = {o["id"]["S"]: (o["estado"]["S"], o["version"]["N"]) for o in aws.stored_orders()}
    for estado in Estado:
        sent = [m["Attributes"]["MessageDeduplicationId"] for m in aws.messages(estado)]
        expected = [f"{i}:{e}:{v}" for i, (e, v) in stored.items() if e == estado.value]
        assert sorted(set(sent)) == sorted(sent), f"doubled in {estado}: {sent}"
        assert set(expected) <= set(sent), f"missing in {estado}: {expected} vs {sent}"


@pytest.mark.parametrize(
    ("operation", "code"),
    [
        ("SendMessage", "ThrottlingException"),
        ("SendMessage", "RequestThrottled"),
        ("PutItem", "ThrottlingException"),
        ("PutItem", "ProvisionedThroughputExceededException"),
    ],
)
def test_throttling_is_retried_with_backoff_before_the_client_sees_anything(
    invoke: Invoke,
    aws: Aws,
    wiring: Wiring,
    operation: str,
    code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: every attempt but the last is throttled; the waits are recorded, not waited
    wiring.fail(operation, code, times=TOTAL_ATTEMPTS - 1)
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    # when (no clientToken: the idempotency table's PutItem would count too)
    created = invoke("create_order")
    # then: the client sees success, and botocore retried (standard mode backs off)
    assert created["estado"] == "recibida"
    assert wiring.attempts[operation] == TOTAL_ATTEMPTS
    # botocore waits before each retry (exponential backoff with jitter; it may draw 0)
    assert len(waits) == TOTAL_ATTEMPTS - 1
    assert_one_message_per_order_and_state(aws)


def test_the_issues_lone_surrogate_motivo_is_refused_and_changes_nothing(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given (the reported bug: half an update stored, InvalidTransition, no message)
    order_id = invoke("create_order")["id"]
    before = aws.stored_orders()
    calls = len(wiring.calls)
    # when
    result = invoke(
        "update_order_state", {"id": order_id, "estado": "cancelada", "motivo": "x\ud800"}
    )
    # then: a ValidationError, before any call to AWS
    assert result["error"]["type"] == "ValidationError"
    assert "motivo" in result["error"]["message"]
    assert len(wiring.calls) == calls
    assert aws.stored_orders() == before
    assert_one_message_per_order_and_state(aws)


def _timeout(request: Any, **_: Any) -> None:
    raise ReadTimeoutError(endpoint_url=request.url)


def test_a_timeout_between_write_and_publish_is_undone_and_a_retry_converges(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given: SQS never answers in time
    sqs = wiring.application.service.publisher._client  # type: ignore[attr-defined]
    sqs.meta.events.register_first("before-send.sqs.SendMessage", _timeout)
    # when / then: the write is undone and the client told to retry
    with pytest.raises(InternalError):
        invoke("create_order", {"input": TOKEN_INPUT})
    assert aws.stored_orders() == []
    # and once SQS answers, the retry creates it once, with one message
    sqs.meta.events.unregister("before-send.sqs.SendMessage", _timeout)
    created = invoke("create_order", {"input": TOKEN_INPUT})
    assert invoke("create_order", {"input": TOKEN_INPUT}) == created
    assert_one_message_per_order_and_state(aws)


def test_a_publish_whose_answer_is_lost_is_sent_once(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given: the first SendMessage reaches the queue but its answer times out
    sqs = wiring.application.service.publisher._client  # type: ignore[attr-defined]
    lost: list[str] = []

    def deliver_then_time_out(request: Any, **_: Any) -> None:
        if not lost:
            lost.append("SendMessage")
            aws.sqs.send_message(**_send_params(request))
            raise ReadTimeoutError(endpoint_url=request.url)

    sqs.meta.events.register_first("before-send.sqs.SendMessage", deliver_then_time_out)
    # when
    created = invoke("create_order")
    # then: the retry carried the same deduplication id: one message
    assert lost == ["SendMessage"]
    (message,) = aws.messages(Estado.recibida)
    assert message["Attributes"]["MessageDeduplicationId"] == f"{created['id']}:recibida:1"


def _send_params(request: Any) -> dict[str, Any]:
    body = json.loads(request.body)
    return {
        "QueueUrl": body["QueueUrl"],
        "MessageBody": body["MessageBody"],
        "MessageGroupId": body["MessageGroupId"],
        "MessageDeduplicationId": body["MessageDeduplicationId"],
    }


def test_a_transition_the_store_applied_in_part_is_finished_not_misreported(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given: the store applies estado and version of the cancellation, drops the rest, and
    # answers 500; botocore's retry then fails its condition on the half-written item
    order_id = invoke("create_order")["id"]
    aws.messages(Estado.recibida)
    applied: list[str] = []

    def apply_half_then_fail(request: Any, **_: Any) -> Any:
        params = json.loads(request.body)
        if applied or "motivo_cancelacion" not in params["ExpressionAttributeNames"].values():
            return None
        applied.append("half")
        aws.dynamodb.update_item(
            TableName=params["TableName"],
            Key=params["Key"],
            UpdateExpression="SET #estado = :estado, #version = #version + :one, "
            "#fecha_actualizacion = :fecha_actualizacion",
            ExpressionAttributeNames={
                "#estado": "estado",
                "#version": "version",
                "#fecha_actualizacion": "fecha_actualizacion",
            },
            ExpressionAttributeValues={
                k: params["ExpressionAttributeValues"][k]
                for k in (":estado", ":one", ":fecha_actualizacion")
            },
        )
        request.url = "https://injected-fault.invalid/"
        body = json.dumps({"__type": "InternalServerError", "message": "half"}).encode()
        headers: Any = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 500, headers, MockRawResponse(body))

    table = wiring.application.service.repository._client  # type: ignore[attr-defined]
    table.meta.events.register_first("before-send.dynamodb.UpdateItem", apply_half_then_fail)
    # when
    result = invoke(
        "update_order_state", {"id": order_id, "estado": "cancelada", "motivo": "duplicado"}
    )
    # then: the caller's own cancellation is reported as done, and it is whole and published
    assert applied == ["half"]
    assert (result["estado"], result["version"], result["motivo_cancelacion"]) == (
        "cancelada",
        2,
        "duplicado",
    )
    stored = invoke("get_order", {"id": order_id}, ["estado", "version", "motivo_cancelacion"])
    assert stored == {"estado": "cancelada", "version": 2, "motivo_cancelacion": "duplicado"}
    assert_one_message_per_order_and_state(aws)
