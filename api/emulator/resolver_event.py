"""The event AppSync sends a Lambda resolver: its whole resolver context, built from the
operation as the client wrote it (AppSync forwards raw argument values, not coerced ones)."""

import contextvars
import json
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    print_ast,
    value_from_ast_untyped,
)

# The variables of the operation being executed, exactly as the client sent them. Set per
# operation by the HTTP view; the executor's own copies are already coerced.
raw_variables: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "raw_variables", default=None
)


def resolver_event(info: GraphQLResolveInfo[Any], headers: Mapping[str, str]) -> dict[str, Any]:
    """AppSync's context for a root field with API-key auth (identity null, source null),
    JSON round-tripped as it would be on its way to Lambda."""
    variables = _client_variables(info)
    field = info.field_nodes[0]
    event = {
        "arguments": _arguments(field, variables, info),
        "identity": None,
        "source": None,
        "request": {
            "headers": {name.lower(): value for name, value in headers.items()},
            "domainName": None,
        },
        "info": {
            "fieldName": info.field_name,
            "parentTypeName": info.parent_type.name,
            "selectionSetList": selection_set_list(field.selection_set, info),
            "selectionSetGraphQL": _selection_set_graphql(field.selection_set),
            "variables": variables,
        },
        "prev": None,
        "stash": {},
    }
    return json.loads(json.dumps(event))  # type: ignore[no-any-return]


def selection_set_list(
    selection_set: SelectionSetNode | None, info: GraphQLResolveInfo[Any], prefix: str = ""
) -> list[str]:
    """AppSync's flat list: "items", "items/id", ... Aliased fields appear by their alias
    (as AppSync documents), fragments are expanded and introspection fields left out."""
    names: list[str] = []
    for field in _fields(selection_set, info):
        if field.name.value.startswith("__"):
            continue
        path = prefix + (field.alias or field.name).value
        if path not in names:
            names.append(path)
        names.extend(
            n for n in selection_set_list(field.selection_set, info, path + "/") if n not in names
        )
    return names


def selected_field_names(info: GraphQLResolveInfo[Any]) -> set[str]:
    """The schema names of the fields selected on the current field's result."""
    return {f.name.value for f in _fields(info.field_nodes[0].selection_set, info)}


def _fields(
    selection_set: SelectionSetNode | None, info: GraphQLResolveInfo[Any]
) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, info)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, info)


def _selection_set_graphql(selection_set: SelectionSetNode | None) -> str:
    # AppSync prints the field's selection set as written: fragment spreads are not merged.
    return print_ast(selection_set) if selection_set else ""


def _arguments(
    field: FieldNode, variables: Mapping[str, Any], info: GraphQLResolveInfo[Any]
) -> dict[str, Any]:
    # A variable the client left out takes its default from the operation, if it has one.
    values = {**_variable_defaults(info), **variables}
    arguments: dict[str, Any] = {}
    for argument in field.arguments or ():
        value = _defined(value_from_ast_untyped(argument.value, values))
        if value is not Undefined:  # an unset variable leaves the argument out
            arguments[argument.name.value] = value
    return arguments


def _variable_defaults(info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    return {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in info.operation.variable_definitions or ()
        if definition.default_value is not None
    }


def _defined(value: Any) -> Any:
    """`value` without what unset variables left in it: an input object loses the field, a
    list gets null (as GraphQL coerces them)."""
    if isinstance(value, dict):
        return {k: _defined(v) for k, v in value.items() if v is not Undefined}
    if isinstance(value, list):
        return [None if v is Undefined else _defined(v) for v in value]
    return value


def _client_variables(info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    # Set by the HTTP view and the WebSocket handler for each operation.
    sent = raw_variables.get()
    return dict(sent) if sent is not None else {}
