"""The orders table in DynamoDB: conditional writes, one GetItem per read, one Query per
shard of the state index per page, the shards read concurrently (never a Scan)."""

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from resolvers.definitions import resources
from resolvers.domain.order import (
    ORDER_ATTRIBUTES,
    UNPUBLISHED_SINCE,
    Order,
    StateChange,
    appended_entry,
    historial_from,
)
from resolvers.domain.partitions import estado_shard, estado_shard_for
from resolvers.domain.queries import SortDirection
from resolvers.domain.states import INITIAL_STATE, Estado, sources_of
from resolvers.service.ports import (
    OrderAlreadyStored,
    OrderView,
    Projection,
    ShardRead,
    StaleOrder,
)

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
# The Lambda is synchronous: a page's shards are read by this many threads at most (under
# botocore's default pool of 10 connections per client, so no connection is dropped).
MAX_CONCURRENT_QUERIES = 8
# What the merge orders by and a cursor holds (resolvers/service/pages.py): always read.
_CURSOR_ATTRIBUTES = frozenset({resources.ORDERS_PARTITION_KEY, resources.STATE_INDEX_SORT_KEY})


def _is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _stale_or(error: ClientError) -> Exception:
    """StaleOrder with the stored order for a failed condition (the item comes back with
    ReturnValuesOnConditionCheckFailure=ALL_OLD, absent when there is none); else `error`."""
    if not _is_condition_failure(error):
        return error
    item: dict[str, Any] | None = error.response.get("Item")  # type: ignore[assignment]
    return StaleOrder(None if not item else Order.from_dict(_from_item(item)))


def _plain(value: Any) -> Any:
    # DynamoDB numbers come back as Decimal; every number of an order is an integer.
    return int(value) if isinstance(value, Decimal) else value


def _from_item(item: dict[str, Any]) -> OrderView:
    # The shard is where the item is stored, not part of the order.
    return {
        name: _plain_value(_deserializer.deserialize(value))
        for name, value in item.items()
        if name != resources.STATE_SHARD_ATTRIBUTE
    }


def _plain_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain_value(entry) for entry in value]
    if isinstance(value, dict):
        return {name: _plain_value(entry) for name, entry in value.items()}
    return _plain(value)


_HISTORIAL = "historial"


def _stored_values(order: Order) -> dict[str, Any]:
    """The order's attributes as the item stores them (history entries without versions)."""
    values = order.as_dict()
    values[_HISTORIAL] = [entry.as_entry() for entry in order.historial]
    return values


# Stored for the table's own bookkeeping, never returned by a read: the item's shard of the
# state index and its publication marker.
_INTERNAL_ATTRIBUTES = frozenset({resources.STATE_SHARD_ATTRIBUTE, UNPUBLISHED_SINCE})


def _view(item: dict[str, Any], attributes: Projection = None) -> OrderView:
    """An item as a read returns it (the attributes asked for, or all): the shard and the
    publication bookkeeping are not the client's, and each history entry carries its
    version."""
    view = {
        name: _plain_value(_deserializer.deserialize(value))
        for name, value in item.items()
        if name not in _INTERNAL_ATTRIBUTES
    }
    if isinstance(view.get(_HISTORIAL), list):
        entries = historial_from(view[_HISTORIAL], version=view[resources.VERSION_ATTRIBUTE])
        view[_HISTORIAL] = [entry.as_dict() for entry in entries]
    if attributes is not None:
        view = {name: value for name, value in view.items() if name in attributes}
    return view


def _read_projection(attributes: Projection) -> Projection:
    """What to read for `attributes`: a history's versions are counted from the order's."""
    if attributes is None or _HISTORIAL not in attributes:
        return attributes
    return attributes | {resources.VERSION_ATTRIBUTE}


def _to_item(order: Order, shards: int) -> dict[str, Any]:
    # Absent optional attributes are not stored: the GraphQL type makes them null.
    item = {
        name: _serializer.serialize(value)
        for name, value in _stored_values(order).items()
        if value is not None
    }
    item[resources.STATE_SHARD_ATTRIBUTE] = {"S": estado_shard_for(order.estado, order.id, shards)}
    # A new order's message is not sent yet: in the unpublished index until it is.
    item[UNPUBLISHED_SINCE] = {"S": order.entered_state_at}
    return item


def _projection(attributes: Projection) -> dict[str, Any]:
    if attributes is None:
        return {}
    names = sorted(attributes)
    return {
        "ProjectionExpression": ", ".join(f"#p{i}" for i in range(len(names))),
        "ExpressionAttributeNames": {f"#p{i}": name for i, name in enumerate(names)},
    }


class OrdersTable:
    def __init__(self, client: "DynamoDBClient", table_name: str, *, state_shards: int) -> None:
        self._client = client
        self._table = table_name
        self._shards = state_shards

    @property
    def state_shards(self) -> int:
        return self._shards

    def _key(self, order_id: str) -> dict[str, Any]:
        return {resources.ORDERS_PARTITION_KEY: {"S": order_id}}

    def add(self, order: Order) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_to_item(order, self._shards),
                ConditionExpression="attribute_not_exists(#id)",
                ExpressionAttributeNames={"#id": resources.ORDERS_PARTITION_KEY},
            )
        except ClientError as error:
            if _is_condition_failure(error):
                raise OrderAlreadyStored(order.id) from None
            raise

    def load(self, order_id: str) -> Order | None:
        response = self._client.get_item(
            TableName=self._table, Key=self._key(order_id), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else Order.from_dict(_from_item(item))

    def get(self, order_id: str, attributes: Projection) -> OrderView | None:
        # Consistent, so a client reads its own write (createOrder then getOrder).
        response = self._client.get_item(
            TableName=self._table,
            Key=self._key(order_id),
            ConsistentRead=True,
            **_projection(_read_projection(attributes)),
        )
        item = response.get("Item")
        return None if item is None else _view(item, attributes)

    def read_state_shards(
        self, reads: Sequence[ShardRead], *, limit: int, attributes: Projection
    ) -> list[list[OrderView]]:
        projection = None if attributes is None else attributes | _CURSOR_ATTRIBUTES
        if len(reads) == 1:
            return [self._read_shard(reads[0], limit, projection)]
        # boto3 clients are thread-safe; one short-lived pool per page keeps no thread
        # alive between invocations.
        with ThreadPoolExecutor(min(len(reads), MAX_CONCURRENT_QUERIES)) as pool:
            return list(pool.map(lambda read: self._read_shard(read, limit, projection), reads))

    def _read_shard(self, read: ShardRead, limit: int, projection: Projection) -> list[OrderView]:
        """Up to `limit` orders of one shard, fewer only when the shard has no more."""
        request = self._query_request(read, _read_projection(projection))
        items: list[dict[str, Any]] = []
        exclusive_start: dict[str, Any] | None = None
        if read.after is not None:
            exclusive_start = {
                resources.ORDERS_PARTITION_KEY: {"S": read.after.id},
                resources.STATE_INDEX_PARTITION_KEY: {
                    "S": estado_shard(read.query.estado, read.shard)
                },
                resources.STATE_INDEX_SORT_KEY: {"S": read.after.fecha_registro},
            }
        while len(items) < limit:
            if exclusive_start is not None:
                request["ExclusiveStartKey"] = exclusive_start
            # A response can stop short of Limit (1 MB per page), so ask for what is missing.
            request["Limit"] = limit - len(items)
            response = self._client.query(**request)
            items.extend(response.get("Items", []))
            exclusive_start = response.get("LastEvaluatedKey")
            if exclusive_start is None:
                break
        return [_view(item, projection) for item in items]

    def _query_request(self, read: ShardRead, projection: Projection) -> dict[str, Any]:
        query = read.query
        names = {"#e": resources.STATE_INDEX_PARTITION_KEY}
        values: dict[str, Any] = {":e": {"S": estado_shard(query.estado, read.shard)}}
        condition = "#e = :e"
        if query.desde is not None or query.hasta is not None:
            # DynamoDB rejects an attribute name that the expressions do not use.
            names["#r"] = resources.STATE_INDEX_SORT_KEY
        if query.desde is not None and query.hasta is not None:
            condition += " AND #r BETWEEN :desde AND :hasta"
        elif query.desde is not None:
            condition += " AND #r >= :desde"
        elif query.hasta is not None:
            condition += " AND #r <= :hasta"
        if query.desde is not None:
            values[":desde"] = {"S": query.desde}
        if query.hasta is not None:
            values[":hasta"] = {"S": query.hasta}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": resources.STATE_INDEX_NAME,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": query.direction is SortDirection.ASC,
        }
        projected = _projection(projection)
        if projected:
            request["ProjectionExpression"] = projected["ProjectionExpression"]
            names.update(projected["ExpressionAttributeNames"])
        request["ExpressionAttributeNames"] = names
        return request

    def enter_state(self, order_id: str, change: StateChange, *, now: datetime) -> Order:
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(order_id),
                **_entering(change, now, estado_shard_for(change.estado, order_id, self._shards)),
                # The order before the write: what an undo restores, and (through the
                # domain's transition) the order after it.
                ReturnValues="ALL_OLD",
                # The stored item when the condition fails tells the use case why.
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            raise _stale_or(error) from None
        return Order.from_dict(_from_item(response["Attributes"]))

    def save_transition(self, before: Order, after: Order) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(before.id),
                **_update_from(
                    before, after, self._shards, unpublished_since=after.entered_state_at
                ),
                # The stored item when the condition fails tells the use case why.
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            raise _stale_or(error) from None

    def revert_transition(self, before: Order, after: Order) -> None:
        # `before` was published (the service publishes a state before leaving it).
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(before.id),
                **_update_from(after, before, self._shards, unpublished_since=None),
            )
        except ClientError as error:
            if _is_condition_failure(error):
                raise StaleOrder(None) from None
            raise

    def mark_published(self, order: Order) -> None:
        """Take `order` out of the unpublished index, if it is still at that version."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(order.id),
                UpdateExpression="REMOVE #unpublished",
                ConditionExpression="#estado = :estado AND #version = :version",
                ExpressionAttributeNames={
                    "#unpublished": UNPUBLISHED_SINCE,
                    "#estado": "estado",
                    "#version": "version",
                },
                ExpressionAttributeValues={
                    ":estado": {"S": order.estado.value},
                    ":version": _serializer.serialize(order.version),
                },
            )
        except ClientError as error:
            # Moved on or gone since: a later write owns the marker, or there is none.
            if not _is_condition_failure(error):
                raise

    def unpublished(self, estado: Estado, *, until: str) -> Iterator[str]:
        """Ids of the orders in `estado` marked unpublished at `until` or earlier: one Query
        per shard of `estado` on the sparse unpublished index, keyed like the state index
        (eventually consistent; callers re-read)."""
        for shard in range(self._shards):
            yield from self._unpublished_in(estado_shard(estado, shard), until)

    def _unpublished_in(self, partition: str, until: str) -> Iterator[str]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": resources.UNPUBLISHED_INDEX_NAME,
            "KeyConditionExpression": "#e = :e AND #since <= :until",
            "ExpressionAttributeNames": {
                "#e": resources.UNPUBLISHED_INDEX_PARTITION_KEY,
                "#since": resources.UNPUBLISHED_INDEX_SORT_KEY,
            },
            "ExpressionAttributeValues": {":e": {"S": partition}, ":until": {"S": until}},
        }
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                yield item[resources.ORDERS_PARTITION_KEY]["S"]
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def remove_new(self, order: Order) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=self._key(order.id),
                ConditionExpression="#estado = :estado AND #version = :version",
                ExpressionAttributeNames=_CONDITION_NAMES,
                ExpressionAttributeValues={
                    ":estado": {"S": INITIAL_STATE.value},
                    ":version": {"N": "1"},
                },
            )
        except ClientError as error:
            if _is_condition_failure(error):
                raise StaleOrder(None) from None
            raise


# A conditional write names the state and version it expects under these placeholders.
_CONDITION_NAMES = {"#estado": resources.STATE_ATTRIBUTE, "#version": resources.VERSION_ATTRIBUTE}


def _update_from(
    stored: Order, target: Order, shards: int, *, unpublished_since: str | None
) -> dict[str, Any]:
    """An UpdateItem that turns `stored` into `target`, conditioned on the item still
    being `stored` (state and version): the single write of a transition or of its undo.
    Every attribute that differs is set or removed (the order's fields say which exist);
    the history gains or loses its last entries; the state index key moves with the state,
    in this same write. It sets the unpublished marker to `unpublished_since`, or removes it
    for None."""
    update = _Update(
        names={**_CONDITION_NAMES, "#estado_shard": resources.STATE_SHARD_ATTRIBUTE},
        values={
            ":was_estado": _serializer.serialize(stored.estado.value),
            ":was_version": _serializer.serialize(stored.version),
            ":estado_shard": {"S": estado_shard_for(target.estado, target.id, shards)},
        },
        sets=["#estado_shard = :estado_shard"],
        condition="#estado = :was_estado AND #version = :was_version",
    )
    was, will = _stored_values(stored), _stored_values(target)
    for name in sorted(ORDER_ATTRIBUTES - {resources.ORDERS_PARTITION_KEY, _HISTORIAL}):
        if will[name] != was[name]:
            update.assign(name, will[name])
    update.change_history(was[_HISTORIAL], will[_HISTORIAL])
    update.assign(UNPUBLISHED_SINCE, unpublished_since)
    return update.request()


@dataclass
class _Update:
    """An UpdateItem's expressions, built one attribute at a time."""

    names: dict[str, str]
    values: dict[str, Any]
    sets: list[str]
    condition: str
    removes: list[str] = field(default_factory=list)

    def assign(self, name: str, value: Any) -> None:
        """Set `name` to `value`, or remove it for None."""
        self.names[f"#{name}"] = name
        if value is None:
            self.removes.append(f"#{name}")
        else:
            self.sets.append(f"#{name} = :{name}")
            self.values[f":{name}"] = _serializer.serialize(value)

    def change_history(self, was: list[dict[str, Any]], will: list[dict[str, Any]]) -> None:
        """Append the entries `will` adds to `was`, or remove the ones it drops (an undo)."""
        if was == will:
            return
        self.names["#historial"] = _HISTORIAL
        if will[: len(was)] == was:
            self.sets.append(
                "#historial = list_append(if_not_exists(#historial, :no_entries), :entries)"
            )
            self.values[":no_entries"] = {"L": []}
            self.values[":entries"] = _serializer.serialize(will[len(was) :])
        elif was[: len(will)] == will:
            # By position, so only on the list this write was computed from.
            self.removes.extend(f"#historial[{i}]" for i in range(len(will), len(was)))
            self.condition += " AND size(#historial) = :was_entries"
            self.values[":was_entries"] = _serializer.serialize(len(was))
        else:
            self.assign(_HISTORIAL, will)

    def request(self) -> dict[str, Any]:
        expression = "SET " + ", ".join(self.sets)
        if self.removes:
            expression += " REMOVE " + ", ".join(self.removes)
        return {
            "UpdateExpression": expression,
            "ConditionExpression": self.condition,
            "ExpressionAttributeNames": self.names,
            "ExpressionAttributeValues": self.values,
        }


def _entering(change: StateChange, now: datetime, estado_shard: str) -> dict[str, Any]:
    """The UpdateItem of `enter_state`: the domain's transition written as expressions (the
    version counted by DynamoDB, the history entry appended), on the conditions under which
    the domain would make it, judged against the item as stored."""
    entry = appended_entry(change, now=now)
    sources = sorted(sources_of(change.estado))
    if not sources:
        raise ValueError(f"no transition enters {change.estado.value}")
    from_sources = ", ".join(f":from{i}" for i in range(len(sources)))
    update = _Update(
        names={
            "#id": resources.ORDERS_PARTITION_KEY,
            **_CONDITION_NAMES,
            "#estado_shard": resources.STATE_SHARD_ATTRIBUTE,
            "#fecha_registro": resources.STATE_INDEX_SORT_KEY,
            "#historial": _HISTORIAL,
        },
        values={
            ":estado": {"S": change.estado.value},
            ":one": {"N": "1"},
            ":estado_shard": {"S": estado_shard},
            ":no_entries": {"L": []},
            ":entries": _serializer.serialize([entry]),
            **{f":from{i}": {"S": source.value} for i, source in enumerate(sources)},
        },
        sets=[
            "#estado = :estado",
            "#version = #version + :one",
            "#estado_shard = :estado_shard",
            "#historial = list_append(if_not_exists(#historial, :no_entries), :entries)",
        ],
        condition=(
            f"attribute_exists(#id) AND #estado IN ({from_sources})"
            " AND attribute_not_exists(#unpublished_since)"
            # Entered its state before this request's instant: a change made since is a
            # concurrent one (and history stays in time order).
            " AND #fecha_registro < :fecha_actualizacion"
            " AND (attribute_not_exists(#fecha_actualizacion)"
            " OR #fecha_actualizacion < :fecha_actualizacion)"
        ),
    )
    update.assign("fecha_actualizacion", entry["fecha"])
    update.assign("motivo_cancelacion", entry.get("motivo"))
    update.assign(UNPUBLISHED_SINCE, entry["fecha"])
    if change.expected_version is not None:
        update.condition += " AND #version = :expected_version"
        update.values[":expected_version"] = _serializer.serialize(change.expected_version)
    return update.request()
