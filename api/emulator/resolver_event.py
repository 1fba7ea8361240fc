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
    VariableNode,
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
    arguments: dict[str, Any] = {}
    for argument in field.arguments or ():
        value = argument.value
        if isinstance(value, VariableNode) and value.name.value not in variables:
            continue  # an unset variable leaves the argument out, as the client meant
        arguments[argument.name.value] = value_from_ast_untyped(value, dict(variables))
    return arguments


def _client_variables(info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    sent = raw_variables.get()
    if sent is not None:
        return dict(sent)
    # Operations over WebSocket do not pass through the HTTP view: graphql-core 3.3 keeps
    # each variable's source value beside the coerced one.
    sources: Mapping[str, Any] = getattr(info.variable_values, "sources", {})
    return {
        name: source.value
        for name, source in sources.items()
        if getattr(source, "value", Undefined) is not Undefined
    }
