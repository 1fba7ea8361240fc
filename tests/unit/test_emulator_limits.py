"""The emulator's query limits, run on the real schema with small limits (the stage's own
are exercised end to end). AppSync's guide, "Configuring GraphQL run complexity, query
depth, and introspection": past the depth limit a field gets a `QueryDepthLimitReached`
error, thrown up to its first nullable parent; past the resolver count, each further
resolver gets `ResolverExecutionLimitReached` and does not run."""

from collections.abc import AsyncGenerator, Coroutine, Mapping
from typing import Any

from graphql import get_introspection_query, parse
from strawberry.types import ExecutionResult, Info

from api.emulator.appsync_errors import ResolverError
from api.emulator.query_limits import query_limits_extension
from api.schema import build_schema
from resolvers.contract.fields import ResolverField
from resolvers.contract.limits import INTROSPECTION_QUERY_DEPTH, QueryLimits, query_limits
from resolvers.contract.resources import LOCAL_STAGE


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
    result = _run(
        "{ __schema { queryType { name description } } }",
        QueryLimits(depth=2, resolver_count=10, introspection=True),
        _CountingRuntime(),
    )

    assert result.data == {"__schema": {"queryType": {"name": None, "description": None}}}
    assert _error_types(result) == [
        ("QueryDepthLimitReached", ["__schema", "queryType", "name"]),
        ("QueryDepthLimitReached", ["__schema", "queryType", "description"]),
    ]


def test_a_non_null_field_past_the_limit_nulls_its_first_nullable_parent() -> None:
    # __Field.name is String!, its list items __Field!, the list itself nullable
    result = _run(
        "{ __schema { queryType { fields { name } } } }",
        QueryLimits(depth=3, resolver_count=10, introspection=True),
        _CountingRuntime(),
    )

    assert result.data == {"__schema": {"queryType": {"fields": None}}}
    assert {error_type for error_type, _ in _error_types(result)} == {"QueryDepthLimitReached"}


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
