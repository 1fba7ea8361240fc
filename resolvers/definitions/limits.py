"""AppSync's query limits per stage: the CDK stack configures them on the API and the local
emulator enforces the same values (AppSync guide, "Configuring GraphQL run complexity,
query depth, and introspection")."""

from dataclasses import dataclass

# The deepest legitimate query is 3 levels (ordersByState > items > attribute); a leaf
# counts as a level.
QUERY_DEPTH_LIMIT = 5
# Where introspection is on (dev, and the emulator), its standard query (GraphiQL, the
# console's explorer, codegen) is 15 levels deep. AppSync does not document whether it
# counts against the limit, so those stages allow that depth; prod disables introspection
# and keeps the tight limit.
INTROSPECTION_QUERY_DEPTH = 15
# Root fields are the only resolvers; this caps the aliased fan-out of one request.
RESOLVER_COUNT_LIMIT = 10


@dataclass(frozen=True)
class QueryLimits:
    depth: int
    resolver_count: int
    introspection: bool


def query_limits(stage: str) -> QueryLimits:
    """`prod` is tight and closed; `dev` and the emulator (`local`) keep introspection."""
    if stage == "prod":
        return QueryLimits(QUERY_DEPTH_LIMIT, RESOLVER_COUNT_LIMIT, introspection=False)
    return QueryLimits(INTROSPECTION_QUERY_DEPTH, RESOLVER_COUNT_LIMIT, introspection=True)
