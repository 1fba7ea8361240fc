"""Errors in AppSync's shapes: resolver errors with a top-level `errorType`, errors found
before any resolver ran (with `data` null and no `errorType`), and the 401 of a bad key."""

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, Node

UNAUTHORIZED_BODY: dict[str, Any] = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "You are not authorized to make this call.",
        }
    ]
}
LAMBDA_UNHANDLED = "Lambda:Unhandled"
LAMBDA_UNHANDLED_MESSAGE = "The resolver's Lambda function failed; see the emulator's log."


def _locations(error: GraphQLError) -> list[dict[str, Any]] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations]


class ResolverError(GraphQLError):
    """What `util.error(message, type)` in a response handler sends the client."""

    def __init__(self, message: str, error_type: str, info: GraphQLResolveInfo[Any]) -> None:
        # A located error keeps its class through graphql-core, so WebSocket results (which
        # strawberry formats itself) get AppSync's shape too.
        super().__init__(message, nodes=info.field_nodes, path=info.path.as_list())
        self.error_type = error_type

    @property
    def formatted(self) -> dict[str, Any]:  # type: ignore[override]
        return {
            "path": self.path,
            "data": None,
            "errorType": self.error_type,
            "errorInfo": None,
            "locations": _locations(self),
            "message": self.message,
        }

    @classmethod
    def from_lambda(
        cls, error: Mapping[str, Any], info: GraphQLResolveInfo[Any]
    ) -> "ResolverError":
        return cls(str(error.get("message", "")), str(error.get("type", "")), info)


class RequestError(GraphQLError):
    """A request AppSync refuses, with an `errorType`, before any resolver runs (a limit):
    `data` null and no path."""

    def __init__(self, message: str, error_type: str, node: Node) -> None:
        super().__init__(message, nodes=[node])
        self.error_type = error_type

    @property
    def formatted(self) -> dict[str, Any]:  # type: ignore[override]
        return {
            "path": None,
            "data": None,
            "errorType": self.error_type,
            "errorInfo": None,
            "locations": _locations(self),
            "message": self.message,
        }


def schema_error(error: GraphQLError, message: str) -> dict[str, Any]:
    """An error AppSync reports before running any resolver."""
    return {"path": None, "locations": _locations(error), "message": message}
