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
from resolvers.domain.order import Order, Wire
from resolvers.domain.states import Estado

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FILE_NAME = "order-message.schema.json"

# What an attribute's wire kind is in JSON Schema (the API maps the same kinds to AppSync's
# AWSDate and AWSDateTime, both RFC 3339; an id is a string, epoch seconds an integer).
FORMATS = {Wire.date: "date", Wire.instant: "date-time"}

_DESCRIPTIONS = {
    "schemaVersion": "Version of this envelope; a new one is published beside the old.",
    "type": "What happened: the order entered a state.",
    "estado": "The state the order entered (the queue's state).",
    "desde": "The state it left; null when the order was created.",
    "por": "Who moved it: the por of the last entry of the order's historial.",
    "at": "When it entered the state (UTC).",
    "order": "The whole order, as the GraphQL Order type returns it.",
}


def message_schema() -> dict[str, Any]:
    """The schema of a message body, as committed in order-message.schema.json."""
    definitions: dict[str, Any] = {"Estado": {"enum": [e.value for e in Estado]}}
    definitions["Order"] = _object_schema(Order, definitions)
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


def _object_schema(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    """The attributes clients see of a dataclass (those with a wire kind in their metadata,
    resolvers.domain.order.attribute) as an object whose every field is required (null
    when absent)."""
    hints = typing.get_type_hints(cls)
    wires = {f.name: f.metadata["wire"] for f in dataclasses.fields(cls) if "wire" in f.metadata}
    return {
        "type": "object",
        "required": list(wires),
        "properties": {
            name: _type_schema(hints[name], wire, definitions) for name, wire in wires.items()
        },
    }


def _type_schema(hint: Any, wire: Wire | None, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        return {"anyOf": [_type_schema(inner, wire, definitions), {"type": "null"}]}
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return {"type": "array", "items": _type_schema(item, wire, definitions)}
    if hint is Estado:
        return {"$ref": "#/$defs/Estado"}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        definitions.setdefault(hint.__name__, _object_schema(hint, definitions))
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if hint is str:
        return {"type": "string", **({"format": FORMATS[wire]} if wire in FORMATS else {})}
    if hint is int:
        return {"type": "integer"}
    raise TypeError(f"no JSON Schema for {hint!r}")
