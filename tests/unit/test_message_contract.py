"""The queue message contract, version 1: the committed JSON Schema is the one the domain
generates, its `order` is the GraphQL `Order` type field for field, and the envelope the
publisher sends says what happened."""

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    build_schema,
)
from jsonschema import Draft202012Validator

from api.message_schema import MESSAGE_SCHEMA_PATH, export_message_schema
from api.sdl import export_sdl
from resolvers.adapters.state_queues import StateQueues
from resolvers.domain.message_schema import message_schema
from resolvers.domain.messages import OrderEnteredState
from resolvers.domain.order import NewOrder, Order, StateChange, transition
from resolvers.domain.states import Estado
from tests.message_contract import check_body
from tests.unit.test_exported_schema import APPSYNC_PRELUDE

NOW = datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)
# JSON Schema of each GraphQL scalar the Order type uses.
SCALARS: dict[str, dict[str, Any]] = {
    "ID": {"type": "string"},
    "String": {"type": "string"},
    "Int": {"type": "integer"},
    "AWSTimestamp": {"type": "integer"},
    "AWSDate": {"type": "string", "format": "date"},
    "AWSDateTime": {"type": "string", "format": "date-time"},
}


def _new_order() -> Order:
    new = NewOrder(descripcion="cambiar filtro", fecha_entrega=date(2099, 12, 31))
    return Order.register(new, order_id="o-1", now=NOW)


def test_committed_message_schema_is_the_generated_one() -> None:
    # given the committed file / when generated anew / then they match (run `make schema`)
    assert MESSAGE_SCHEMA_PATH.read_text(encoding="utf-8") == export_message_schema()


def test_the_schema_is_valid_draft_2020_12() -> None:
    schema = message_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def _expected(graphql_type: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """What `graphql_type` (a field's type) must be in the message schema."""
    nullable = not isinstance(graphql_type, GraphQLNonNull)
    named = graphql_type.of_type if not nullable else graphql_type
    if isinstance(named, GraphQLList):
        inner = _expected(named.of_type, schema)
        expected: dict[str, Any] = {"type": "array", "items": inner}
    elif isinstance(named, GraphQLEnumType):
        expected = {"$ref": f"#/$defs/{named.name}"}
        assert schema["$defs"][named.name] == {"enum": list(named.values)}
    elif isinstance(named, GraphQLObjectType):
        expected = {"$ref": f"#/$defs/{named.name}"}
        _assert_object_matches(named, schema["$defs"][named.name], schema)
    else:
        assert isinstance(named, GraphQLScalarType)
        expected = SCALARS[named.name]
    return {"anyOf": [expected, {"type": "null"}]} if nullable else expected


def _assert_object_matches(
    graphql_type: GraphQLObjectType, definition: dict[str, Any], schema: dict[str, Any]
) -> None:
    assert set(definition["properties"]) == set(graphql_type.fields), graphql_type.name
    assert set(definition["required"]) == set(graphql_type.fields)
    for name, field in graphql_type.fields.items():
        assert definition["properties"][name] == _expected(field.type, schema), name


def test_the_order_in_a_message_is_the_graphql_order_type() -> None:
    # given the GraphQL schema AppSync serves and the message schema
    graphql = build_schema(APPSYNC_PRELUDE + export_sdl())
    schema = message_schema()
    order_type = graphql.get_type("Order")
    assert isinstance(order_type, GraphQLObjectType)
    # then every field, its type and its nullability are the same in both
    _assert_object_matches(order_type, schema["$defs"]["Order"], schema)


def test_a_created_order_enters_recibida_from_nowhere() -> None:
    order = _new_order()
    message = OrderEnteredState.of(order)
    body = check_body(message.body())
    assert (body["schemaVersion"], body["type"]) == (1, "OrderEnteredState")
    assert (body["estado"], body["desde"]) == ("recibida", None)
    assert body["at"] == order.fecha_registro
    assert body["order"] == order.as_dict()
    assert message.attributes() == {
        "schemaVersion": 1,
        "type": "OrderEnteredState",
        "estado": "recibida",
    }


@pytest.mark.parametrize(
    ("path", "desde"),
    [
        ([Estado.enproceso], Estado.recibida),
        ([Estado.enproceso, Estado.completada], Estado.enproceso),
    ],
)
def test_a_transition_says_which_state_it_left(path: list[Estado], desde: Estado) -> None:
    order = _new_order()
    for estado in path:
        order = transition(order, StateChange(estado), now=NOW)
    body = check_body(OrderEnteredState.of(order).body())
    assert (body["estado"], body["desde"]) == (path[-1].value, desde.value)
    assert body["at"] == order.fecha_actualizacion


def test_por_is_who_moved_the_order_into_the_state() -> None:
    new = NewOrder(
        descripcion="cambiar filtro", fecha_entrega=date(2099, 12, 31), por="ana@example.com"
    )
    order = Order.register(new, order_id="o-1", now=NOW)
    assert OrderEnteredState.of(order).body()["por"] == "ana@example.com"
    change = StateChange(Estado.cancelada, motivo="sin repuesto", por="jefa@example.com")
    cancelled = check_body(OrderEnteredState.of(transition(order, change, now=NOW)).body())
    assert (cancelled["por"], cancelled["desde"]) == ("jefa@example.com", "recibida")
    assert cancelled["order"]["creado_por"] == "ana@example.com"


def test_an_order_stored_before_it_kept_a_history_is_described_from_its_fields() -> None:
    # given an item written before orders had creado_por and historial
    stored = {
        k: v for k, v in _new_order().as_dict().items() if k not in {"creado_por", "historial"}
    }
    old = Order.from_dict({**stored, "estado": "enproceso", "version": 2})
    # when its message is sent again (orders repair)
    body = check_body(OrderEnteredState.of(old).body())
    # then it says what the order itself says, and nobody for who
    assert (body["estado"], body["desde"], body["por"]) == ("enproceso", "recibida", "desconocido")


def test_a_message_with_an_unknown_field_or_a_wrong_type_is_refused() -> None:
    body = OrderEnteredState.of(_new_order()).body()
    with pytest.raises(AssertionError, match="Additional properties"):
        check_body({**body, "extra": 1})
    with pytest.raises(AssertionError, match="is not of type 'integer'"):
        check_body({**body, "order": {**body["order"], "version": "1"}})
    with pytest.raises(AssertionError, match="'desde' is a required property"):
        check_body({k: v for k, v in body.items() if k != "desde"})


class _RecordingSqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, **request: Any) -> dict[str, str]:
        self.sent.append(request)
        return {"MessageId": "m-1"}


def test_the_publisher_sends_the_envelope_with_its_routing_attributes() -> None:
    # given
    sqs = _RecordingSqs()
    queues = StateQueues(sqs, {e: f"url-{e.value}" for e in Estado}, groups=1)  # type: ignore[arg-type]
    # when
    queues.publish(_new_order())
    # then
    (request,) = sqs.sent
    check_body(json.loads(request["MessageBody"]))
    assert request["MessageAttributes"] == {
        "schemaVersion": {"DataType": "Number", "StringValue": "1"},
        "type": {"DataType": "String", "StringValue": "OrderEnteredState"},
        "estado": {"DataType": "String", "StringValue": "recibida"},
    }
    assert (request["MessageGroupId"], request["MessageDeduplicationId"]) == (
        "recibida",
        "o-1:recibida:1",
    )
