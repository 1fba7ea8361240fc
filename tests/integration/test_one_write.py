"""updateOrderState in one conditional UpdateItem: the store judges the transition rule,
the expected version and the unpublished marker, appends the history entry in the same
write, and explains a refusal with the item it returns (ReturnValuesOnConditionCheckFailure,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html), so
nothing reads the order first. Counted on the real adapters' boto3 client."""

from typing import Any

import pytest

from resolvers.domain.states import Estado
from tests.integration.conftest import Aws, Invoke, Wiring


def orders_table_calls(wiring: Wiring, aws: Aws) -> list[tuple[str, dict[str, Any]]]:
    return [
        (c.operation, c.params)
        for c in wiring.calls
        if c.service == "dynamodb" and c.params.get("TableName") == aws.names.orders_table
    ]


def test_a_transition_is_one_conditional_update_then_its_message(
    invoke: Invoke, aws: Aws, wiring: Wiring
) -> None:
    # given a published order
    order_id = invoke("create_order")["id"]
    wiring.calls.clear()
    # when it moves on
    moved = invoke("update_order_state", {"id": order_id, "estado": "enproceso"})
    # then: one conditional UpdateItem (no read), the message, then the marker cleared
    assert (moved["estado"], moved["version"]) == ("enproceso", 2)
    assert [(c.service, c.operation) for c in wiring.calls] == [
        ("dynamodb", "UpdateItem"),
        ("sqs", "SendMessage"),
        ("dynamodb", "UpdateItem"),
    ]
    (_, write), _ = orders_table_calls(wiring, aws)
    assert "list_append" in write["UpdateExpression"]
    assert "#estado IN (" in write["ConditionExpression"]
    assert write["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
    assert [c["estado"] for c in moved["historial"]] == ["recibida", "enproceso"]
    assert len(aws.messages(Estado.enproceso)) == 1


@pytest.mark.parametrize(
    ("arguments", "error_type"),
    [
        ({"id": "no-such-order", "estado": "enproceso"}, "NotFound"),
        ({"estado": "completada"}, "InvalidTransition"),  # from recibida
        ({"estado": "enproceso", "expectedVersion": 7}, "ConflictError"),
    ],
)
def test_a_refusal_is_explained_by_the_refused_write_alone(
    invoke: Invoke, aws: Aws, wiring: Wiring, arguments: dict[str, Any], error_type: str
) -> None:
    # given a published order
    order_id = invoke("create_order")["id"]
    before = aws.stored_orders()
    wiring.calls.clear()
    # when a transition the store refuses is asked for
    result = invoke("update_order_state", {"id": order_id, **arguments})
    # then the client is told why, from the one UpdateItem's answer: no GetItem, no message
    assert result["error"]["type"] == error_type
    assert [(c.service, c.operation) for c in wiring.calls] == [("dynamodb", "UpdateItem")]
    assert aws.stored_orders() == before
    assert aws.messages(Estado.enproceso) == []
