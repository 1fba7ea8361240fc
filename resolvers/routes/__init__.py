"""Resolver routers: GraphQL arguments in, use case called, dict out."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router

from resolvers.definitions.fields import ResolverField
from resolvers.definitions.identity import caller_from_identity
from resolvers.domain.caller import Caller

if TYPE_CHECKING:
    from resolvers.bootstrap import Application

Resolver = TypeVar("Resolver", bound=Callable[..., Any])

# The routing-context key under which the entry hands each invocation its Application.
APPLICATION = "application"


class FieldRouter(Router):
    """A Router that remembers which schema fields it resolves (checked against the
    contract by a test, both ways) and reads the Application the entry passed in."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Powertools leaves it untyped
        self.fields: set[ResolverField] = set()

    def field(self, field: ResolverField) -> Callable[[Resolver], Resolver]:
        self.fields.add(field)
        register: Callable[[Resolver], Resolver] = self.resolver(
            type_name=field.type_name, field_name=field.field_name
        )
        return register

    @property
    def application(self) -> "Application":
        """This invocation's Application (resolvers.handler appends it to the context)."""
        application: Application = self.context[APPLICATION]
        return application

    @property
    def selection(self) -> list[str]:
        """The current field's AppSync `selectionSetList`."""
        event = self.current_event
        return [] if event is None else event.info.selection_set_list

    @property
    def caller(self) -> Caller:
        """Who makes this request, from the event's AppSync `identity` (Unauthorized for
        an authorization mode the API does not accept)."""
        event = self.current_event
        return caller_from_identity(None if event is None else event.get("identity"))
