"""3. Warm overhead: each operation through the handler against the fewest raw boto3 calls
that do the same AWS work, on the same moto endpoint, interleaved in rounds.

The raw side is what a hand-written function would do at the least: createOrder is a
conditional PutItem and a SendMessage; updateOrderState the handler's own conditional
UpdateItem (history entry appended, on the same conditions) returning the new item, and a
SendMessage; a page is one Query of the state index.
The handler runs as deployed (API cache on: pages read whole items) with tracing off."""

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from bench import workload
from bench.figures import compared, figure
from bench.in_process import InProcessLambda, event
from bench.moto_backend import MotoBackend
from bench.sampling import Call, Measurement, Plan, measure
from resolvers.definitions import resources
from resolvers.definitions.fields import CREATE_ORDER, ORDERS_BY_STATE, UPDATE_ORDER_STATE
from resolvers.definitions.scale import DEFAULT_STATE_SHARDS
from resolvers.domain.order import UNPUBLISHED_SINCE
from resolvers.domain.partitions import estado_shard, estado_shard_for
from resolvers.domain.states import Estado

GOAL = 1.15
HANDLER = "handler"
RAW = "raw boto3"
# Raw boto3 making every call the handler makes: the marker's clearing UpdateItem too.
SAME_CALLS = "raw boto3, same calls"
PAGE = 20
# The benchmark's backend is provisioned with the default: one shard, queried as `estado#0`.
SHARDS = DEFAULT_STATE_SHARDS


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RawOrders:
    """The same AWS work as the handler, written as directly as boto3 allows."""

    def __init__(self, backend: MotoBackend) -> None:
        self._dynamodb = backend.aws.dynamodb()
        self._sqs = backend.aws.sqs()
        self._table = backend.provisioned.names.orders_table
        self._queues = backend.provisioned.queue_urls

    def _publish(self, order: dict[str, Any]) -> None:
        estado = Estado(order["estado"])
        self._sqs.send_message(
            QueueUrl=self._queues[estado],
            MessageBody=json.dumps(order, ensure_ascii=False, separators=(",", ":")),
            MessageGroupId=estado.value,
            MessageDeduplicationId=f"{order['id']}:{estado.value}:{order['version']}",
        )

    def create(self, number: int) -> str:
        now = datetime.now(UTC)
        order_id = str(uuid.uuid4())
        order = {
            "id": order_id,
            "descripcion": workload.descripcion(number),
            "fecha_entrega": workload.FECHA_ENTREGA,
            "estado": Estado.recibida.value,
            "fecha_registro": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "timestamp": int(now.timestamp()),
            "version": 1,
        }
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                **{
                    name: {"N": str(value)} if isinstance(value, int) else {"S": value}
                    for name, value in order.items()
                },
                # The state index key, written with the state (one shard, as the handler's).
                resources.STATE_SHARD_ATTRIBUTE: {
                    "S": estado_shard_for(Estado.recibida, order_id, SHARDS)
                },
            },
            ConditionExpression="attribute_not_exists(#id)",
            ExpressionAttributeNames={"#id": resources.ORDERS_PARTITION_KEY},
        )
        self._publish(order)
        return order_id

    def clear_marker(self, order_id: str, estado: Estado, version: int) -> None:
        """The handler's last call, which the least hand-written function does not make:
        the order's unpublished marker removed once its message is sent."""
        self._dynamodb.update_item(
            TableName=self._table,
            Key={resources.ORDERS_PARTITION_KEY: {"S": order_id}},
            UpdateExpression="REMOVE #p",
            ConditionExpression="#e = :e AND #v = :v",
            ExpressionAttributeNames={"#p": UNPUBLISHED_SINCE, "#e": "estado", "#v": "version"},
            ExpressionAttributeValues={":e": {"S": estado.value}, ":v": {"N": str(version)}},
        )

    def create_and_clear(self, number: int) -> None:
        self.clear_marker(self.create(number), Estado.recibida, 1)

    def start_and_clear(self, order_id: str) -> None:
        self.start(order_id)
        self.clear_marker(order_id, Estado.enproceso, 2)

    def start(self, order_id: str) -> None:
        """recibida -> enproceso in the handler's one conditional write (its history entry
        appended, its unpublished marker set, on the same conditions), then its message."""
        now = _now()
        item = self._dynamodb.update_item(
            TableName=self._table,
            Key={resources.ORDERS_PARTITION_KEY: {"S": order_id}},
            UpdateExpression="SET #e = :to, #k = :shard, #v = #v + :one, #u = :now, "
            "#p = :now, #h = list_append(if_not_exists(#h, :none), :entry) REMOVE #m",
            ConditionExpression="attribute_exists(#id) AND #e IN (:from) "
            "AND attribute_not_exists(#p) AND #r < :now "
            "AND (attribute_not_exists(#u) OR #u < :now)",
            ExpressionAttributeNames={
                "#id": resources.ORDERS_PARTITION_KEY,
                "#e": "estado",
                "#k": resources.STATE_SHARD_ATTRIBUTE,
                "#v": "version",
                "#u": "fecha_actualizacion",
                "#r": "fecha_registro",
                "#p": UNPUBLISHED_SINCE,
                "#h": "historial",
                "#m": "motivo_cancelacion",
            },
            ExpressionAttributeValues={
                ":to": {"S": Estado.enproceso.value},
                ":shard": {"S": estado_shard_for(Estado.enproceso, order_id, SHARDS)},
                ":from": {"S": Estado.recibida.value},
                ":one": {"N": "1"},
                ":now": {"S": now},
                ":none": {"L": []},
                ":entry": {
                    "L": [
                        {
                            "M": {
                                "estado": {"S": Estado.enproceso.value},
                                "fecha": {"S": now},
                                "por": {"S": "api-key"},
                            }
                        }
                    ]
                },
            },
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )["Attributes"]
        order: dict[str, Any] = {name: next(iter(value.values())) for name, value in item.items()}
        self._publish({**order, "version": int(order["version"])})

    def page(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._dynamodb.query(
            TableName=self._table,
            IndexName=resources.STATE_INDEX_NAME,
            KeyConditionExpression="#e = :e",
            ExpressionAttributeNames={"#e": resources.STATE_INDEX_PARTITION_KEY},
            ExpressionAttributeValues={":e": {"S": estado_shard(workload.LISTED_STATE, 0)}},
            Limit=PAGE,
        )["Items"]
        if len(items) != PAGE:
            raise AssertionError(f"a raw page of {PAGE} came back with {len(items)}")
        return items


def _sequence(calls: Sequence[Callable[[], Any]]) -> Call:
    """One prepared call per timed call (a write is made once), built before timing."""
    pending = iter(calls)

    def call() -> Any:
        return next(pending)()

    return call


def _page(orders_lambda: InProcessLambda) -> Call:
    request = event(
        ORDERS_BY_STATE,
        {"estado": workload.LISTED_STATE.value, "limit": PAGE},
        workload.page_selection(workload.WHOLE_ORDER),
    )

    def call() -> Any:
        page = orders_lambda.invoke(request)
        if len(page["items"]) != PAGE:
            raise AssertionError(f"a page of {PAGE} came back with {len(page['items'])}")
        return page

    return call


def _compared(measurement: Measurement) -> dict[str, Any]:
    subject = figure(measurement.samples(HANDLER), "ms")
    result = compared(subject, figure(measurement.samples(RAW), "ms"), GOAL)
    if SAME_CALLS in measurement.rounds:
        # Informs only: what the handler adds over the very calls it makes.
        same = figure(measurement.samples(SAME_CALLS), "ms")
        result["same_calls"] = compared(subject, same, None)
    return result


def run(
    orders_lambda: InProcessLambda, backend: MotoBackend, *, reads: Plan, writes: Plan
) -> dict[str, Any]:
    raw = RawOrders(backend)
    count = writes.calls_per_variant
    creations = [
        partial(orders_lambda.call, CREATE_ORDER, workload.create_input(n), ["id"])
        for n in range(count)
    ]
    raw_creations = [partial(raw.create, n) for n in range(count)]
    same_creations = [partial(raw.create_and_clear, count + n) for n in range(count)]
    fresh = workload.create_orders(orders_lambda, 3 * count)
    transitions = [
        partial(
            orders_lambda.call,
            UPDATE_ORDER_STATE,
            {"id": order_id, "estado": Estado.enproceso.value},
            workload.WHOLE_ORDER,
        )
        for order_id in fresh[:count]
    ]
    raw_transitions = [partial(raw.start, order_id) for order_id in fresh[count : 2 * count]]
    same_transitions = [partial(raw.start_and_clear, order_id) for order_id in fresh[2 * count :]]
    backend.consume_queues()
    # The page first: the writes add to the listed state, and moto's Query cost grows with it.
    page = measure({HANDLER: _page(orders_lambda), RAW: raw.page}, reads)
    create = measure(
        {
            HANDLER: _sequence(creations),
            RAW: _sequence(raw_creations),
            SAME_CALLS: _sequence(same_creations),
        },
        writes,
        backend.consume_queues,
    )
    update = measure(
        {
            HANDLER: _sequence(transitions),
            RAW: _sequence(raw_transitions),
            SAME_CALLS: _sequence(same_transitions),
        },
        writes,
        backend.consume_queues,
    )
    return {
        "createOrder": _compared(create),
        "updateOrderState": _compared(update),
        f"ordersByState (limit {PAGE})": _compared(page),
    }
