"""nextToken: round trip, and every way a token can be wrong is a ValidationError."""

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.adapters.page_tokens import StateQueryTokens
from resolvers.domain.errors import ValidationError
from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.domain.states import Estado

tokens = StateQueryTokens()
QUERY = StateQuery(
    Estado.recibida,
    SortDirection.DESC,
    desde="2030-01-01T00:00:00.000000Z",
    hasta="2030-01-31T00:00:00.000000Z",
)
KEY = {"id": "o-1", "estado": "recibida", "fecha_registro": "2030-01-10T08:00:00.123456Z"}


def forged(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def payload_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return decoded


@given(
    order_id=st.text(min_size=1, max_size=64),
    estado=st.sampled_from(list(Estado)),
    direction=st.sampled_from(list(SortDirection)),
    micros=st.integers(min_value=0, max_value=999_999),
)
def test_a_token_decodes_to_its_key_for_the_same_query(
    order_id: str, estado: Estado, direction: SortDirection, micros: int
) -> None:
    query = StateQuery(estado, direction)
    key = {
        "id": order_id,
        "estado": estado.value,
        "fecha_registro": f"2030-01-01T00:00:00.{micros:06d}Z",
    }
    token = tokens.encode(key, query)
    assert tokens.decode(token, query) == key
    assert "=" not in token
    assert "+" not in token
    assert "/" not in token


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
        tokens.decode(tokens.encode(KEY, QUERY), other)


@pytest.mark.parametrize(
    "key",
    [
        {**KEY, "estado": "enproceso"},  # another state's partition
        {**KEY, "fecha_registro": "2029-12-31T23:59:59.999999Z"},  # before desde
        {**KEY, "fecha_registro": "2030-02-01T00:00:00.000000Z"},  # after hasta
        {**KEY, "fecha_registro": "2030-01-10"},  # not the sort key's format
        {**KEY, "id": 7},  # wrong type
        {**KEY, "id": ""},
        {"id": "o-1", "estado": "recibida"},  # missing attribute
        {**KEY, "version": "1"},  # extra attribute
    ],
)
def test_a_tampered_key_is_rejected(key: dict[str, Any]) -> None:
    payload = payload_of(tokens.encode(KEY, QUERY))
    payload["k"] = key
    with pytest.raises(ValidationError, match="nextToken"):
        tokens.decode(forged(payload), QUERY)


@given(
    garbage=st.one_of(
        st.text(max_size=300),
        st.binary(max_size=200).map(lambda b: base64.urlsafe_b64encode(b).decode()),
    )
)
def test_garbage_is_rejected_never_an_internal_error(garbage: str) -> None:
    with pytest.raises(ValidationError, match="nextToken"):
        tokens.decode(garbage, QUERY)


@pytest.mark.parametrize("payload", [[1, 2], "text", 3, None, {"v": 2, "q": {}, "k": {}}])
def test_json_that_is_not_a_token_is_rejected(payload: Any) -> None:
    with pytest.raises(ValidationError, match="nextToken"):
        tokens.decode(forged(payload), QUERY)


def test_deeply_nested_json_is_rejected_never_an_internal_error() -> None:
    token = base64.urlsafe_b64encode(b"[" * 1500).decode().rstrip("=")
    with pytest.raises(ValidationError, match="nextToken"):
        tokens.decode(token, QUERY)
