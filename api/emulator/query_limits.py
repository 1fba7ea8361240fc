"""AppSync's query depth and resolver count limits, enforced as its guide describes them
("Configuring GraphQL run complexity, query depth, and introspection"): a field nested
deeper than the depth limit gets a `QueryDepthLimitReached` error (thrown up to its first
nullable parent), and once the resolver count is reached, each further resolver gets a
`ResolverExecutionLimitReached` error and does not run. The request still runs: the
fields within the limits keep their data.

Introspection: AppSync's guide does not say whether its fields count toward the depth
limit, and no public report of its behaviour was found, so the emulator takes the safe
reading: they count. A field's depth is checked as it resolves, but introspection data ends
early (`ofType` is null below a named type), so a selection nested past the limit would
never resolve and never be refused. Introspection selections are therefore measured on the
document itself (fragments followed), and one past the limit refuses the request before
anything runs."""

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from api.emulator.appsync_errors import RequestError, ResolverError
from resolvers.definitions.fields import RESOLVER_FIELDS
from resolvers.definitions.limits import QueryLimits

QUERY_DEPTH_LIMIT_REACHED = "QueryDepthLimitReached"
RESOLVER_EXECUTION_LIMIT_REACHED = "ResolverExecutionLimitReached"
_RESOLVER_PATHS = frozenset((field.type_name, field.field_name) for field in RESOLVER_FIELDS)


def field_depth(info: GraphQLResolveInfo[Any]) -> int:
    """How deep a field sits: `{ a { b { c } } }` puts `c` at 3 (list indexes don't count)."""
    return sum(1 for key in info.path.as_list() if isinstance(key, str))


def is_introspection(name: str) -> bool:
    # Introspection's entry fields (`__schema`, `__type`); `__typename` is a leaf.
    return name in {"__schema", "__type"}


def introspection_depth(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    depth: int = 0,
    inside: bool = False,
    seen: frozenset[str] = frozenset(),
) -> int:
    """The deepest field of an introspection selection in `selections` (0 when none):
    each field is a level, fragments and inline fragments are not."""
    deepest = 0
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            entering = inside or is_introspection(selection.name.value)
            below = introspection_depth(
                selection.selection_set, fragments, depth + 1, entering, seen
            )
            deepest = max(deepest, depth + 1 if entering else 0, below)
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(
                deepest,
                introspection_depth(selection.selection_set, fragments, depth, inside, seen),
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:  # a cycle is validation's to report
                deepest = max(
                    deepest,
                    introspection_depth(
                        fragments[name].selection_set, fragments, depth, inside, seen | {name}
                    ),
                )
    return deepest


def introspection_depth_rule(limit: int) -> type[ASTValidationRule]:
    class IntrospectionDepth(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            if introspection_depth(node.selection_set, fragments) > limit:
                self.report_error(
                    RequestError(
                        f"The query depth exceeds the limit of {limit}.",
                        QUERY_DEPTH_LIMIT_REACHED,
                        node,
                    )
                )

    return IntrospectionDepth


def is_resolver(info: GraphQLResolveInfo[Any]) -> bool:
    return (info.parent_type.name, info.field_name) in _RESOLVER_PATHS


class QueryLimitsExtension(SchemaExtension):
    """One instance per operation, so the resolver count is the operation's own."""

    def __init__(self, *, limits: QueryLimits) -> None:
        super().__init__()
        self._limits = limits
        self._resolvers_started = 0

    def on_operation(self) -> Iterator[None]:
        self.execution_context.validation_rules = (
            *self.execution_context.validation_rules,
            introspection_depth_rule(self._limits.depth),
        )
        yield

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
