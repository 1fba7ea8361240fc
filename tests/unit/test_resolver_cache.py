"""The emulator's API cache, keyed as resolvers.definitions.caching configures AppSync's.

AppSync's per-resolver caching: "the caching keys ... if not specified, AppSync uses
$context.arguments, $context.identity and $context.source as the key" (AppSync developer
guide, "Configuring server-side caching and API payload compression"); an entry is used
only when every configured key is present in the request (aws-appsync-community#224)."""

from typing import Any

from api.emulator.resolver_cache import ResolverCache
from harness.appsync_events import appsync_event
from resolvers.definitions.fields import (
    CREATE_ORDER,
    GET_ORDER,
    ORDERS_BY_STATE,
    UPDATE_ORDER_STATE,
)


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _event(name: str, arguments: dict[str, Any], **changes: Any) -> dict[str, Any]:
    event = appsync_event(name, arguments)
    event.update(changes)
    return event


def test_get_order_is_keyed_on_the_id_alone() -> None:
    cache = ResolverCache(ttl_seconds=30)
    # given two requests for one id that differ in everything the key does not name
    one = _event("get_order", {"id": "o-1"})
    other = _event("get_order", {"id": "o-1"}, identity={"sub": "someone-else"})
    other["request"]["headers"]["x-amzn-trace-id"] = "Root=1-other"
    # then they share an entry, and another id does not
    assert cache.key(GET_ORDER, one) == cache.key(GET_ORDER, other) is not None
    assert cache.key(GET_ORDER, _event("get_order", {"id": "o-2"})) != cache.key(GET_ORDER, one)


def test_a_request_without_a_configured_key_is_not_cached() -> None:
    # aws-appsync-community#224: AppSync matches caching keys strictly.
    cache = ResolverCache(ttl_seconds=30)
    assert cache.key(GET_ORDER, _event("get_order", {})) is None


def test_orders_by_state_is_keyed_on_every_argument_identity_and_source() -> None:
    cache = ResolverCache(ttl_seconds=30)
    base = _event("orders_by_state", {"estado": "recibida", "limit": 5})
    same = _event("orders_by_state", {"limit": 5, "estado": "recibida"})
    assert cache.key(ORDERS_BY_STATE, base) == cache.key(ORDERS_BY_STATE, same) is not None
    for different in (
        _event("orders_by_state", {"estado": "recibida", "limit": 6}),
        _event("orders_by_state", {"estado": "recibida"}),
        _event("orders_by_state", {"estado": "recibida", "limit": 5}, identity={"sub": "u"}),
        _event("orders_by_state", {"estado": "recibida", "limit": 5}, source={"id": "x"}),
    ):
        assert cache.key(ORDERS_BY_STATE, different) != cache.key(ORDERS_BY_STATE, base)


def test_mutations_are_never_cached_and_a_ttl_of_zero_turns_the_cache_off() -> None:
    on, off = ResolverCache(ttl_seconds=30), ResolverCache(ttl_seconds=0)
    assert on.key(CREATE_ORDER, appsync_event("create_order")) is None
    assert on.key(UPDATE_ORDER_STATE, appsync_event("update_order_state")) is None
    assert off.key(GET_ORDER, _event("get_order", {"id": "o-1"})) is None


def test_an_entry_lives_for_the_ttl() -> None:
    clock = ManualClock()
    cache = ResolverCache(ttl_seconds=30, clock=clock)
    key = cache.key(GET_ORDER, _event("get_order", {"id": "o-1"}))
    assert key is not None
    cache.put(key, {"id": "o-1"})
    clock.now += 29.9
    assert cache.get(key) == (True, {"id": "o-1"})
    clock.now += 0.1
    assert cache.get(key) == (False, None)


def test_a_mutation_evicts_the_get_order_entry_of_the_order_it_changed() -> None:
    cache = ResolverCache(ttl_seconds=30)
    changed = cache.key(GET_ORDER, _event("get_order", {"id": "o-1"}))
    untouched = cache.key(GET_ORDER, _event("get_order", {"id": "o-2"}))
    page = cache.key(ORDERS_BY_STATE, _event("orders_by_state", {"estado": "recibida"}))
    assert changed is not None
    assert untouched is not None
    assert page is not None
    for key in (changed, untouched, page):
        cache.put(key, {"cached": True})
    # when updateOrderState returns o-1 (a response without an id evicts nothing)
    cache.evict_after(UPDATE_ORDER_STATE, {"estado": "enproceso"})
    assert cache.get(changed)[0]
    cache.evict_after(UPDATE_ORDER_STATE, {"id": "o-1", "estado": "enproceso"})
    # then only o-1's entry is gone; list pages stay until their TTL (README)
    assert cache.get(changed) == (False, None)
    assert cache.get(untouched)[0]
    assert cache.get(page)[0]
