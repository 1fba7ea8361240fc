"""AppSync's query depth and resolver count limits, enforced as its guide describes them
("Configuring GraphQL run complexity, query depth, and introspection"): a field nested
deeper than the depth limit gets a `QueryDepthLimitReached` error (thrown up to its first
nullable parent), and once the resolver count is reached, each further resolver gets a
`ResolverExecutionLimitReached` error and does not run. The request still runs: the
fields within the limits keep their data."""

from collections.abc import Callable
from functools import partial
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from api.emulator.appsync_errors import ResolverError
from resolvers.contract.fields import RESOLVER_FIELDS
from resolvers.contract.limits import QueryLimits

QUERY_DEPTH_LIMIT_REACHED = "QueryDepthLimitReached"
RESOLVER_EXECUTION_LIMIT_REACHED = "ResolverExecutionLimitReached"
_RESOLVER_PATHS = frozenset((field.type_name, field.field_name) for field in RESOLVER_FIELDS)


def field_depth(info: GraphQLResolveInfo[Any]) -> int:
    """How deep a field sits: `{ a { b { c } } }` puts `c` at 3 (list indexes don't count)."""
    return sum(1 for key in info.path.as_list() if isinstance(key, str))


def is_resolver(info: GraphQLResolveInfo[Any]) -> bool:
    return (info.parent_type.name, info.field_name) in _RESOLVER_PATHS


class QueryLimitsExtension(SchemaExtension):
    """One instance per operation, so the resolver count is the operation's own."""

    def __init__(self, *, limits: QueryLimits) -> None:
        super().__init__()
        self._limits = limits
        self._resolvers_started = 0

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: str,
        **kwargs: Any,
    ) -> Any:
        # Called in document order before any resolver awaits, so "the first N" are the
        # first N in the document (and mutations run one after another anyway).
        if field_depth(info) > self._limits.depth:
            raise ResolverError(
                f"The query depth exceeds the limit of {self._limits.depth}.",
                QUERY_DEPTH_LIMIT_REACHED,
                info,
            )
        if is_resolver(info):
            self._resolvers_started += 1
            if self._resolvers_started > self._limits.resolver_count:
                raise ResolverError(
                    f"The request runs more than {self._limits.resolver_count} resolvers.",
                    RESOLVER_EXECUTION_LIMIT_REACHED,
                    info,
                )
        return _next(root, info, *args, **kwargs)


def query_limits_extension(limits: QueryLimits) -> Callable[[], SchemaExtension]:
    """What `build_schema` takes: strawberry builds one extension per operation."""
    return partial(QueryLimitsExtension, limits=limits)
