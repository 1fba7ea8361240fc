"""The GraphQL fields that the Lambda resolves: one list for the handler, the stack and the
emulator. A test checks it both ways against the handler's routes and the stack's resolvers."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ResolverField:
    type_name: str
    field_name: str

    @property
    def path(self) -> str:
        return f"{self.type_name}.{self.field_name}"


GET_ORDER = ResolverField("Query", "getOrder")
ORDERS_BY_STATE = ResolverField("Query", "ordersByState")
CREATE_ORDER = ResolverField("Mutation", "createOrder")
UPDATE_ORDER_STATE = ResolverField("Mutation", "updateOrderState")

QUERIES = (GET_ORDER, ORDERS_BY_STATE)
MUTATIONS = (CREATE_ORDER, UPDATE_ORDER_STATE)
RESOLVER_FIELDS = QUERIES + MUTATIONS
