"""nextToken: round trip, and every way a token can be wrong is a ValidationError, including
a token issued for another shard count of the state index."""

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.adapters.page_tokens import StateQueryTokens, max_token_length
from resolvers.domain.errors import ValidationError
from resolvers.domain.partitions import shard_number
from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.domain.states import Estado
from resolvers.service.ports import Position, ShardCursor

tokens = StateQueryTokens()
QUERY = StateQuery(
    Estado.recibida,
    SortDirection.DESC,
    desde="2030-01-01T00:00:00.000000Z",
    hasta="2030-01-31T00:00:00.000000Z",
)
SHARDS = 4
REGISTERED = "2030-01-10T08:00:00.123456Z"


def id_in_shard(shard: int, shards: int = SHARDS, prefix: str = "o") -> str:
    """The first id `prefix-i` that the stable hash puts in `shard`."""
    return next(
        f"{prefix}-{i}" for i in range(10_000) if shard_number(f"{prefix}-{i}", shards) == shard
    )


# Shard 0 not read yet, the others each stopped at one of their own orders.
POSITION: Position = (
    None,
    ShardCursor(REGISTERED, id_in_shard(1)),
    ShardCursor("2030-01-09T08:00:00.000000Z", id_in_shard(2)),
    ShardCursor("2030-01-11T08:00:00.000000Z", id_in_shard(3)),
)


def forged(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def payload_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return decoded


@given(
    order_ids=st.lists(st.text(min_size=1, max_size=256), min_size=1, max_size=8),
    shards=st.integers(min_value=1, max_value=8),
    estado=st.sampled_from(list(Estado)),
    direction=st.sampled_from(list(SortDirection)),
    micros=st.integers(min_value=0, max_value=999_999),
)
def test_a_token_decodes_to_its_position_for_the_same_query(
    order_ids: list[str], shards: int, estado: Estado, direction: SortDirection, micros: int
) -> None:
    # given: each id as the cursor of its own shard (the last one of a shard wins)
    query = StateQuery(estado, direction)
    cursors: list[ShardCursor | None] = [None] * shards
    for order_id in order_ids:
        cursors[shard_number(order_id, shards)] = ShardCursor(
            f"2030-01-01T00:00:00.{micros:06d}Z", order_id
        )
    position = tuple(cursors)
    # when
    token = tokens.encode(position, query)
    # then
    assert tokens.decode(token, query, shards=shards) == position
    assert len(token) <= max_token_length(shards)
    assert "=" not in token
    assert "+" not in token
    assert "/" not in token


def test_a_token_from_another_shard_count_is_refused_saying_so() -> None:
    # given: a token from an index of one shard, replayed where the index has four
    query = StateQuery(Estado.recibida)
    single = tokens.encode((ShardCursor(REGISTERED, "o-1"),), query)
    # then
    with pytest.raises(ValidationError, match=r"had 1 shard\(s\); it has 4 now") as refused:
        tokens.decode(single, query, shards=4)
    assert "start the listing again without nextToken" in refused.value.message
    # and the other way round
    with pytest.raises(ValidationError, match=r"had 4 shard\(s\); it has 1 now"):
        tokens.decode(tokens.encode(POSITION, QUERY), QUERY, shards=1)


def test_a_token_from_before_sharding_is_refused_saying_so() -> None:
    legacy = {"v": 1, "q": {}, "k": {"id": "o-1", "estado": "recibida"}}
    with pytest.raises(ValidationError, match="before the state index was sharded"):
        tokens.decode(forged(legacy), QUERY, shards=SHARDS)


@pytest.mark.parametrize(
    "other",
    [
        StateQuery(Estado.enproceso, QUERY.direction, QUERY.desde, QUERY.hasta),
        StateQuery(QUERY.estado, SortDirection.ASC, QUERY.desde, QUERY.hasta),
        StateQuery(QUERY.estado, QUERY.direction, None, QUERY.hasta),
        StateQuery(QUERY.estado, QUERY.direction, QUERY.desde, "2030-01-30T00:00:00.000000Z"),
    ],
)
def test_a_token_replayed_with_other_arguments_is_rejected(other: StateQuery) -> None:
    with pytest.raises(ValidationError, match="another query"):
        tokens.decode(tokens.encode(POSITION, QUERY), other, shards=SHARDS)


ONE = [REGISTERED, id_in_shard(1)]


@pytest.mark.parametrize(
    "cursors",
    [
        [None, ONE, ONE, ONE],  # an id of shard 1 as the cursor of shards 2 and 3
        [None, ["2029-12-31T23:59:59.999999Z", id_in_shard(1)], None, None],  # before desde
        [None, ["2030-02-01T00:00:00.000000Z", id_in_shard(1)], None, None],  # after hasta
        [None, ["2030-01-10", id_in_shard(1)], None, None],  # not the sort key's format
        [None, [REGISTERED, 7], None, None],  # wrong type
        [None, [REGISTERED, ""], None, None],
        [None, [REGISTERED], None, None],  # missing part
        [None, [*ONE, "1"], None, None],  # extra part
        [None, {"id": ONE[1], "fecha_registro": REGISTERED}, None, None],
        [None, ONE, None],  # a cursor short
        [None, ONE, None, None, None],  # a cursor over
        [None, None, None, None],  # a token only follows a page that returned orders
        {"1": ONE},
    ],
)
def test_a_tampered_position_is_rejected(cursors: Any) -> None:
    payload = payload_of(tokens.encode(POSITION, QUERY))
    payload["k"] = cursors
    with pytest.raises(ValidationError, match="nextToken is not valid"):
        tokens.decode(forged(payload), QUERY, shards=SHARDS)


@given(
    garbage=st.one_of(
        st.text(max_size=300),
        st.binary(max_size=200).map(lambda b: base64.urlsafe_b64encode(b).decode()),
    )
)
def test_garbage_is_rejected_never_an_internal_error(garbage: str) -> None:
    with pytest.raises(ValidationError, match="nextToken"):
        tokens.decode(garbage, QUERY, shards=SHARDS)


@pytest.mark.parametrize(
    "payload", [[1, 2], "text", 3, None, {"v": 3, "q": {}, "k": {}}, {"v": 2, "q": {}, "k": []}]
)
def test_json_that_is_not_a_token_is_rejected(payload: Any) -> None:
    with pytest.raises(ValidationError, match="nextToken"):
        tokens.decode(forged(payload), QUERY, shards=SHARDS)


def test_deeply_nested_json_is_rejected_never_an_internal_error() -> None:
    token = base64.urlsafe_b64encode(b"[" * 1500).decode().rstrip("=")
    with pytest.raises(ValidationError, match="nextToken"):
        tokens.decode(token, QUERY, shards=SHARDS)
