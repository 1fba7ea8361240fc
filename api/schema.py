"""The GraphQL contract, in strawberry types: the one source of `schema.graphql`.

Every root field delegates to the `AppSyncRuntime` in the request context, which plays
AppSync's part locally (build the resolver event, call the Lambda handler, apply the
response handler's semantics, cache). Object fields read the dicts the Lambda returns."""

from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import fields
from types import MappingProxyType, NoneType, UnionType
from typing import TYPE_CHECKING, Any, Protocol, Union, get_args, get_origin, get_type_hints

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from api.directives import AUTH_DIRECTIVES, AwsSubscribe, field_auth_directives
from api.scalars import SCALAR_MAP, AWSDate, AWSDateTime, AWSTimestamp
from resolvers.definitions import fields as resolver_fields
from resolvers.definitions.access import UPDATE_ORDER_STATE_GROUPS
from resolvers.definitions.fields import ResolverField
from resolvers.domain import order as domain_order
from resolvers.domain import queries, states

Estado = strawberry.enum(states.Estado, description="The state of a work order")


SortDirection = strawberry.enum(
    queries.SortDirection, description="Order of `ordersByState` by arrival (`fecha_registro`)"
)


# The object types follow the domain's dataclasses field by field (resolvers/domain/order.py,
# the one definition of an order's attributes): a new attribute there is a new GraphQL
# field here after `make schema`.
_WIRE_SCALARS: dict[domain_order.Wire, object] = {
    domain_order.Wire.id: strawberry.ID,
    domain_order.Wire.date: AWSDate,
    domain_order.Wire.instant: AWSDateTime,
    domain_order.Wire.epoch_seconds: AWSTimestamp,
}


def _annotation(
    python_type: Any, wire: domain_order.Wire | None, objects: Mapping[type, type]
) -> Any:
    """The strawberry annotation of a domain attribute of `python_type`."""
    if get_origin(python_type) in (Union, UnionType):
        (inner,) = (arg for arg in get_args(python_type) if arg is not NoneType)
        return _annotation(inner, wire, objects) | None
    if get_origin(python_type) is tuple:
        (item, _) = get_args(python_type)
        return list[objects[item]]  # type: ignore[valid-type]
    if python_type is states.Estado:
        return Estado
    return _WIRE_SCALARS[wire] if wire is not None else python_type


def _object_type(
    domain: type, description: str, objects: Mapping[type, type] = MappingProxyType({})
) -> Any:
    """A strawberry object type with the client-visible attributes of dataclass `domain`."""
    hints = get_type_hints(domain)
    namespace: dict[str, Any] = {"__annotations__": {}}
    for attribute in fields(domain):
        if "wire" not in attribute.metadata:
            continue  # the store's bookkeeping, not the client's
        namespace["__annotations__"][attribute.name] = _annotation(
            hints[attribute.name], attribute.metadata["wire"], objects
        )
        namespace[attribute.name] = strawberry.field(description=attribute.metadata["doc"])
    return strawberry.type(
        type(domain.__name__, (), namespace), description=description, directives=AUTH_DIRECTIVES
    )


if TYPE_CHECKING:  # built at run time; to mypy, any value fits them
    Cambio = Any
    Order = Any
else:
    Cambio = _object_type(domain_order.Cambio, "A state an order entered: when, by whom, why")
    Order = _object_type(domain_order.Order, "A work order", {domain_order.Cambio: Cambio})


@strawberry.type(description="One page of orders", directives=AUTH_DIRECTIVES)
class OrderConnection:
    items: list[Order]
    nextToken: str | None = strawberry.field(description="Opaque; pass back for the next page")


@strawberry.input
class CreateOrderInput:
    descripcion: str
    fecha_entrega: AWSDate
    estado: Estado | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Optional; only `recibida` is accepted"
    )
    clientToken: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Idempotency key: a retry with the same token and input is safe",
    )


class AppSyncRuntime(Protocol):
    """What AppSync does around a Lambda resolver; the local emulator implements it."""

    async def resolve(self, field: ResolverField, info: Info[Any, Any]) -> Any: ...

    def subscribe(
        self, field_name: str, info: Info[Any, Any], filters: Mapping[str, Any]
    ) -> AsyncGenerator[Any, None]: ...


def _runtime(info: Info[Any, Any]) -> AppSyncRuntime:
    runtime: AppSyncRuntime = info.context["runtime"]
    return runtime


# Resolvers take their arguments by their GraphQL names, unused here: the runtime forwards
# the arguments as the client sent them (as AppSync does), not strawberry's Python values.
@strawberry.type(directives=AUTH_DIRECTIVES)
class Query:
    @strawberry.field(description="One order by id; null when there is none")
    async def getOrder(self, info: Info[Any, Any], id: strawberry.ID) -> Order | None:
        return await _runtime(info).resolve(resolver_fields.GET_ORDER, info)

    @strawberry.field(description="Orders in one state, by arrival; a Query on the state index")
    async def ordersByState(
        self,
        info: Info[Any, Any],
        estado: Estado,  # type: ignore[valid-type]
        limit: int | None = strawberry.UNSET,
        nextToken: str | None = strawberry.UNSET,
        sortDirection: SortDirection | None = strawberry.UNSET,  # type: ignore[valid-type]
        desde: AWSDateTime | None = strawberry.UNSET,
        hasta: AWSDateTime | None = strawberry.UNSET,
    ) -> OrderConnection:
        return await _runtime(info).resolve(resolver_fields.ORDERS_BY_STATE, info)  # type: ignore[no-any-return]


@strawberry.type(directives=AUTH_DIRECTIVES)
class Mutation:
    @strawberry.mutation(description="Register a work order in state `recibida`")
    async def createOrder(self, info: Info[Any, Any], input: CreateOrderInput) -> Order:
        return await _runtime(info).resolve(resolver_fields.CREATE_ORDER, info)

    @strawberry.mutation(
        description="Move an order to `estado`; `cancelada` needs `motivo`. "
        "`expectedVersion` rejects the change if the order moved on meanwhile.",
        # Users in neither group are refused before the Lambda runs; which states each
        # group may enter is the Lambda's check (resolvers/definitions/access.py).
        directives=field_auth_directives(UPDATE_ORDER_STATE_GROUPS),
    )
    async def updateOrderState(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        estado: Estado,  # type: ignore[valid-type]
        motivo: str | None = strawberry.UNSET,
        expectedVersion: int | None = strawberry.UNSET,
    ) -> Order:
        return await _runtime(info).resolve(resolver_fields.UPDATE_ORDER_STATE, info)


@strawberry.type(directives=AUTH_DIRECTIVES)
class Subscription:
    @strawberry.subscription(
        description="Orders created, optionally only in one state",
        directives=[AwsSubscribe(mutations=[resolver_fields.CREATE_ORDER.field_name])],
    )
    async def onOrderCreated(
        self,
        info: Info[Any, Any],
        estado: Estado | None = strawberry.UNSET,  # type: ignore[valid-type]
    ) -> AsyncGenerator[Order | None, None]:
        async for order in _runtime(info).subscribe(
            resolver_fields.CREATE_ORDER.field_name, info, {"estado": estado}
        ):
            yield order

    @strawberry.subscription(
        description="State changes, optionally of one order or into one state",
        directives=[AwsSubscribe(mutations=[resolver_fields.UPDATE_ORDER_STATE.field_name])],
    )
    async def onOrderStateChanged(
        self,
        info: Info[Any, Any],
        id: strawberry.ID | None = strawberry.UNSET,
        estado: Estado | None = strawberry.UNSET,  # type: ignore[valid-type]
    ) -> AsyncGenerator[Order | None, None]:
        async for order in _runtime(info).subscribe(
            resolver_fields.UPDATE_ORDER_STATE.field_name, info, {"id": id, "estado": estado}
        ):
            yield order


def _read_attribute(obj: Any, name: str) -> Any:
    """Object fields read the Lambda's dicts; a projected read leaves unselected keys out."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def build_schema(extensions: Sequence[Callable[[], SchemaExtension]] = ()) -> strawberry.Schema:
    """The contract's schema; the emulator adds the extensions that play AppSync's part."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(
            auto_camel_case=False, scalar_map=SCALAR_MAP, default_resolver=_read_attribute
        ),
        extensions=list(extensions),
    )


schema = build_schema()
