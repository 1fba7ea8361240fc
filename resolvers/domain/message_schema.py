"""The JSON Schema (draft 2020-12) of a state queue message, generated from the domain: the
envelope of resolvers.domain.messages and the fields of `Order` (and of anything it holds)
read from the dataclasses themselves, so a new order field reaches the schema with
`make schema` and a test fails until it is committed.

Objects are open (no `additionalProperties: false`): version 1 may gain fields, and a
consumer ignores those it does not know (docs/consumers.md). The tests validate every
published message against a closed copy (`closed`), so nothing is published undeclared."""

import dataclasses
import types
import typing
from typing import Any, Union

from resolvers.domain.messages import ENVELOPE_FIELDS, MESSAGE_TYPE, SCHEMA_VERSION
from resolvers.domain.order import ORDER_ATTRIBUTES, Order
from resolvers.domain.states import Estado

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FILE_NAME = "order-message.schema.json"

# The AWS scalars of the GraphQL schema as JSON Schema formats (RFC 3339 both): AWSDate
# and AWSDateTime fields, by name. AWSTimestamp is an integer and needs no format.
FORMATS = {
    "fecha_entrega": "date",
    "fecha_registro": "date-time",
    "fecha_actualizacion": "date-time",
    "fecha": "date-time",
}

_DESCRIPTIONS = {
    "schemaVersion": "Version of this envelope; a new one is published beside the old.",
    "type": "What happened: the order entered a state.",
    "estado": "The state the order entered (the queue's state).",
    "desde": "The state it left; null when the order was created.",
    "por": "Who moved it: a user's email, an IAM ARN, or api-key.",
    "at": "When it entered the state (UTC).",
    "order": "The whole order, as the GraphQL Order type returns it.",
}


def message_schema() -> dict[str, Any]:
    """The schema of a message body, as committed in order-message.schema.json."""
    definitions: dict[str, Any] = {"Estado": {"enum": [e.value for e in Estado]}}
    definitions["Order"] = _object_schema(Order, definitions, only=ORDER_ATTRIBUTES)
    envelope: dict[str, dict[str, Any]] = {
        "schemaVersion": {"const": SCHEMA_VERSION},
        "type": {"const": MESSAGE_TYPE},
        "estado": {"$ref": "#/$defs/Estado"},
        "desde": {"anyOf": [{"$ref": "#/$defs/Estado"}, {"type": "null"}]},
        "por": {"type": "string"},
        "at": {"type": "string", "format": "date-time"},
        "order": {"$ref": "#/$defs/Order"},
    }
    return {
        "$schema": DRAFT,
        "title": MESSAGE_TYPE,
        "description": "A message of an Orders state queue: an order entered a state.",
        "type": "object",
        "required": list(ENVELOPE_FIELDS),
        "properties": {
            name: {**envelope[name], "description": _DESCRIPTIONS[name]} for name in ENVELOPE_FIELDS
        },
        "$defs": definitions,
    }


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` whose objects refuse properties they do not declare."""
    if not isinstance(schema, dict):
        return schema
    copy = {key: _closed_value(value) for key, value in schema.items()}
    if copy.get("type") == "object" and "properties" in copy:
        copy["additionalProperties"] = False
    return copy


def _closed_value(value: Any) -> Any:
    if isinstance(value, dict):
        return closed(value)
    if isinstance(value, list):
        return [_closed_value(item) for item in value]
    return value


def _object_schema(
    cls: type, definitions: dict[str, Any], *, only: frozenset[str] | None = None
) -> dict[str, Any]:
    """A dataclass as an object whose every field is required (null when absent)."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if only is None or f.name in only]
    return {
        "type": "object",
        "required": names,
        "properties": {name: _type_schema(name, hints[name], definitions) for name in names},
    }


def _type_schema(name: str, hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        return {"anyOf": [_type_schema(name, inner, definitions), {"type": "null"}]}
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return {"type": "array", "items": _type_schema(name, item, definitions)}
    if hint is Estado:
        return {"$ref": "#/$defs/Estado"}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        definitions.setdefault(hint.__name__, _object_schema(hint, definitions))
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if hint is str:
        return {"type": "string", **({"format": FORMATS[name]} if name in FORMATS else {})}
    if hint is int:
        return {"type": "integer"}
    raise TypeError(f"{name}: no JSON Schema for {hint!r}")
