"""Load through the emulator (docs/reliability.md): many createOrder from concurrent clients.
Every acknowledged id is readable, ordersByState pages through exactly those ids, the
recibida queue holds one message per id, and each client's orders leave the queue in the
order that client created them."""

import json
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from resolvers.domain.states import Estado
from tests.e2e.aws_store import Store
from tests.e2e.conftest import Emulator
from tests.e2e.orders_api import CREATE, FUTURE_DATE, GET, PAGE
from tests.soak import figures, size

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("drains the emulator's moto queue"),
]

SECTION = "Load (e2e, 32 concurrent clients)"
CLIENTS = 32
ORDERS = size(bounded=128, soak=2000)
# A client retries a failed createOrder with the same clientToken, as docs/design.md
# ("Idempotent creation") tells it to: on a saturated machine the local
# moto endpoint can miss the Lambda's 1 s read timeout three times, and the service then
# undoes the write and reports an error. Every failure is counted in the report.
ATTEMPTS = 5


def _client_run(emulator: Emulator, client: int, count: int) -> tuple[list[str], Counter[str]]:
    """One client creating `count` orders one after another; its acknowledged ids in order,
    and the failed attempts by class."""
    ids: list[str] = []
    failures: Counter[str] = Counter()
    with httpx.Client(headers={"x-api-key": emulator.api_key}, timeout=60) as http:
        for n in range(count):
            order = {
                "descripcion": f"carga {client}-{n}",
                "fecha_entrega": FUTURE_DATE,
                "clientToken": f"carga-{uuid.uuid4()}",
            }
            for _ in range(ATTEMPTS):
                response = http.post(
                    f"{emulator.url}/graphql",
                    json={"query": CREATE, "variables": {"input": order}},
                )
                body = response.json() if response.status_code == 200 else {}
                if response.status_code == 200 and not body.get("errors"):
                    ids.append(body["data"]["createOrder"]["id"])
                    break
                errors = body.get("errors") or [{}]
                failures[f"HTTP {response.status_code} {errors[0].get('errorType')}"] += 1
    return ids, failures


def _read(emulator: Emulator, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The `data` of a read, retried like the creations: a read changes nothing, and on a
    saturated machine moto can miss the Lambda's read timeout (each miss is counted)."""
    for _ in range(ATTEMPTS - 1):
        body = emulator.graphql(query, variables).json()
        errors = body.get("errors") or []
        if not errors:
            data: dict[str, Any] = body["data"]
            return data
        assert {e.get("errorType") for e in errors} == {"Lambda:Unhandled"}, errors
        figures.count(SECTION, "failed reads (retried): HTTP 200 Lambda:Unhandled", 1)
    return emulator.data(query, variables)


def test_concurrent_creations_are_each_stored_listed_and_queued_once(emulator: Emulator) -> None:
    # given: the recibida queue emptied, and the instant the load starts
    store = Store.of(emulator)
    store.drain(Estado.recibida)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    per_client = [ORDERS // CLIENTS + (1 if c < ORDERS % CLIENTS else 0) for c in range(CLIENTS)]
    # when: every client creates its orders one after another, all clients at once
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        runs = list(pool.map(lambda c: _client_run(emulator, c, per_client[c]), range(CLIENTS)))
    acknowledged = [order_id for ids, _ in runs for order_id in ids]
    failures = sum((f for _, f in runs), Counter[str]())
    figures.count(SECTION, "orders to create", ORDERS)
    figures.count(SECTION, "createOrder requests", ORDERS + sum(failures.values()))
    figures.count(SECTION, "acknowledged", len(acknowledged))
    for kind, n in failures.items():
        figures.count(SECTION, f"failed attempts (retried with the clientToken): {kind}", n)
    # Only infrastructure faults may fail an attempt: never a resolver error on good input
    assert set(failures) <= {"HTTP 200 Lambda:Unhandled"}, failures
    assert len(set(acknowledged)) == len(acknowledged) == ORDERS

    # then: every acknowledged id reads back
    unreadable = [
        order_id
        for order_id in acknowledged
        if (_read(emulator, GET, {"id": order_id})["getOrder"] or {}).get("id") != order_id
    ]
    figures.count(SECTION, "unreadable ids", len(unreadable))
    assert unreadable == []

    # and ordersByState pages through exactly those ids, no duplicate, no gap
    listed: list[str] = []
    token = None
    while True:
        variables = {"estado": "recibida", "desde": started, "limit": 100, "nextToken": token}
        page = _read(emulator, PAGE, variables)["ordersByState"]
        listed += [item["id"] for item in page["items"]]
        token = page["nextToken"]
        if token is None:
            break
    figures.count(SECTION, "listed duplicates", len(listed) - len(set(listed)))
    assert len(listed) == len(set(listed))
    assert set(listed) == set(acknowledged)

    # and the recibida queue holds exactly one message per acknowledged id
    messages = store.drain(Estado.recibida)
    queued = [json.loads(m["Body"])["order"]["id"] for m in messages]
    per_id = Counter(queued)
    lost = [i for i in acknowledged if per_id[i] == 0]
    doubled = [i for i, n in per_id.items() if n > 1]
    figures.count(SECTION, "lost messages", len(lost))
    figures.count(SECTION, "doubled messages", len(doubled))
    assert lost == []
    assert doubled == []
    assert set(queued) == set(acknowledged)

    # and each client's orders come out of the queue in the order it created them
    position = {order_id: n for n, order_id in enumerate(queued)}
    out_of_order: dict[int, Any] = defaultdict(list)
    for client, (ids, _) in enumerate(runs):
        if [position[i] for i in ids] != sorted(position[i] for i in ids):
            out_of_order[client] = ids
    figures.count(SECTION, "clients whose orders left the queue out of order", len(out_of_order))
    assert dict(out_of_order) == {}
