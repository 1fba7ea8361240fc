"""The emulator's query limits, run on the real schema with small limits (the stage's own
are exercised end to end). AppSync's guide, "Configuring GraphQL run complexity, query
depth, and introspection": past the depth limit a field gets a `QueryDepthLimitReached`
error, thrown up to its first nullable parent; past the resolver count, each further
resolver gets `ResolverExecutionLimitReached` and does not run. The guide does not say
whether introspection fields count toward the depth; the emulator counts them
(api/emulator/query_limits.py)."""

from collections.abc import AsyncGenerator, Coroutine, Mapping
from typing import Any

import pytest
from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    get_introspection_query,
    parse,
)
from strawberry.types import ExecutionResult, Info

from api.emulator.appsync_errors import RequestError, ResolverError
from api.emulator.query_limits import introspection_depth, query_limits_extension
from api.schema import build_schema
from resolvers.definitions.fields import ResolverField
from resolvers.definitions.limits import INTROSPECTION_QUERY_DEPTH, QueryLimits, query_limits
from resolvers.definitions.resources import LOCAL_STAGE


class _CountingRuntime:
    """Answers every resolver with null and remembers which ran."""

    def __init__(self) -> None:
        self.resolved: list[str] = []

    async def resolve(self, field: ResolverField, info: Info[Any, Any]) -> Any:
        self.resolved.append(str(info.path.key))
        return {"id": str(info.path.key)}

    def subscribe(
        self, field_name: str, info: Info[Any, Any], filters: Mapping[str, Any]
    ) -> AsyncGenerator[Any, None]:
        raise NotImplementedError


def _drive(coroutine: Coroutine[Any, Any, ExecutionResult]) -> ExecutionResult:
    """Runs a coroutine that never waits on I/O, without an event loop (an event loop opens
    a socket pair, which unit tests forbid). Mutations run serially, so no gather is needed."""
    try:
        while True:
            coroutine.send(None)
    except StopIteration as finished:
        result: ExecutionResult = finished.value
        return result


def _run(query: str, limits: QueryLimits, runtime: _CountingRuntime) -> ExecutionResult:
    schema = build_schema([query_limits_extension(limits)])
    return _drive(schema.execute(query, context_value={"runtime": runtime}))


def _error_types(result: ExecutionResult) -> list[tuple[str, list[Any]]]:
    return [
        (e.error_type, list(e.path or []))
        for e in result.errors or []
        if isinstance(e, ResolverError)
    ]


def test_a_field_past_the_depth_limit_gets_the_error_and_its_siblings_keep_their_data() -> None:
    # getOrder.id is ID!: its error nulls its first nullable parent, getOrder; __typename,
    # a sibling within the limit, keeps its data
    result = _run(
        '{ getOrder(id: "1") { id } __typename }',
        QueryLimits(depth=1, resolver_count=10, introspection=True),
        _CountingRuntime(),
    )

    assert result.data == {"getOrder": None, "__typename": "Query"}
    assert _error_types(result) == [("QueryDepthLimitReached", ["getOrder", "id"])]


def test_introspection_past_the_depth_limit_is_refused_before_anything_runs() -> None:
    # __schema > queryType > fields > type > ofType > name: 6 levels; the limit is 5. The
    # deepest level has no data to resolve (ofType is null below a named type), so only
    # the document shows how deep it goes.
    runtime = _CountingRuntime()
    query = (
        '{ getOrder(id: "1") { id } '
        "__schema { queryType { fields { type { ofType { name } } } } } }"
    )
    result = _run(query, QueryLimits(depth=5, resolver_count=10, introspection=True), runtime)

    assert result.data is None
    (error,) = result.errors or []
    assert isinstance(error, RequestError)
    assert error.formatted["errorType"] == "QueryDepthLimitReached"
    assert error.message == "The query depth exceeds the limit of 5."
    assert runtime.resolved == []
    # and one level less runs
    fits = _run(
        "{ __schema { queryType { fields { type { name } } } } }",
        QueryLimits(depth=5, resolver_count=10, introspection=True),
        runtime,
    )
    assert fits.errors is None


@pytest.mark.parametrize(
    ("query", "depth"),
    [
        ("{ __typename }", 0),
        ('{ getOrder(id: "1") { id } }', 0),
        ("{ __schema { types { name } } }", 3),
        ('{ ...F } fragment F on Query { __type(name: "Order") { name } }', 2),
        ("{ __schema { ... on __Schema { queryType { name } } } }", 3),
        ('{ getOrder(id: "1") { id } a: __schema { b: queryType { name } } }', 3),
    ],
)
def test_introspection_depth_follows_fragments_and_counts_fields_only(
    query: str, depth: int
) -> None:
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    (operation,) = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    assert introspection_depth(operation.selection_set, fragments) == depth


def test_past_the_resolver_count_the_first_resolvers_run_and_the_rest_do_not() -> None:
    runtime = _CountingRuntime()
    aliases = [f"c{n}" for n in range(1, 6)]
    create = 'createOrder(input: {descripcion: "x", fecha_entrega: "2099-12-31"}) { id }'
    query = "mutation { " + " ".join(f"{a}: {create}" for a in aliases) + " }"

    result = _run(query, QueryLimits(depth=15, resolver_count=3, introspection=True), runtime)

    assert runtime.resolved == ["c1", "c2", "c3"]
    # createOrder is non-null: the refused fourth nulls the whole `data`, and the serial
    # mutation stops there.
    assert result.data is None
    assert _error_types(result) == [("ResolverExecutionLimitReached", ["c4"])]


def test_each_operation_counts_its_own_resolvers() -> None:
    runtime = _CountingRuntime()
    limits = QueryLimits(depth=15, resolver_count=1, introspection=True)
    schema = build_schema([query_limits_extension(limits)])
    create = (
        'mutation { createOrder(input: {descripcion: "x", fecha_entrega: "2099-12-31"}) { id } }'
    )

    for _ in range(3):
        result = _drive(schema.execute(create, context_value={"runtime": runtime}))
        assert result.errors is None

    assert len(runtime.resolved) == 3


def test_the_emulator_serves_with_dev_limits_so_graphiql_introspection_fits() -> None:
    local, dev, prod = (query_limits(s) for s in (LOCAL_STAGE, "dev", "prod"))

    assert local == dev
    assert local.introspection
    assert not prod.introspection
    assert prod.depth < local.depth == INTROSPECTION_QUERY_DEPTH
    assert _depth_of(get_introspection_query(descriptions=True)) <= local.depth


def _depth_of(query: str) -> int:
    from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, SelectionSetNode

    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    def depth(selections: SelectionSetNode | None) -> int:
        deepest = 0
        for s in selections.selections if selections else ():
            if isinstance(s, FieldNode):
                deepest = max(deepest, 1 + depth(s.selection_set))
            elif isinstance(s, FragmentSpreadNode):
                deepest = max(deepest, depth(fragments[s.name.value].selection_set))
        return deepest

    return max(depth(getattr(d, "selection_set", None)) for d in document.definitions)
