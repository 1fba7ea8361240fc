"""What AppSync does around each Lambda resolver, played locally: check the caller against
the field's auth directives, build the resolver event with the caller's identity, answer
from the API cache when it may, invoke the Lambda, apply the response handler (`util.error`
for `{"error": …}`, cache eviction after mutations) and publish mutation responses to the
subscriptions that asked for them."""

import logging
import secrets
import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

from strawberry.types import Info

from api.emulator.appsync_errors import LAMBDA_UNHANDLED, LAMBDA_UNHANDLED_MESSAGE, ResolverError
from api.emulator.callers import ApiKeyCaller, Caller, appsync_identity
from api.emulator.field_auth import FieldAuth, not_authorized
from api.emulator.lambda_function import Function
from api.emulator.resolver_cache import ResolverCache
from api.emulator.resolver_event import client_shaped, resolver_event
from api.emulator.strawberry_internals import graphql_info
from api.emulator.subscriptions import MutationFeed
from resolvers.definitions.fields import MUTATIONS, RESOLVER_FIELDS, ResolverField

logger = logging.getLogger(__name__)
# A context entry: called once a subscription is registered (the real-time protocol's start_ack).
ON_SUBSCRIBED = "on_subscribed"
# A context entry: who calls (api.emulator.callers), set where the request was authorized.
CALLER = "caller"


@dataclass
class FieldStats:
    invocations: int = 0
    cache_hits: int = 0


class LocalAppSync:
    """The emulator's `AppSyncRuntime` (api.schema)."""

    def __init__(
        self, function: Function, cache: ResolverCache, field_auth: FieldAuth | None = None
    ) -> None:
        self._function = function
        self._cache = cache
        self._field_auth = field_auth or FieldAuth.of_schema()
        self._feed = MutationFeed()
        self._stats = {field.path: FieldStats() for field in RESOLVER_FIELDS}

    def stats(self) -> dict[str, dict[str, int]]:
        return {path: vars(stats).copy() for path, stats in self._stats.items()}

    async def resolve(self, field: ResolverField, info: Info[Any, Any]) -> Any:
        raw_info = graphql_info(info)
        caller = _caller(info.context)
        if not self._field_auth.allows(caller, raw_info.parent_type.name, raw_info.field_name):
            raise not_authorized(raw_info)  # nothing invoked, as AppSync
        event = resolver_event(raw_info, _headers(info.context), appsync_identity(caller))
        stats = self._stats[field.path]
        cache_key = self._cache.key(field, event)
        if cache_key is not None:
            hit, cached = self._cache.get(cache_key)
            if hit:
                stats.cache_hits += 1
                return cached
        stats.invocations += 1
        try:
            result = await self._function.invoke(event)
        except Exception as error:
            # The cloud shows Lambda:Unhandled with the function's errorMessage (for the real
            # handler, a correlation id); the traceback stays in the server's log.
            logger.exception("Lambda resolver %s raised", field.path)
            message = str(error) or LAMBDA_UNHANDLED_MESSAGE
            raise ResolverError(message, LAMBDA_UNHANDLED, raw_info) from None
        if isinstance(result, Mapping) and isinstance(result.get("error"), Mapping):
            raise ResolverError.from_lambda(result["error"], raw_info)
        if cache_key is not None:
            self._cache.put(cache_key, result)
        if field in MUTATIONS and isinstance(result, Mapping):
            self._cache.evict_after(field, result)
            # Subscribers get the mutation's response as its client shaped it: in AppSync
            # a field the mutation did not select (or aliased) is null to them.
            self._feed.publish(field.field_name, client_shaped(raw_info, result))
        return result

    def subscribe(
        self, field_name: str, info: Info[Any, Any], filters: Mapping[str, Any]
    ) -> AsyncGenerator[Any, None]:
        raw_info = graphql_info(info)
        caller = _caller(info.context)
        if not self._field_auth.allows(caller, raw_info.parent_type.name, field_name):
            raise not_authorized(raw_info)
        return self._feed.subscribe(field_name, filters, info.context.get(ON_SUBSCRIBED))


def _caller(context: Mapping[str, Any]) -> Caller:
    # A context without a caller is an in-process app built without authorization (tests):
    # the key's, as before callers existed.
    caller = context.get(CALLER)
    return caller if caller is not None else ApiKeyCaller()


def _headers(context: dict[str, Any]) -> Mapping[str, str]:
    request = context.get("request")
    headers = dict(request.headers) if request is not None else {}
    # AppSync adds an X-Ray trace header, one per request; the Lambda's correlation id is it.
    trace_id = context.setdefault("trace_id", _trace_id())
    return {"x-amzn-trace-id": trace_id, **headers}


def _trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"
