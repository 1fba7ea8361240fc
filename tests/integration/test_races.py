"""Fifty Lambda containers racing (docs/reliability.md): each thread is one container with its
own wiring and clients, all released at once against one atomic moto server."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

import boto3
from botocore.config import Config

from api.emulator.lambda_context import LambdaContext
from resolvers import bootstrap
from resolvers.adapters import aws_clients
from resolvers.definitions.settings import Settings
from resolvers.domain.errors import OrderError
from resolvers.domain.states import Estado
from resolvers.domain.validation import validate_new_order, validate_state_change
from tests.integration.conftest import SharedAws
from tests.soak import figures

SECTION = "Races (50 Lambda containers, one atomic moto server)"

CONTAINERS = 50
INPUT = {"descripcion": "Revisar tablero", "fecha_entrega": "2099-01-01", "clientToken": "same"}


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call at once; each result is the call's value or the OrderError raised."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        start.wait()
        try:
            return call()
        except OrderError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


# The atomic moto server answers one request at a time, far slower than DynamoDB under
# fifty callers: the clients wait longer for an answer. Retry mode and attempts stay the
# Lambda's (aws_clients.CLIENT_CONFIG).
PATIENT = aws_clients.CLIENT_CONFIG.merge(Config(connect_timeout=30, read_timeout=60))


def containers() -> list[bootstrap.Application]:
    apps = [
        bootstrap.build(
            Settings.from_env(),
            dynamodb=boto3.client("dynamodb", config=PATIENT),
            sqs=boto3.client("sqs", config=PATIENT),
        )
        for _ in range(CONTAINERS)
    ]
    for app in apps:
        app.start_invocation(LambdaContext())  # for the set-up's calls
    return apps


def invocation(app: bootstrap.Application, call: Callable[[], Any]) -> Callable[[], Any]:
    """`call` as one Lambda invocation on `app`'s container: a fresh context, as the handler
    starts each one (in-progress records expire with it, and the time left to undo a write is
    counted from it), so a round of the race never runs on an earlier round's clock."""

    def invoke() -> Any:
        app.start_invocation(LambdaContext())
        return call()

    return invoke


def transition_round(
    apps: list[bootstrap.Application], order_id: str, targets: list[dict[str, Any]]
) -> list[Any]:
    def call(app: bootstrap.Application, target: dict[str, Any]) -> Callable[[], Any]:
        change = validate_state_change(**target)
        return invocation(app, partial(app.service.update_order_state, order_id, change))

    return race([call(app, targets[i % len(targets)]) for i, app in enumerate(apps)])


def assert_one_winner(results: list[Any]) -> dict[str, Any]:
    winners = [r for r in results if isinstance(r, dict)]
    losers = Counter(r.error_type for r in results if not isinstance(r, dict))
    figures.count(SECTION, "updateOrderState calls", len(results))
    figures.count(SECTION, "updateOrderState winners", len(winners))
    for kind, n in losers.items():
        figures.count(SECTION, f"updateOrderState losers: {kind}", n)
    assert len(winners) == 1, (winners, losers)
    assert set(losers) <= {"ConflictError", "InvalidTransition"}, losers
    assert sum(losers.values()) == CONTAINERS - 1
    winner: dict[str, Any] = winners[0]
    return winner


def test_fifty_racing_updates_have_one_winner_per_transition(shared_aws: SharedAws) -> None:
    # given an order in recibida, and fifty containers
    apps = containers()
    created = apps[0].service.create_order(
        validate_new_order({**INPUT, "clientToken": None}, today=date.today())
    )
    order_id = created["id"]
    # when they all try to start it (some with the version they read), then all try to
    # finish or cancel it
    first = transition_round(
        apps, order_id, [{"estado": "enproceso"}, {"estado": "enproceso", "expected_version": 1}]
    )
    second = transition_round(
        apps,
        order_id,
        [{"estado": "completada"}, {"estado": "cancelada", "motivo": "ya no hace falta"}],
    )
    # then: one winner each time, the version rises by one per win, one message per win
    started, finished = assert_one_winner(first), assert_one_winner(second)
    assert (started["estado"], started["version"]) == ("enproceso", 2)
    assert finished["version"] == 3
    stored = apps[0].service.get_order(order_id, None)
    assert stored is not None
    assert (stored["estado"], stored["version"]) == (finished["estado"], 3)
    assert shared_aws.dedup_ids(Estado.recibida) == [f"{order_id}:recibida:1"]
    assert shared_aws.dedup_ids(Estado.enproceso) == [f"{order_id}:enproceso:2"]
    final = Estado(finished["estado"])
    assert shared_aws.dedup_ids(final) == [f"{order_id}:{final.value}:3"]
    other = Estado.cancelada if final is Estado.completada else Estado.completada
    assert shared_aws.dedup_ids(other) == []


def test_fifty_racing_creations_with_one_token_all_get_the_one_order(
    shared_aws: SharedAws,
) -> None:
    # given fifty containers retrying one createOrder at the same instant
    apps = containers()
    new = validate_new_order(INPUT, today=date.today())
    # when
    calls = [invocation(app, partial(app.service.create_order, new)) for app in apps]
    results = race(calls)
    # then: every caller gets the same order; one is stored, with one message
    errors = [r for r in results if not isinstance(r, dict)]
    figures.count(SECTION, "createOrder calls with one clientToken", len(results))
    figures.count(SECTION, "createOrder callers given the order", len(results) - len(errors))
    assert errors == []
    assert all(r == results[0] for r in results)
    assert list(shared_aws.orders()) == [results[0]["id"]]
    messages = shared_aws.dedup_ids(Estado.recibida)
    figures.count(SECTION, "recibida messages for the one order", len(messages))
    assert messages == [f"{results[0]['id']}:recibida:1"]


def test_a_racing_pair_of_updates_leaves_one_history_entry(shared_aws: SharedAws) -> None:
    # given an order in recibida, and two containers (two callers)
    first, second = (
        bootstrap.build(
            Settings.from_env(),
            dynamodb=boto3.client("dynamodb", config=PATIENT),
            sqs=boto3.client("sqs", config=PATIENT),
        )
        for _ in range(2)
    )
    for app in (first, second):
        app.start_invocation(LambdaContext())
    created = first.service.create_order(
        replace(
            validate_new_order({**INPUT, "clientToken": None}, today=date.today()),
            por="creadora@example.com",
        )
    )
    order_id = created["id"]
    # when both move it at once, one to enproceso, the other cancelling it
    start = replace(validate_state_change("enproceso"), por="luis@example.com")
    cancel = replace(validate_state_change("cancelada", "duplicada"), por="ana@example.com")
    results = race(
        [
            invocation(first, partial(first.service.update_order_state, order_id, start)),
            invocation(second, partial(second.service.update_order_state, order_id, cancel)),
        ]
    )
    # then one wins, and the stored history has its one entry after the creation's
    (winner,) = [r for r in results if isinstance(r, dict)]
    stored = first.service.get_order(order_id, None)
    assert stored is not None
    assert stored["historial"] == winner["historial"]
    assert [(c["estado"], c["version"]) for c in stored["historial"]] == [
        ("recibida", 1),
        (winner["estado"], 2),
    ]
    assert stored["historial"][0]["por"] == "creadora@example.com"
    assert stored["historial"][1]["por"] in {"luis@example.com", "ana@example.com"}
    assert shared_aws.dedup_ids(Estado(winner["estado"])) == [f"{order_id}:{winner['estado']}:2"]
