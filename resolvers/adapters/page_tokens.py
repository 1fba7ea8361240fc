"""nextToken: base64url JSON of the page key and the query it belongs to.

Opaque to clients, but not secret (it holds an id and a timestamp). It is checked on the
way back in, because its key becomes DynamoDB's ExclusiveStartKey: a token from another
query, a key outside this query's state or bounds, or a value of the wrong type would
otherwise start a page somewhere else or fail inside DynamoDB."""

import base64
import binascii
import json
from typing import Any

from resolvers.contract import resources
from resolvers.domain.calendar import is_fixed_width
from resolvers.domain.errors import ValidationError
from resolvers.domain.queries import StateQuery
from resolvers.domain.text import is_unicode
from resolvers.domain.validation import MAX_KEY_LENGTH
from resolvers.service.ports import PageKey

TOKEN_VERSION = 1
MAX_TOKEN_LENGTH = 2048


def _bound_to(query: StateQuery) -> dict[str, Any]:
    return {
        "estado": query.estado.value,
        "direction": query.direction.value,
        "desde": query.desde,
        "hasta": query.hasta,
    }


class StateQueryTokens:
    def encode(self, key: PageKey, query: StateQuery) -> str:
        payload = {"v": TOKEN_VERSION, "q": _bound_to(query), "k": key}
        raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str, query: StateQuery) -> PageKey:
        payload = self._payload(token)
        if payload.get("v") != TOKEN_VERSION or payload.get("q") != _bound_to(query):
            raise ValidationError(
                "nextToken belongs to another query: pass the same estado, sortDirection, "
                "desde and hasta as the request that returned it"
            )
        key = payload.get("k")
        if not isinstance(key, dict) or set(key) != set(resources.PAGE_KEY_ATTRIBUTES):
            raise ValidationError("nextToken is not valid")
        order_id = key[resources.ORDERS_PARTITION_KEY]
        estado = key[resources.STATE_INDEX_PARTITION_KEY]
        registered = key[resources.STATE_INDEX_SORT_KEY]
        if (
            not isinstance(order_id, str)
            or not 0 < len(order_id) <= MAX_KEY_LENGTH
            # JSON escapes can smuggle a lone surrogate, which DynamoDB cannot take.
            or not is_unicode(order_id)
            or estado != query.estado.value
            or not isinstance(registered, str)
            or not is_fixed_width(registered)
            or not query.includes(registered)
        ):
            raise ValidationError("nextToken is not valid")
        return {
            resources.ORDERS_PARTITION_KEY: order_id,
            resources.STATE_INDEX_PARTITION_KEY: estado,
            resources.STATE_INDEX_SORT_KEY: registered,
        }

    @staticmethod
    def _payload(token: str) -> dict[str, Any]:
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
            raise ValidationError("nextToken is not valid")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
        except (binascii.Error, ValueError, RecursionError):  # RecursionError: deep nesting
            raise ValidationError("nextToken is not valid") from None
        if not isinstance(payload, dict):
            raise ValidationError("nextToken is not valid")
        return payload
