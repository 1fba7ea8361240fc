"""nextToken: base64url JSON of a listing's position (one cursor per shard of the state
index) and the query and shard count it belongs to.

Opaque to clients, but not secret (it holds ids and timestamps). It is checked on the way
back in, because its cursors become DynamoDB's ExclusiveStartKey: a token from another
query or another shard count, a cursor outside this query's bounds or its shard, or a value
of the wrong type would otherwise start a page somewhere else or fail inside DynamoDB.

Checked, not signed. A signature (an HMAC) would need a key shared by every Lambda container
and the emulator, kept secret and rotated (a rotation voids every token in flight), to prove
what the checks already establish: the payload has exactly the fields `encode` writes, each
of its own JSON type; each cursor is a real instant in the sort key's fixed width, inside
the query's bounds, and an id of at most 256 characters that hashes to the cursor's own
shard; the token belongs to this query and this shard count. What a token that passes can
still do is start a page at some position of the same query, which paging reaches anyway."""

import base64
import binascii
import json
from typing import Any

from resolvers.domain.calendar import is_fixed_width
from resolvers.domain.errors import ValidationError
from resolvers.domain.partitions import bucket
from resolvers.domain.queries import StateQuery
from resolvers.domain.text import is_unicode
from resolvers.domain.validation import MAX_KEY_LENGTH
from resolvers.service.ports import Position, ShardCursor

# 2: one cursor per shard. A version 1 token (one key, before the index was sharded) is
# refused with a message saying so.
TOKEN_VERSION = 2
# The query, then per shard a cursor of a fixed-width timestamp and an id, base64-encoded.
_QUERY_LENGTH = 512
_CURSOR_LENGTH = 4 * (MAX_KEY_LENGTH + 48) // 3


def max_token_length(shards: int) -> int:
    return _QUERY_LENGTH + shards * _CURSOR_LENGTH


_KEYS = frozenset({"v", "q", "n", "k"})
_QUERY_KEYS = frozenset({"estado", "direction", "desde", "hasta"})


def _is_int(value: object) -> bool:
    # JSON's true is Python's True, an int; 2.0 equals 2: neither is what `encode` wrote.
    return type(value) is int


def _is_query(raw: object) -> bool:
    return (
        isinstance(raw, dict)
        and set(raw) == _QUERY_KEYS
        and all(isinstance(raw[key], str) for key in ("estado", "direction"))
        and all(raw[key] is None or isinstance(raw[key], str) for key in ("desde", "hasta"))
    )


def _bound_to(query: StateQuery) -> dict[str, Any]:
    return {
        "estado": query.estado.value,
        "direction": query.direction.value,
        "desde": query.desde,
        "hasta": query.hasta,
    }


class StateQueryTokens:
    def encode(self, position: Position, query: StateQuery) -> str:
        payload = {
            "v": TOKEN_VERSION,
            "q": _bound_to(query),
            "n": len(position),
            "k": [None if c is None else [c.fecha_registro, c.id] for c in position],
        }
        raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str, query: StateQuery, *, shards: int) -> Position:
        payload = self._payload(token, shards)
        version = payload.get("v")
        if _is_int(version) and version == 1:
            raise ValidationError(
                "nextToken comes from before the state index was sharded: "
                "start the listing again without nextToken"
            )
        # Exactly what `encode` writes, each value of its own JSON type: anything else was
        # not issued by this service.
        if version != TOKEN_VERSION or not _is_int(version) or set(payload) != _KEYS:
            raise ValidationError("nextToken is not valid")
        issued_for = payload["n"]
        if not _is_int(issued_for):
            raise ValidationError("nextToken is not valid")
        if issued_for != shards:
            raise ValidationError(
                f"nextToken was issued when the state index had {issued_for} shard(s); it "
                f"has {shards} now: start the listing again without nextToken"
            )
        if not _is_query(payload["q"]):
            raise ValidationError("nextToken is not valid")
        if payload["q"] != _bound_to(query):
            raise ValidationError(
                "nextToken belongs to another query: pass the same estado, sortDirection, "
                "desde and hasta as the request that returned it"
            )
        cursors = payload["k"]
        if not isinstance(cursors, list) or len(cursors) != shards:
            raise ValidationError("nextToken is not valid")
        position = tuple(_cursor(raw, shard, shards, query) for shard, raw in enumerate(cursors))
        if all(cursor is None for cursor in position):
            # Only a page that returned orders has a token.
            raise ValidationError("nextToken is not valid")
        return position

    @staticmethod
    def _payload(token: str, shards: int) -> dict[str, Any]:
        if not isinstance(token, str) or not 0 < len(token) <= max_token_length(shards):
            raise ValidationError("nextToken is not valid")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
        except (binascii.Error, ValueError, RecursionError):  # RecursionError: deep nesting
            raise ValidationError("nextToken is not valid") from None
        if not isinstance(payload, dict):
            raise ValidationError("nextToken is not valid")
        return payload


def _cursor(raw: Any, shard: int, shards: int, query: StateQuery) -> ShardCursor | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 2:
        raise ValidationError("nextToken is not valid")
    registered, order_id = raw
    if (
        not isinstance(order_id, str)
        or not 0 < len(order_id) <= MAX_KEY_LENGTH
        # JSON escapes can smuggle a lone surrogate, which DynamoDB cannot take.
        or not is_unicode(order_id)
        # A cursor resumes its own shard: an id of another shard is a forged key.
        or bucket(order_id, shards) != shard
        or not isinstance(registered, str)
        or not is_fixed_width(registered)
        or not query.includes(registered)
    ):
        raise ValidationError("nextToken is not valid")
    return ShardCursor(registered, order_id)
