"""Mutation resolvers."""

from dataclasses import replace
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from resolvers.definitions.access import ensure_may_enter
from resolvers.definitions.fields import CREATE_ORDER, UPDATE_ORDER_STATE
from resolvers.domain.errors import ValidationError
from resolvers.domain.validation import validate_new_order, validate_order_id, validate_state_change
from resolvers.observability import ORDERS_CREATED, STATE_TRANSITIONS, metrics
from resolvers.routes import FieldRouter
from resolvers.service.ports import OrderView

router = FieldRouter()


@router.field(CREATE_ORDER)
def create_order(input: dict[str, Any]) -> OrderView:
    if not isinstance(input, dict):
        raise ValidationError("input must be a CreateOrderInput object")
    app = router.application
    new = replace(
        validate_new_order(input, today=app.service.clock().date()), por=router.caller.por
    )
    order = app.service.create_order(new)
    metrics.add_metric(name=ORDERS_CREATED, unit=MetricUnit.Count, value=1)
    return order


@router.field(UPDATE_ORDER_STATE)
def update_order_state(
    id: str,
    estado: str,
    motivo: str | None = None,
    expectedVersion: int | None = None,
) -> OrderView:
    order_id = validate_order_id(id)
    caller = router.caller
    change = replace(validate_state_change(estado, motivo, expectedVersion), por=caller.por)
    # After the arguments, before any read: who may enter a state depends only on the
    # caller and the state asked for (docs/access.md, "Where it sits among the errors").
    ensure_may_enter(caller, change.estado)
    order = router.application.service.update_order_state(order_id, change)
    # One dimension per invocation: Metrics flushes (and clears it) after each one.
    metrics.add_dimension(name="estado", value=change.estado.value)
    metrics.add_metric(name=STATE_TRANSITIONS, unit=MetricUnit.Count, value=1)
    return order
