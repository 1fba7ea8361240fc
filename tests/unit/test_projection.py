"""Selection set -> the attributes a read fetches."""

import pytest

from resolvers.definitions.fields import CREATE_ORDER, GET_ORDER, ORDERS_BY_STATE, ResolverField
from resolvers.domain.order import ORDER_ATTRIBUTES
from resolvers.routes.projection import projection_for, selected_attributes


def test_the_selected_order_attributes_are_read() -> None:
    assert selected_attributes(["id", "estado", "version"]) == frozenset(
        {"id", "estado", "version"}
    )


def test_a_connection_reads_the_attributes_under_items() -> None:
    selection = ["items", "items/id", "items/descripcion", "nextToken"]
    assert selected_attributes(selection, "items/") == frozenset({"id", "descripcion"})


def test_typename_only_still_reads_the_id() -> None:
    assert selected_attributes(["__typename"]) == frozenset({"id"})
    assert selected_attributes(["nextToken"], "items/") == frozenset({"id"})


def test_an_alias_makes_the_read_fetch_whole_items() -> None:
    # AppSync lists `desc: descripcion` as `desc`: the real name is unknown.
    assert selected_attributes(["id", "desc"]) is None


@pytest.mark.parametrize(
    ("field", "selection", "prefix"),
    [(GET_ORDER, ["id"], ""), (ORDERS_BY_STATE, ["items", "items/id", "nextToken"], "items/")],
)
def test_a_cached_read_fetches_whole_items_and_an_uncached_one_projects(
    field: ResolverField, selection: list[str], prefix: str
) -> None:
    assert projection_for(field, selection, cache_ttl_seconds=30, prefix=prefix) is None
    assert projection_for(field, selection, cache_ttl_seconds=0, prefix=prefix) == frozenset({"id"})


def test_a_field_without_a_caching_rule_projects_even_with_the_cache_on() -> None:
    everything = sorted(ORDER_ATTRIBUTES)
    assert projection_for(CREATE_ORDER, everything, cache_ttl_seconds=30) == ORDER_ATTRIBUTES


def test_an_aliased_connection_makes_the_read_fetch_whole_items() -> None:
    # `orders: items { descripcion }` is listed as "orders", "orders/descripcion".
    selection = ["orders", "orders/descripcion", "nextToken"]
    assert selected_attributes(selection, "items/") is None
    assert selected_attributes(["items", "items/id", "more", "more/descripcion"], "items/") is None
