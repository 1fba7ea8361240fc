"""5. Only the fields asked for: the bytes the handler returns for a page of 20 selecting
`id` against the same page selecting every field, both on the uncached path (the API cache
off, ORDERS_CACHE_TTL=0), where a read projects its selection set. Descriptions are 1,500
characters, the bulk of an item. The bytes are the handler's answer as JSON: what the
Lambda hands AppSync, and what DynamoDB reads and moto serialises for it."""

import json
from typing import Any

from bench import workload
from bench.figures import compared, figure
from bench.in_process import InProcessLambda, event
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS
from resolvers.definitions.fields import ORDERS_BY_STATE

GOAL = 1 / 3
PAGE = 20
UNCACHED_TTL = 0


def response_bytes(result: Any) -> int:
    return len(json.dumps(result, separators=(",", ":")).encode())


def _page_bytes(orders_lambda: InProcessLambda, selection: list[str], repeats: int) -> Any:
    request = event(
        ORDERS_BY_STATE,
        {"estado": workload.LISTED_STATE.value, "limit": PAGE},
        workload.page_selection(selection),
    )
    sizes = []
    for _ in range(repeats):
        page = orders_lambda.invoke(request)
        if len(page["items"]) != PAGE:
            raise AssertionError(f"a page of {PAGE} came back with {len(page['items'])}")
        sizes.append(response_bytes(page))
    return figure(sizes, "bytes"), sorted({name for item in page["items"] for name in item})


def run(orders_lambda: InProcessLambda, *, repeats: int) -> dict[str, Any]:
    orders_lambda.serve_with_cache_ttl(UNCACHED_TTL)
    try:
        only_id, read_only_id = _page_bytes(orders_lambda, ["id"], repeats)
        every, read_every = _page_bytes(orders_lambda, workload.WHOLE_ORDER, repeats)
    finally:
        orders_lambda.serve_with_cache_ttl(DEFAULT_TTL_SECONDS)
    if "descripcion" in read_only_id or "descripcion" not in read_every:
        raise AssertionError(f"the pages did not read what they claim: {read_only_id}")
    return {
        "page": PAGE,
        "descripcion_chars": workload.DESCRIPCION_CHARS,
        # A page also reads its key attributes to build nextToken.
        "attributes_read": {"id": read_only_id, "every field": read_every},
        f"ordersByState (limit {PAGE}) id vs every field": compared(only_id, every, GOAL),
    }
