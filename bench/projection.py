"""2. Reading only the selected attributes vs whole items, through the handler.

Both variants send the same event selecting two attributes; only the Lambda's caching
decision differs (resolvers.routes.projection): with ORDERS_CACHE_TTL=0 the read projects
the selection set, with the API cache on it reads whole items. Descriptions are 1,500
characters, the bulk of an item, and neither selected attribute."""

import json
from typing import Any

from bench import workload
from bench.in_process import InProcessLambda, event
from bench.sampling import Plan, measure
from resolvers.contract.caching import DEFAULT_TTL_SECONDS
from resolvers.contract.fields import GET_ORDER, ORDERS_BY_STATE

PROJECTED = "projected"
WHOLE = "whole items"
PROJECTING_TTL = 0


def response_bytes(result: Any) -> int:
    """The size of the handler's answer as JSON, what the Lambda hands back to AppSync."""
    return len(json.dumps(result, separators=(",", ":")).encode())


def attributes_read(answer: Any) -> set[str]:
    """The attributes the handler returned: of the order, or of every item of a page."""
    if answer is None:
        raise AssertionError("the order was not found")
    orders = answer.get("items", [answer])
    return {name for order in orders for name in order}


def _compare(orders_lambda: InProcessLambda, request: dict[str, Any], plan: Plan) -> dict[str, Any]:
    answers: dict[str, Any] = {}

    def served_with(ttl: int, variant: str) -> Any:
        def call() -> Any:
            orders_lambda.serve_with_cache_ttl(ttl)
            answers[variant] = orders_lambda.invoke(request)
            return answers[variant]

        return call

    measurement = measure(
        {
            PROJECTED: served_with(PROJECTING_TTL, PROJECTED),
            WHOLE: served_with(DEFAULT_TTL_SECONDS, WHOLE),
        },
        plan,
    )
    sizes = {variant: response_bytes(answer) for variant, answer in answers.items()}
    read = {variant: attributes_read(answer) for variant, answer in answers.items()}
    if "descripcion" in read[PROJECTED] or "descripcion" not in read[WHOLE]:
        raise AssertionError(f"the variants did not read what they claim: {read}")
    return {
        "selection": request["info"]["selectionSetList"],
        "attributes_read": {variant: sorted(names) for variant, names in read.items()},
        "plan": plan.as_dict(),
        PROJECTED: measurement.summary(PROJECTED).as_dict(),
        WHOLE: measurement.summary(WHOLE).as_dict(),
        "latency_ratio": measurement.ratio(PROJECTED, WHOLE).as_dict(),
        "response_bytes": {
            PROJECTED: sizes[PROJECTED],
            WHOLE: sizes[WHOLE],
            "ratio": round(sizes[PROJECTED] / sizes[WHOLE], 4),
        },
    }


def run(
    orders_lambda: InProcessLambda, order_id: str, *, reads: Plan, pages: Plan
) -> dict[str, Any]:
    page_selection = workload.page_selection(workload.TWO_ATTRIBUTES)
    listed = workload.LISTED_STATE.value
    try:
        return {
            "getOrder": _compare(
                orders_lambda,
                event(GET_ORDER, {"id": order_id}, workload.TWO_ATTRIBUTES),
                reads,
            ),
            "ordersByState (limit 20)": _compare(
                orders_lambda,
                event(ORDERS_BY_STATE, {"estado": listed, "limit": 20}, page_selection),
                reads,
            ),
            "ordersByState (limit 100)": _compare(
                orders_lambda,
                event(ORDERS_BY_STATE, {"estado": listed, "limit": 100}, page_selection),
                pages,
            ),
        }
    finally:
        orders_lambda.serve_with_cache_ttl(DEFAULT_TTL_SECONDS)
