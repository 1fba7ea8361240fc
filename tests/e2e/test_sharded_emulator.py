"""`orders serve` started as a user would with ORDERS_STATE_SHARDS=4 ORDERS_QUEUE_GROUPS=4:
listings over the four shards behave as with one, tokens stay bound to their query and to
the shard count, messages carry their group, and a table made for another count is refused.

Errors come back as AppSync's JS response handlers raise them: `util.error(message,
errorType)` gives `errors[0].message` and `errors[0].errorType` ("Runtime utilities in
APPSYNC_JS", docs.aws.amazon.com/appsync/latest/devguide/built-in-util-js.html), with
`data` null because ordersByState is non-null (GraphQL spec, "Handling Field Errors")."""

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from harness.serve_process import HOST, PROJECT_ROOT, ServeProcess, free_port
from resolvers.definitions import resources, scale
from resolvers.domain.partitions import estado_shard_for, shard_number
from resolvers.domain.states import Estado
from tests.e2e.conftest import API_KEY, Emulator, running_emulator
from tests.e2e.orders_api import create, move, single_error

N = G = 4
TOTAL = 24
LISTING = """
query Page($estado: Estado!, $limit: Int, $nextToken: String, $sortDirection: SortDirection,
           $desde: AWSDateTime, $hasta: AWSDateTime) {
  ordersByState(estado: $estado, limit: $limit, nextToken: $nextToken,
                sortDirection: $sortDirection, desde: $desde, hasta: $hasta) {
    items { id fecha_registro estado }
    nextToken
  }
}"""


pytestmark = pytest.mark.emulator_only(
    "starts its own orders serve with ORDERS_STATE_SHARDS=4 and reads its moto and queues"
)


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    yield from running_emulator(
        tmp_path_factory,
        {scale.ENV_STATE_SHARDS: str(N), scale.ENV_QUEUE_GROUPS: str(G)},
        # Off: every page reaches the Lambda (and projects), none comes from the cache.
        cache_ttl_seconds=0,
    )


@pytest.fixture(scope="module")
def seeded(sharded: Emulator) -> list[dict[str, Any]]:
    """24 orders or more in recibida, in arrival order, at least one in each shard, and 2
    moved to enproceso."""
    created = [create(sharded, f"orden {n}") for n in range(TOTAL)]
    # 24 random ids miss a shard once in 250 runs (4 x 0.75**24): then a few more
    while {shard_number(order["id"], N) for order in created} != set(range(N)):
        created.append(create(sharded, f"orden {len(created)}"))
    for n in range(2):
        move(sharded, create(sharded, f"movida {n}")["id"], "enproceso")
    return created


def read_all(emulator: Emulator, limit: int, **arguments: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    token = None
    while True:
        variables = {"estado": "recibida", "limit": limit, "nextToken": token, **arguments}
        page = emulator.data(LISTING, variables)["ordersByState"]
        assert {item["estado"] for item in page["items"]} <= {"recibida"}
        pages.append([item["id"] for item in page["items"]])
        token = page["nextToken"]
        if token is None:
            return pages
        assert len(page["items"]) == limit  # only a full page says more may follow


def test_health_reports_the_settings_it_serves_with(sharded: Emulator) -> None:
    health = httpx.get(f"{sharded.url}/health").json()
    assert (health["state_shards"], health["queue_groups"]) == (N, G)


def test_pages_cover_every_order_once_over_four_shards(
    sharded: Emulator, seeded: list[dict[str, Any]]
) -> None:
    expected = [order["id"] for order in seeded]
    assert {shard_number(order_id, N) for order_id in expected} == set(range(N))
    # limit 1 in both directions runs in tests/integration/test_sharded_state.py (cheaper)
    for direction, limit in (("DESC", 1), ("ASC", 5), ("DESC", 7), ("ASC", 100)):
        pages = read_all(sharded, limit, sortDirection=direction)
        wanted = list(reversed(expected)) if direction == "DESC" else expected
        assert [i for page in pages for i in page] == wanted
        assert len(pages) == -(-len(expected) // limit)  # no empty last page
    # inclusive bounds, both directions
    desde, hasta = seeded[3]["fecha_registro"], seeded[18]["fecha_registro"]
    for direction in ("ASC", "DESC"):
        pages = read_all(sharded, 5, sortDirection=direction, desde=desde, hasta=hasta)
        wanted = expected[3:19] if direction == "ASC" else list(reversed(expected[3:19]))
        assert [i for page in pages for i in page] == wanted
    # the other state's orders never leak in
    other = sharded.data(LISTING, {"estado": "enproceso", "limit": 100})["ordersByState"]
    assert len(other["items"]) == 2


def test_items_are_stored_under_their_shard_of_the_index(
    sharded: Emulator, seeded: list[dict[str, Any]]
) -> None:
    # Test-side inspection of the emulator's moto; the API itself never scans.
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://{HOST}:{sharded.aws_port}",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    table = resources.ResourceNames(resources.LOCAL_STAGE).orders_table
    items = dynamodb.scan(TableName=table)["Items"]
    assert len(items) >= TOTAL
    for item in items:
        estado = Estado(item["estado"]["S"])
        assert item[resources.STATE_SHARD_ATTRIBUTE]["S"] == estado_shard_for(
            estado, item["id"]["S"], N
        )


def test_a_token_is_bound_to_its_query_and_refused_elsewhere(
    sharded: Emulator, seeded: list[dict[str, Any]]
) -> None:
    token = sharded.data(LISTING, {"estado": "recibida", "limit": 3})["ordersByState"]["nextToken"]
    for other in (
        {"estado": "enproceso"},
        {"estado": "recibida", "sortDirection": "DESC"},
        {"estado": "recibida", "hasta": seeded[-1]["fecha_registro"]},
    ):
        body = sharded.graphql(LISTING, {**other, "nextToken": token}).json()
        assert body["data"] is None
        error = single_error(body)
        assert error["errorType"] == "ValidationError"
        assert "another query" in error["message"]


def test_a_token_from_one_shard_is_refused_under_four_saying_why(
    sharded: Emulator, emulator: Emulator
) -> None:
    # given: a token from the session's emulator, which serves one shard
    for n in range(2):
        create(emulator, f"una {n}")
    single = emulator.data(LISTING, {"estado": "recibida", "limit": 1})["ordersByState"]
    # when
    body = sharded.graphql(LISTING, {"estado": "recibida", "nextToken": single["nextToken"]})
    # then
    error = single_error(body.json())
    assert error["errorType"] == "ValidationError"
    assert error["message"] == (
        "nextToken was issued when the state index had 1 shard(s); it has 4 now: "
        "start the listing again without nextToken"
    )


def test_each_message_carries_its_group_and_each_group_keeps_arrival_order(
    sharded: Emulator, seeded: list[dict[str, Any]]
) -> None:
    # when: a consumer drains recibida
    drained = sharded.orders_cli("--drain", "recibida").stdout.splitlines()
    messages = [json.loads(line) for line in drained]
    # then
    by_group: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        order_id = message["body"]["order"]["id"]
        assert message["messageGroupId"] == f"recibida#{shard_number(order_id, G)}"
        assert message["messageDeduplicationId"] == f"{order_id}:recibida:1"
        by_group[message["messageGroupId"]].append(order_id)
    arrived = [order["id"] for order in seeded]
    assert set(arrived) <= {m["body"]["order"]["id"] for m in messages}
    assert len(by_group) == G
    for group, ids in by_group.items():
        in_group = [i for i in ids if i in arrived]
        assert in_group == [i for i in arrived if f"recibida#{shard_number(i, G)}" == group]


def test_a_data_directory_made_with_four_shards_is_refused_under_one(tmp_path: Path) -> None:
    # given: a data directory whose orders table was made with four shards
    data_dir = tmp_path / "orders-data"
    first = ServeProcess(
        api_key=API_KEY,
        cache_ttl_seconds=0,
        log=tmp_path / "first.log",
        data_dir=data_dir,
        settings={scale.ENV_STATE_SHARDS: str(N)},
    )
    first.wait_healthy()
    assert first.stop() == 0, (tmp_path / "first.log").read_text()
    # when: the emulator starts again on it with one shard
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ORDERS_"))}
    command = ["serve", "--port", str(free_port()), "--aws-port", str(free_port())]
    command += ["--data-dir", str(data_dir), "--state-shards", "1"]
    finished = subprocess.run(  # noqa: S603  # our own CLI, fixed arguments
        [sys.executable, "-m", "api.cli", *command],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # then: it exits at once, saying what the table was made for and what to start with
    assert finished.returncode == 1, finished.stdout + finished.stderr
    assert "was created with 4 state index shard(s), not 1" in finished.stderr
    assert "ORDERS_STATE_SHARDS=4" in finished.stderr
