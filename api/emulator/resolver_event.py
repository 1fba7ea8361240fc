"""The event AppSync sends a Lambda resolver: its whole resolver context, built from the
operation as the client wrote it (AppSync forwards raw argument values, not coerced ones)."""

import contextvars
import json
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLScalarType,
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


def resolver_event(
    info: GraphQLResolveInfo[Any],
    headers: Mapping[str, str],
    identity: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """AppSync's context for a root field (source null), JSON round-tripped as it would be
    on its way to Lambda. `identity` is the caller's, as api.emulator.callers builds it for
    each authorization mode (null for the API key)."""
    variables = _client_variables(info)
    field = info.field_nodes[0]
    event = {
        "arguments": _arguments(field, variables, info),
        "identity": identity,
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


def client_shaped(info: GraphQLResolveInfo[Any], result: Mapping[str, Any]) -> dict[str, Any]:
    """The current field's result as the client's selection shapes it: only the fields
    selected, each under its alias when it has one. AppSync publishes a mutation's response
    to subscribers in this shape, so `st: estado` reaches them as `st`, not `estado`."""
    return {
        (field.alias or field.name).value: result.get(field.name.value)
        for field in _fields(info.field_nodes[0].selection_set, info)
        if not field.name.value.startswith("__")
    }


def selected_fields(
    selection_set: SelectionSetNode | None, info: GraphQLResolveInfo[Any]
) -> Iterator[FieldNode]:
    """The fields of a selection set, with its fragments expanded."""
    return _fields(selection_set, info)


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
    definitions = info.parent_type.fields[info.field_name].args
    arguments: dict[str, Any] = {}
    for argument in field.arguments or ():
        name = argument.name.value
        value = _defined(value_from_ast_untyped(argument.value, values))
        if value is not Undefined:  # an unset variable leaves the argument out
            arguments[name] = _as_typed(value, definitions[name].type)
    return arguments


def _as_typed(value: Any, type_: GraphQLInputType) -> Any:
    """What GraphQL's input coercion changes in a raw value, and AppSync passes on: an `ID`
    written as an integer (`getOrder(id: 1234)`, `{"id": 1234}`) is the string "1234", an
    `Int` sent as `2.0` is 2. Everything else travels as the client wrote it."""
    if isinstance(type_, GraphQLNonNull):
        return _as_typed(value, type_.of_type)
    if isinstance(type_, GraphQLList):
        if isinstance(value, list):
            return [_as_typed(item, type_.of_type) for item in value]
        return _as_typed(value, type_.of_type)
    if isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
        return {
            key: _as_typed(item, type_.fields[key].type) if key in type_.fields else item
            for key, item in value.items()
        }
    if isinstance(type_, GraphQLScalarType) and not isinstance(value, bool):
        if type_.name == "ID" and isinstance(value, int):
            return str(value)
        if type_.name == "Int" and isinstance(value, float) and value.is_integer():
            return int(value)
    return value


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
