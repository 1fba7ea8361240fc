"""Query resolvers."""

from typing import Any

from resolvers.definitions.fields import GET_ORDER, ORDERS_BY_STATE
from resolvers.domain.validation import validate_limit, validate_order_id, validate_state_query
from resolvers.routes import FieldRouter
from resolvers.routes.projection import projection_for
from resolvers.service.ports import OrderView

router = FieldRouter()


@router.field(GET_ORDER)
def get_order(id: str) -> OrderView | None:
    order_id = validate_order_id(id)
    app = router.application
    attributes = projection_for(
        GET_ORDER, router.selection, cache_ttl_seconds=app.cache_ttl_seconds
    )
    return app.service.get_order(order_id, attributes)


@router.field(ORDERS_BY_STATE)
def orders_by_state(
    estado: str,
    limit: int | None = None,
    nextToken: str | None = None,
    sortDirection: str | None = None,
    desde: str | None = None,
    hasta: str | None = None,
) -> dict[str, Any]:
    query = validate_state_query(estado, sortDirection, desde, hasta)
    page_size = validate_limit(limit)
    app = router.application
    attributes = projection_for(
        ORDERS_BY_STATE, router.selection, cache_ttl_seconds=app.cache_ttl_seconds, prefix="items/"
    )
    return app.service.orders_by_state(
        query, limit=page_size, next_token=nextToken, attributes=attributes
    )
