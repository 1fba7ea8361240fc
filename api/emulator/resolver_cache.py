"""AppSync's API cache in per-resolver mode, as resolvers.definitions.caching configures it.

Entries are keyed by the resolver and the values of its caching keys. AppSync matches keys
strictly: a request lacking one of the configured keys is neither answered from nor stored in
the cache (aws-appsync-community#224). With no configured keys, the key is the whole
`arguments`, `identity` and `source`."""

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from resolvers.definitions.caching import CachedResolver, Eviction, cached_resolver, evictions_for
from resolvers.definitions.fields import ResolverField

_CONTEXT_PREFIX = "$context."
_MISSING = object()
CacheKey = tuple[str, str]


class ResolverCache:
    def __init__(self, ttl_seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[CacheKey, tuple[float, Any]] = {}

    @property
    def enabled(self) -> bool:
        return self._ttl > 0

    def key(self, field: ResolverField, event: Mapping[str, Any]) -> CacheKey | None:
        """The entry `event` would use, or None when the field is not cached for it."""
        rule = cached_resolver(field)
        if not self.enabled or rule is None:
            return None
        return _key(rule, event)

    def get(self, key: CacheKey) -> tuple[bool, Any]:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            self._entries.pop(key, None)
            return False, None
        return True, entry[1]

    def put(self, key: CacheKey, value: Any) -> None:
        self._entries[key] = (self._clock() + self._ttl, value)

    def evict_after(self, mutation: ResolverField, result: Mapping[str, Any]) -> None:
        """What a mutation's response handler does: evict the entries keyed on its result."""
        for eviction in evictions_for(mutation):
            key = _eviction_key(eviction, result)
            if key is not None:
                self._entries.pop(key, None)


def _key(rule: CachedResolver, event: Mapping[str, Any]) -> CacheKey | None:
    if not rule.caching_keys:
        whole = {name: event.get(name) for name in ("arguments", "identity", "source")}
        return rule.field.path, json.dumps(whole, sort_keys=True)
    values = {key: _lookup(event, key) for key in rule.caching_keys}
    if any(value is _MISSING for value in values.values()):
        return None
    return rule.field.path, json.dumps(values, sort_keys=True)


def _eviction_key(eviction: Eviction, result: Mapping[str, Any]) -> CacheKey | None:
    values = {key: result.get(attribute, _MISSING) for key, attribute in eviction.keys_from_result}
    if any(value is _MISSING for value in values.values()):
        return None
    return eviction.field.path, json.dumps(values, sort_keys=True)


def _lookup(event: Mapping[str, Any], key: str) -> Any:
    """The value of `$context.arguments.id` (and the like) in the resolver event."""
    value: Any = event
    for part in key.removeprefix(_CONTEXT_PREFIX).split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value
