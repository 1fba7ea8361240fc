"""Resolver routers: GraphQL arguments in, use case called, dict out."""

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router

from resolvers.fields import ResolverField

Resolver = TypeVar("Resolver", bound=Callable[..., Any])


class FieldRouter(Router):
    """A Router that remembers which schema fields it resolves (checked against
    resolvers.fields by a test, both ways)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Powertools leaves it untyped
        self.fields: set[ResolverField] = set()

    def field(self, field: ResolverField) -> Callable[[Resolver], Resolver]:
        self.fields.add(field)
        register: Callable[[Resolver], Resolver] = self.resolver(
            type_name=field.type_name, field_name=field.field_name
        )
        return register
