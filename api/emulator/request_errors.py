"""Errors the schema finds before any resolver runs, reworded the way AppSync (graphql-java)
words them. What AppSync is seen to send:

- a variable: "Variable 'dateOfBirth' has an invalid value. Unable to parse `2019-12-24T04:15:
  57.798Z` as a valid date." (aws-amplify/amplify-swift#278), naming the innermost input
  field, not the variable that holds it ("Variable 'phone' ..." for `$input.phone`,
  aws-amplify/amplify-flutter#822; "Variable 'updatedAt' ... as a valid DateTime Object.",
  aws-amplify/amplify-cli#2033);
- a literal: "Validation error of type WrongType: argument 'data' with value 'ObjectValue{
  objectFields=[...]}' is not a valid 'AWSJSON' @ 'sendEmail'"
  (awslabs/aws-mobile-appsync-sdk-js#554; aws/aws-cli#7078 for a nested
  'a.beginsWith.createdAt' with value 'StringValue{value='2019'}'): the value printed as
  graphql-java prints its syntax tree.
"""

import re
from collections.abc import Sequence
from typing import Any

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLType,
    IntValueNode,
    ListValueNode,
    Node,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    get_named_type,
    parse,
    visit,
)
from graphql.error import GraphQLSyntaxError

from api.emulator.appsync_errors import RequestError, schema_error

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
# graphql-java's wording (graphql.execution.UnknownOperationException), AppSync's engine.
SEVERAL_OPERATIONS = "Must provide operation name if query contains multiple operations."


def operation_error(names: Sequence[str | None], operation_name: str | None) -> GraphQLError | None:
    """Which operation of the document runs: the only one, or the one named."""
    if not operation_name:
        return GraphQLError(SEVERAL_OPERATIONS) if len(names) > 1 else None
    if operation_name not in names:
        return GraphQLError(f"Unknown operation named '{operation_name}'.")
    return None


def appsync_request_errors(
    schema: GraphQLSchema, errors: list[GraphQLError]
) -> list[dict[str, Any]]:
    return [
        error.formatted
        if isinstance(error, RequestError)
        else schema_error(error, _reworded(schema, error))
        for error in errors
    ]


def _reworded(schema: GraphQLSchema, error: GraphQLError) -> str:
    variable = _VARIABLE.match(error.message)
    if variable:
        # The innermost input field at fault, or the variable itself.
        at = (variable["at"] or "").rstrip("]").split(".")[-1].split("[")[0]
        return f"Variable '{at or variable['name']}' has an invalid value. {_why(variable['why'])}"
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
        )
    return f"Validation error: {error.message}"


def _why(why: str) -> str:
    scalar = _SCALAR.match(why)
    if scalar:
        return scalar["why"]  # the AWS scalars word it as AppSync does (api.scalars)
    enum = _ENUM.match(why)
    if enum:
        # graphql-java's GraphQLEnumType wording; no AppSync capture of it was found.
        return f"Invalid input for Enum '{enum['type']}'. No value found for name '{enum['value']}'"
    return why


def java_literal(node: Node) -> str:
    """A literal as graphql-java's syntax tree prints it (its `toString`), which is what
    AppSync shows: StringValue{value='2019'}, ObjectValue{objectFields=[ObjectField{
    name='a', value=IntValue{value=10}}]}."""
    if isinstance(node, StringValueNode):
        return f"StringValue{{value='{node.value}'}}"
    if isinstance(node, IntValueNode):
        return f"IntValue{{value={node.value}}}"
    if isinstance(node, FloatValueNode):
        return f"FloatValue{{value={node.value}}}"
    if isinstance(node, BooleanValueNode):
        return f"BooleanValue{{value={str(node.value).lower()}}}"
    if isinstance(node, EnumValueNode):
        return f"EnumValue{{name='{node.value}'}}"
    if isinstance(node, NullValueNode):
        return "NullValue{}"
    if isinstance(node, VariableNode):
        return f"VariableReference{{name='{node.name.value}'}}"
    if isinstance(node, ListValueNode):
        return f"ArrayValue{{values=[{', '.join(java_literal(v) for v in node.values)}]}}"
    if isinstance(node, ObjectValueNode):
        fields = ", ".join(
            f"ObjectField{{name='{f.name.value}', value={java_literal(f.value)}}}"
            for f in node.fields
        )
        return f"ObjectValue{{objectFields=[{fields}]}}"
    return ""


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
        self.value = java_literal(node)
        self.expected = self._type_info.get_input_type()
        return self.BREAK
