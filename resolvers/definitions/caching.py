"""The per-resolver caching policy of the AppSync API cache.

Read by the Lambda (a cached read fetches whole items, an uncached one projects the
selection set), by the CDK stack (each resolver's `cachingConfig`) and by the local
emulator (which reproduces AppSync's strict key matching)."""

from dataclasses import dataclass

from resolvers.definitions.fields import (
    CREATE_ORDER,
    GET_ORDER,
    ORDERS_BY_STATE,
    UPDATE_ORDER_STATE,
    ResolverField,
)

DEFAULT_TTL_SECONDS = 30
# AppSync accepts a resolver TTL from 1 to 3600 seconds.
MIN_TTL_SECONDS = 1
MAX_TTL_SECONDS = 3600
# 0 is the project's own value for "the API cache is off" (reads then project).
CACHE_OFF = 0


def checked_ttl(seconds: int) -> int:
    """`seconds` when it is a TTL AppSync accepts, or 0 (cache off); ValueError otherwise."""
    if seconds != CACHE_OFF and not MIN_TTL_SECONDS <= seconds <= MAX_TTL_SECONDS:
        raise ValueError(
            f"{seconds} s: AppSync caches for {MIN_TTL_SECONDS} to {MAX_TTL_SECONDS} s "
            f"({CACHE_OFF} turns the cache off)"
        )
    return seconds


@dataclass(frozen=True)
class CachedResolver:
    """A cached read. `caching_keys` empty means AppSync's default key: the whole
    `$context.arguments`, `$context.identity` and `$context.source` maps. AppSync uses an
    entry only when every configured key is present in the request
    (aws-appsync-community#224), so a field with optional arguments gets no explicit keys."""

    field: ResolverField
    caching_keys: tuple[str, ...]


@dataclass(frozen=True)
class Eviction:
    """After `mutation` succeeds, evict the cache entry of `field` whose keys take the
    values of the mutation result's attributes (`key -> result attribute`)."""

    mutation: ResolverField
    field: ResolverField
    keys_from_result: tuple[tuple[str, str], ...]


CACHED_RESOLVERS: tuple[CachedResolver, ...] = (
    CachedResolver(GET_ORDER, ("$context.arguments.id",)),
    CachedResolver(ORDERS_BY_STATE, ()),
)

EVICTIONS: tuple[Eviction, ...] = (
    Eviction(CREATE_ORDER, GET_ORDER, (("$context.arguments.id", "id"),)),
    Eviction(UPDATE_ORDER_STATE, GET_ORDER, (("$context.arguments.id", "id"),)),
)


def cached_resolver(field: ResolverField) -> CachedResolver | None:
    """The caching rule of `field`, or None when AppSync does not cache it."""
    return next((rule for rule in CACHED_RESOLVERS if rule.field == field), None)


def evictions_for(mutation: ResolverField) -> tuple[Eviction, ...]:
    return tuple(e for e in EVICTIONS if e.mutation == mutation)
