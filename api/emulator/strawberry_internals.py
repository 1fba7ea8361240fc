"""The two strawberry internals the emulator needs, reached in one place.

strawberry has no public accessor for either: the graphql-core schema it builds (the
emulator rewords validation errors against it) and the graphql-core resolve info behind
its `Info` (the resolver event needs the fragments, the operation and the field nodes as
written). tests/unit/test_strawberry_internals.py fails loudly if an upgrade moves them."""

from typing import Any, cast

import strawberry
from graphql import GraphQLResolveInfo, GraphQLSchema
from strawberry.types import Info


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    built = schema._schema
    if not isinstance(built, GraphQLSchema):
        raise TypeError("strawberry.Schema no longer keeps its graphql-core schema in _schema")
    return built


# What the emulator reads from graphql-core's info; strawberry passes its own NamedTuple
# with GraphQLResolveInfo's fields (not a subclass), so the check is by attribute.
_INFO_ATTRIBUTES = ("field_name", "field_nodes", "fragments", "operation", "parent_type", "path")


def graphql_info(info: Info[Any, Any]) -> GraphQLResolveInfo[Any]:
    raw = getattr(info, "_raw_info", None)
    if raw is None or not all(hasattr(raw, name) for name in _INFO_ATTRIBUTES):
        raise TypeError("strawberry.Info no longer keeps graphql-core's info in _raw_info")
    return cast(GraphQLResolveInfo[Any], raw)
