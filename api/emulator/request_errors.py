"""Errors the schema finds before any resolver runs, reworded the way AppSync (graphql-java)
words them: the argument or variable at fault, the type it expected, and why."""

import re
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLSchema,
    GraphQLType,
    Node,
    ObjectFieldNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    print_ast,
    visit,
)
from graphql.error import GraphQLSyntaxError

from api.emulator.appsync_errors import schema_error

_VARIABLE = re.compile(
    r"^Variable '\$(?P<name>\w+)' has invalid value(?: at (?P<at>\S+))?: (?P<why>.*)$", re.S
)
_SCALAR = re.compile(
    r"^Expected value of type '(?P<type>[\w!\[\]]+)', "
    r"but encountered error '(?P<why>.*)'; found: .*$",
    re.S,
)
_ENUM = re.compile(r"^Value '(?P<value>.*)' does not exist in '(?P<type>\w+)' enum\.$", re.S)
_UNKNOWN_FIELD = re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'")
_MISSING_ARGUMENT = re.compile(r"^Argument '\w+\.\w+\((?P<argument>\w+):\)' of type .* is required")


def appsync_request_errors(
    schema: GraphQLSchema, errors: list[GraphQLError]
) -> list[dict[str, Any]]:
    return [schema_error(error, _reworded(schema, error)) for error in errors]


def _reworded(schema: GraphQLSchema, error: GraphQLError) -> str:
    variable = _VARIABLE.match(error.message)
    if variable:
        at = f" at '{variable['at'].lstrip('.')}'" if variable["at"] else ""
        why = _why(schema, variable["why"])
        return f"Variable '{variable['name']}' has an invalid value{at}: {why}"
    if isinstance(error, GraphQLSyntaxError) or not error.nodes or error.source is None:
        return error.message
    place = _Place.of(schema, error)
    if place is None:
        return error.message
    unknown = _UNKNOWN_FIELD.match(error.message)
    if unknown:
        return (
            f"Validation error of type FieldUndefined: Field '{unknown['field']}' in type "
            f"'{unknown['type']}' is undefined @ '{place.field_path}'"
        )
    missing = _MISSING_ARGUMENT.match(error.message)
    if missing:
        return (
            "Validation error of type MissingFieldArgument: Missing field argument "
            f"{missing['argument']} @ '{place.field_path}'"
        )
    if place.argument_path and place.expected is not None:
        expected = get_named_type(place.expected)
        return (
            f"Validation error of type WrongType: argument '{place.argument_path}' with value "
            f"'{place.value}' is not a valid '{expected.name}' @ '{place.field_path}'"
            f"{_expectation(expected, error)}"
        )
    return f"Validation error: {error.message}"


def _why(schema: GraphQLSchema, why: str) -> str:
    scalar = _SCALAR.match(why)
    if scalar:
        return f"{scalar['why']} (not a valid '{scalar['type']}')"
    enum = _ENUM.match(why)
    if enum:
        choices = _choices(schema.get_type(enum["type"]))
        return f"'{enum['value']}' is not a valid '{enum['type']}'{choices}"
    return why


def _expectation(expected: GraphQLType, error: GraphQLError) -> str:
    if isinstance(expected, GraphQLEnumType):
        return _choices(expected)
    if error.original_error is not None:
        return f": {error.original_error}"
    return ""


def _choices(enum: GraphQLType | None) -> str:
    if not isinstance(enum, GraphQLEnumType):
        return ""
    return f"; expected one of {', '.join(enum.values)}"


class _Place(Visitor):
    """Where in the operation an error's node sits: the field path (getOrder/items/id), the
    argument path (input.fecha_entrega) and the input type expected there."""

    def __init__(self, type_info: TypeInfo, start: int) -> None:
        super().__init__()
        self._type_info = type_info
        self._start = start
        self.found = False
        self.field_path = ""
        self.argument_path = ""
        self.value = ""
        self.expected: GraphQLType | None = None

    @classmethod
    def of(cls, schema: GraphQLSchema, error: GraphQLError) -> "_Place | None":
        node = error.nodes[0] if error.nodes else None
        if node is None or node.loc is None or error.source is None:
            return None
        type_info = TypeInfo(schema)
        place = cls(type_info, node.loc.start)
        visit(parse(error.source), TypeInfoVisitor(type_info, place))
        return place if place.found else None

    def enter(self, node: Node, key: Any, parent: Any, path: Any, ancestors: Any) -> Any:
        if self.found or node.loc is None or node.loc.start != self._start:
            return None
        if isinstance(node, ArgumentNode | ObjectFieldNode):
            return None  # they start where the error's node does only when they hold it
        self.found = True
        # graphql-core leaves the parent out of `ancestors`.
        chain = [*ancestors, parent, node]
        self.field_path = "/".join(n.name.value for n in chain if isinstance(n, FieldNode))
        self.argument_path = ".".join(
            n.name.value for n in chain if isinstance(n, ArgumentNode | ObjectFieldNode)
        )
        self.value = print_ast(node) if not isinstance(node, FieldNode) else ""
        self.expected = self._type_info.get_input_type()
        return self.BREAK
