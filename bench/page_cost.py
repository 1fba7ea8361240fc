"""4. Reads scale with the page, not the table: the items DynamoDB examines (a Query's
ScannedCount, what read capacity is charged on) for one ordersByState(limit: 20) page, with
a small and a large table, and beside it the Scan-and-filter listing similar services use.

The orders are written straight into moto's in-process backend (the same process serves
the moto endpoint), spread over the four states, so seeding 50,000 takes seconds. The page
is asked of the real handler; its DynamoDB client reports every Query's ScannedCount.
moto's own Query cost grows with the table, so wall time is not the figure here."""

import uuid
from datetime import timedelta
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from moto.core import DEFAULT_ACCOUNT_ID  # type: ignore[attr-defined]
from moto.dynamodb.models import dynamodb_backends

from api.emulator.provisioning import provision
from api.emulator.server import local_lambda_environment
from bench import workload
from bench.figures import compared, figure
from bench.in_process import InProcessLambda
from bench.moto_backend import MotoBackend
from harness.clocks import START
from resolvers.definitions import resources
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS
from resolvers.definitions.fields import ORDERS_BY_STATE
from resolvers.definitions.resources import ResourceNames
from resolvers.definitions.scale import DEFAULT_STATE_SHARDS
from resolvers.domain.calendar import epoch_seconds, format_instant
from resolvers.domain.order import Order
from resolvers.domain.partitions import estado_shard_for
from resolvers.domain.states import Estado

GOAL = 1.05
PAGE = 20
STAGE = "pages"
DESCRIPCION = "revisar la bomba de agua del edificio norte"
_serializer = TypeSerializer()


class PageCost:
    def __init__(self, backend: MotoBackend) -> None:
        names = ResourceNames(STAGE)
        self._table_name = names.orders_table
        provisioned = provision(backend.aws.dynamodb(), backend.sqs, names)
        self._dynamodb = backend.aws.dynamodb()
        self.scanned: list[int] = []
        self._dynamodb.meta.events.register("after-call.dynamodb.Query", self._record)
        self._lambda = InProcessLambda(
            local_lambda_environment(backend.aws, provisioned, DEFAULT_TTL_SECONDS),
            dynamodb=self._dynamodb,
        )
        self._table = dynamodb_backends[DEFAULT_ACCOUNT_ID][backend.aws.region].get_table(
            self._table_name
        )
        self.size = 0

    def _record(self, parsed: dict[str, Any], **_: Any) -> None:
        self.scanned.append(int(parsed.get("ScannedCount", 0)))

    def grow_to(self, size: int) -> None:
        """Orders in arrival order, one state after the other (a quarter in each)."""
        states = list(Estado)
        for number in range(self.size, size):
            arrived = START + timedelta(milliseconds=number)
            order = Order(
                id=str(uuid.uuid4()),
                descripcion=DESCRIPCION,
                fecha_entrega=workload.FECHA_ENTREGA,
                estado=states[number % len(states)],
                fecha_registro=format_instant(arrived),
                timestamp=epoch_seconds(arrived),
                version=1,
            )
            item = {
                name: _serializer.serialize(value)
                for name, value in order.as_dict().items()
                if value is not None
            }
            # As the table adapter writes it: the state index key beside the state.
            item[resources.STATE_SHARD_ATTRIBUTE] = {
                "S": estado_shard_for(order.estado, order.id, DEFAULT_STATE_SHARDS)
            }
            self._table.put_item(item)
        self.size = size

    def page(self) -> tuple[int, list[str]]:
        """(items examined, ids) for the first page of the listed state, via the handler."""
        self.scanned.clear()
        page = self._lambda.call(
            ORDERS_BY_STATE,
            {"estado": workload.LISTED_STATE.value, "limit": PAGE},
            workload.page_selection(["id"]),
        )
        return sum(self.scanned), [item["id"] for item in page["items"]]

    def scan_and_filter(self) -> tuple[int, list[str]]:
        """The same page by Scan: every item is examined (a Scan returns no order, so the
        oldest 20 are known only once all are read), the state is a filter."""
        examined, matching = 0, []
        request: dict[str, Any] = {
            "TableName": self._table_name,
            "FilterExpression": "#e = :e",
            # Only what sorting and comparing the page needs: moto serialises less.
            "ProjectionExpression": "#i, #r",
            "ExpressionAttributeNames": {
                "#e": resources.STATE_ATTRIBUTE,
                "#i": resources.ORDERS_PARTITION_KEY,
                "#r": resources.STATE_INDEX_SORT_KEY,
            },
            "ExpressionAttributeValues": {":e": {"S": workload.LISTED_STATE.value}},
        }
        while True:
            response = self._dynamodb.scan(**request)
            examined += response["ScannedCount"]
            matching.extend(response["Items"])
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        matching.sort(key=lambda item: item[resources.STATE_INDEX_SORT_KEY]["S"])
        return examined, [item["id"]["S"] for item in matching[:PAGE]]


def run(backend: MotoBackend, *, sizes: tuple[int, int], repeats: int) -> dict[str, Any]:
    small, large = sizes
    cost = PageCost(backend)
    measured: dict[int, dict[str, Any]] = {}
    for size in sizes:
        cost.grow_to(size)
        queries = [cost.page() for _ in range(repeats)]
        scan = cost.scan_and_filter()
        if scan[1] != queries[0][1]:
            raise AssertionError("the Scan-and-filter listing and the Query page differ")
        measured[size] = {
            "query": figure([examined for examined, _ in queries], "items examined"),
            "scan": figure([scan[0]], "items examined"),
        }
    return {
        "table_sizes": list(sizes),
        "page": PAGE,
        "query_large_vs_small": compared(measured[large]["query"], measured[small]["query"], GOAL),
        "scan_large_vs_small": compared(measured[large]["scan"], measured[small]["scan"], None),
        "scan_vs_query_large": compared(measured[large]["scan"], measured[large]["query"], None),
        "by_size": {str(size): measured[size] for size in sizes},
    }
