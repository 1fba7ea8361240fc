"""nextToken mutated from tokens the service really issued: every mutation is refused with a
clean ValidationError or, when what is left is still a token the service could have issued,
gives a correct page; never an internal error (which behind AppSync would be a
Lambda:Unhandled error, and in DynamoDB an ExclusiveStartKey it refuses)."""

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.domain.errors import ValidationError
from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.domain.states import Estado
from resolvers.service.orders import OrderService
from tests.unit.test_sharded_listing import service_over, stored

SHARDS = 4
QUERY = StateQuery(Estado.recibida, SortDirection.DESC)
# 2030 in full-width digits (U+FF10..U+FF19): a digit to Unicode, not to the sort key.
FULL_WIDTH = "\uff12\uff10\uff13\uff10-01-01T00:00:07.000000Z"
ORDERS = [stored(f"o-{i}", i % 50, Estado.recibida) for i in range(40)]

# What a forger tries in place of any value: the other JSON types, the edges of the sort
# key's format and of an id.
HOSTILE = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            0,
            7,
            2.0,
            -1,
            "",
            "x" * 300,
            "2030-01-01T00:00:07.000000Z",
            "2030-13-45T99:99:99.000000Z",  # the shape, not a time
            FULL_WIDTH,
            "2030-01-01T00:00:07Z",
            "2030-01-01T00:00:07.000000+00:00",
            "\ud800",
            [],
            {},
            ["2030-01-01T00:00:07.000000Z", "o-7"],
            {"id": "o-7", "fecha_registro": "2030-01-01T00:00:07.000000Z"},
        ]
    ),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)


def issued() -> tuple[OrderService, list[str]]:
    """The service, and the tokens it issued paging through the listing."""
    service, _ = service_over(ORDERS, SHARDS)
    tokens: list[str] = []
    token = None
    while True:
        page = service.orders_by_state(QUERY, limit=7, next_token=token, attributes=None)
        token = page["nextToken"]
        if token is None:
            return service, tokens
        tokens.append(token)


SERVICE, TOKENS = issued()


def decoded(token: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def encoded(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the payload: keys of objects, indexes of arrays."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = replaced(value[head], tuple(rest), new)
    return copy


@st.composite
def mutations(draw: st.DrawFn) -> str:
    token = draw(st.sampled_from(TOKENS))
    payload = decoded(token)
    path = draw(st.sampled_from(paths(payload)))
    kind = draw(st.sampled_from(["replace", "add", "drop", "characters"]))
    if kind == "characters":
        at = draw(st.integers(0, len(token) - 1))
        return token[:at] + draw(st.text(min_size=1, max_size=3)) + token[at + 1 :]
    target: Any = payload
    for step in path:
        target = target[step]
    if kind == "add" and isinstance(target, dict):
        extra = {**target, draw(st.text(max_size=5)): draw(HOSTILE)}
        return encoded(replaced(payload, path, extra))
    if kind == "add" and isinstance(target, list):
        return encoded(replaced(payload, path, [*target, draw(HOSTILE)]))
    if kind == "drop" and path:
        parent = path[:-1]
        container: Any = payload
        for step in parent:
            container = container[step]
        kept = (
            {k: v for k, v in container.items() if k != path[-1]}
            if isinstance(container, dict)
            else [v for i, v in enumerate(container) if i != path[-1]]
        )
        return encoded(replaced(payload, parent, kept))
    return encoded(replaced(payload, path, draw(HOSTILE)))


def assert_a_correct_page(page: dict[str, Any]) -> None:
    items = page["items"]
    assert all(item["estado"] == QUERY.estado.value for item in items)
    keys = [(item["fecha_registro"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)  # DESC, ties by id


def test_the_service_issued_tokens_to_mutate() -> None:
    assert len(TOKENS) >= 4
    for token in TOKENS:
        assert_a_correct_page(
            SERVICE.orders_by_state(QUERY, limit=7, next_token=token, attributes=None)
        )


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(token=mutations())
def test_a_mutated_token_is_a_validation_error_or_a_correct_page(token: str) -> None:
    page: dict[str, Any] | None = None
    refusal = ""
    try:
        page = SERVICE.orders_by_state(QUERY, limit=7, next_token=token, attributes=None)
    except ValidationError as refused:
        refusal = refused.message
    if page is None:
        assert "nextToken" in refusal
    else:
        assert_a_correct_page(page)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("k", "C", 0), "2030-13-45T99:99:99.000000Z"),  # malformed timestamp
        (("k", "C", 0), FULL_WIDTH),
        (("k", "C", 0), 1893456000),  # a number where a string belongs
        (("k", "C", 1), 7),  # an integer id
        (("k", "C", 1), "x" * 300),  # a 300-character id
        (("n",), True),  # a boolean where the shard count belongs
        (("n",), 4.0),
        (("v",), 2.0),
        (("q", "desde"), 0),
    ],
)
def test_each_kind_of_forgery_is_refused(path: tuple[Any, ...], value: Any) -> None:
    # "C": the first shard whose cursor is set
    payload = decoded(TOKENS[0])
    cursor = next(i for i, c in enumerate(payload["k"]) if c is not None)
    path = tuple(cursor if step == "C" else step for step in path)
    with pytest.raises(ValidationError, match="nextToken"):
        SERVICE.orders_by_state(
            QUERY, limit=7, next_token=encoded(replaced(payload, path, value)), attributes=None
        )


@pytest.mark.parametrize("where", ["payload", "query", "cursor"])
def test_an_extra_key_attribute_is_refused(where: str) -> None:
    payload = decoded(TOKENS[0])
    cursor = next(i for i, c in enumerate(payload["k"]) if c is not None)
    if where == "payload":
        payload["estado_shard"] = "recibida#0"
    elif where == "query":
        payload["q"]["limit"] = 7
    else:
        payload["k"][cursor] = [*payload["k"][cursor], "recibida#0"]
    with pytest.raises(ValidationError, match="nextToken"):
        SERVICE.orders_by_state(QUERY, limit=7, next_token=encoded(payload), attributes=None)
