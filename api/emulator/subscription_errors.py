"""A subscription that selects a non-null field its mutation did not select gets, as in
AppSync, `null` for the subscription field and one error per missing field:
"Cannot return null for non-nullable type: 'AWSDateTime' within parent 'Order'
(/onOrderCreated/fecha_registro)" (aws-amplify/amplify-category-api#1338,
aws-amplify/amplify-cli#5542, aws/aws-appsync-community#127). graphql-core would stop at
the first such field, so the emulator checks the whole selection before executing it."""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    OperationType,
    get_named_type,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from api.emulator.resolver_event import selected_fields


def missing_non_null_fields(
    info: GraphQLResolveInfo[Any], response: Mapping[str, Any]
) -> list[GraphQLError]:
    """One error per non-null field the subscription selected and the response lacks."""
    parent = get_named_type(info.return_type)
    if not isinstance(parent, GraphQLObjectType):
        return []
    key = (info.field_nodes[0].alias or info.field_nodes[0].name).value
    errors = []
    for field in selected_fields(info.field_nodes[0].selection_set, info):
        name = field.name.value
        definition = parent.fields.get(name)
        if definition is None or not isinstance(definition.type, GraphQLNonNull):
            continue
        if response.get(name) is None:
            errors.append(_null_for_non_null(key, field, definition.type, parent))
    return errors


def _null_for_non_null(
    key: str, field: FieldNode, type_: GraphQLNonNull[Any], parent: GraphQLObjectType
) -> GraphQLError:
    response_key = (field.alias or field.name).value
    named = get_named_type(type_)
    return GraphQLError(
        f"Cannot return null for non-nullable type: '{named.name}' within parent "
        f"'{parent.name}' (/{key}/{response_key})",
        nodes=field,
        path=[key, response_key],
    )


class SubscriptionResponses(SchemaExtension):
    """Checks each event of a subscription before graphql-core completes it; one instance
    per subscription, so the errors of one event go out with that event's result."""

    def __init__(self) -> None:
        super().__init__()
        self._errors: list[GraphQLError] = []

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: str,
        **kwargs: Any,
    ) -> Any:
        value = _next(root, info, *args, **kwargs)
        if (
            info.operation.operation is not OperationType.SUBSCRIPTION
            or len(info.path.as_list()) > 1
        ):
            return value
        if isinstance(value, Mapping):
            self._errors = missing_non_null_fields(info, value)
            if self._errors:
                return None
        return value

    def on_stream_result(self, result: ExecutionResult) -> Iterator[None]:  # type: ignore[override]
        if self._errors:
            result.errors = [*(result.errors or []), *self._errors]
            self._errors = []
        yield None


def subscription_responses_extension() -> Callable[[], SchemaExtension]:
    return SubscriptionResponses
