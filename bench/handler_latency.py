"""1. Latency of each operation through the Lambda handler, in process, against moto.

The Lambda runs as the stack deploys it (API cache on, so reads fetch whole items) and the
client selects the whole order. Reads run first, while the listed state holds only the seeded
orders: moto's Query cost grows with the table, and the write benchmarks add to it."""

import uuid
from collections.abc import Callable
from typing import Any

from bench import workload
from bench.in_process import InProcessLambda, event
from bench.sampling import Call, Plan, measure
from resolvers.contract.caching import DEFAULT_TTL_SECONDS
from resolvers.contract.fields import CREATE_ORDER, GET_ORDER, ORDERS_BY_STATE, UPDATE_ORDER_STATE
from resolvers.domain.states import Estado

PAGE_SELECTION = workload.page_selection(workload.WHOLE_ORDER)


def _page(orders_lambda: InProcessLambda, limit: int) -> Call:
    request = event(
        ORDERS_BY_STATE, {"estado": workload.LISTED_STATE.value, "limit": limit}, PAGE_SELECTION
    )

    def call() -> Any:
        page = orders_lambda.invoke(request)
        if len(page["items"]) != limit:
            raise AssertionError(f"a page of {limit} came back with {len(page['items'])}")
        return page

    return call


def read_calls(orders_lambda: InProcessLambda, order_id: str) -> dict[str, Call]:
    get = event(GET_ORDER, {"id": order_id}, workload.WHOLE_ORDER)

    def get_order() -> Any:
        if orders_lambda.invoke(get) is None:
            raise AssertionError(f"order {order_id} not found")

    return {"getOrder": get_order, "ordersByState (limit 20)": _page(orders_lambda, 20)}


def _each_once(orders_lambda: InProcessLambda, requests: list[dict[str, Any]]) -> Call:
    """A call per prepared event (a write is made once), built before the timing starts."""
    pending = iter(requests)

    def call() -> Any:
        return orders_lambda.invoke(next(pending))

    return call


def _creations(count: int, *, client_token: bool) -> list[dict[str, Any]]:
    return [
        event(
            CREATE_ORDER,
            workload.create_input(n, str(uuid.uuid4()) if client_token else None),
            workload.WHOLE_ORDER,
        )
        for n in range(count)
    ]


def _transitions(order_ids: list[str]) -> list[dict[str, Any]]:
    """Fresh orders moved recibida -> enproceso."""
    return [
        event(
            UPDATE_ORDER_STATE,
            {"id": order_id, "estado": Estado.enproceso.value},
            workload.WHOLE_ORDER,
        )
        for order_id in order_ids
    ]


def write_calls(orders_lambda: InProcessLambda, count: int) -> dict[str, Call]:
    fresh = workload.create_orders(orders_lambda, count)
    return {
        "createOrder": _each_once(orders_lambda, _creations(count, client_token=False)),
        "createOrder (clientToken)": _each_once(
            orders_lambda, _creations(count, client_token=True)
        ),
        "updateOrderState": _each_once(orders_lambda, _transitions(fresh)),
    }


def run(
    orders_lambda: InProcessLambda,
    order_id: str,
    *,
    reads: Plan,
    pages: Plan,
    writes: Plan,
    before_batch: Call,
) -> dict[str, Any]:
    """`before_batch` runs untimed before every batch (the queues' consumers)."""
    orders_lambda.serve_with_cache_ttl(DEFAULT_TTL_SECONDS)
    groups: list[tuple[Plan, Callable[[], dict[str, Call]]]] = [
        (reads, lambda: read_calls(orders_lambda, order_id)),
        (pages, lambda: {"ordersByState (limit 100)": _page(orders_lambda, 100)}),
        (writes, lambda: write_calls(orders_lambda, writes.calls_per_variant)),
    ]
    operations: dict[str, Any] = {}
    for plan, calls in groups:
        measurement = measure(calls(), plan, before_batch)
        for name in measurement.rounds:
            operations[name] = {**measurement.summary(name).as_dict(), "plan": plan.as_dict()}
    return {
        "cache_ttl_seconds": DEFAULT_TTL_SECONDS,
        "descripcion_chars": workload.DESCRIPCION_CHARS,
        "operations": operations,
    }
