"""AppSync's HTTP envelope: every answer carries `x-amzn-RequestId`, an error answer
carries `x-amzn-ErrorType`, and a request that is not a GraphQL request is refused with
HTTP 400 `MalformedHttpRequestException` before anything else looks at it.

The bodies and texts are AppSync's own, as its team described them in
graphql/graphql-over-http#81: an empty body is "Request body is empty.", and a body that
is not a JSON object carrying a `query` string ("meow", "{}", "[]"...) is "Unable to parse
GraphQL query."."""

import json
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-amzn-RequestId"
ERROR_TYPE_HEADER = "x-amzn-ErrorType"
EXPOSED_HEADERS = (REQUEST_ID_HEADER, ERROR_TYPE_HEADER)

MALFORMED = "MalformedHttpRequestException"
BAD_REQUEST = "BadRequestException"
UNAUTHORIZED = "UnauthorizedException"
EMPTY_BODY = "Request body is empty."
UNPARSABLE = "Unable to parse GraphQL query."
NOT_AUTHORIZED = "You are not authorized to make this call."
ONLY_GET_AND_POST = "GraphQL only supports GET and POST requests."
# What the emulator reads as a JSON request body; anything else named is refused.
_JSON_TYPES = frozenset({"application/json", "application/graphql"})


def error_response(status: int, error_type: str, message: str) -> JSONResponse:
    """An answer refused before GraphQL: AppSync's body, and the type in a header too
    (Amplify names the error from it)."""
    body = {"errors": [{"errorType": error_type, "message": message}]}
    return JSONResponse(body, status_code=status, headers={ERROR_TYPE_HEADER: error_type})


def unauthorized() -> JSONResponse:
    return error_response(401, UNAUTHORIZED, NOT_AUTHORIZED)


def malformed_request(body: bytes, content_type: str | None) -> str | None:
    """Why AppSync would refuse this POST body as malformed, or None when it is a GraphQL
    request (a query string; variables an object or null; operationName a string or null)."""
    if not body.strip():
        return EMPTY_BODY
    if content_type and content_type.split(";")[0].strip().lower() not in _JSON_TYPES:
        return UNPARSABLE
    try:
        request = json.loads(body)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, or nested too deep
        return UNPARSABLE
    if not isinstance(request, Mapping) or not isinstance(request.get("query"), str):
        return UNPARSABLE
    if not request["query"].strip():
        # Nothing to parse: strawberry would answer a plain-text 400 of its own.
        return UNPARSABLE
    if not isinstance(request.get("variables"), Mapping | None):
        return UNPARSABLE
    if not isinstance(request.get("operationName"), str | None):
        return UNPARSABLE
    if not isinstance(request.get("extensions"), Mapping | None):
        return UNPARSABLE
    return None


def name_json(scope: Scope) -> None:
    """Name a body `malformed_request` accepted as JSON, for the GraphQL view after it."""
    headers = MutableHeaders(scope=scope)
    headers["content-type"] = "application/json"


def refusal(status: int, reason: str) -> JSONResponse:
    """A refusal of the GraphQL view in AppSync's shape: a request AppSync cannot take as
    one (400) is malformed; any other status keeps its number and says why."""
    if status == 400:
        return error_response(400, MALFORMED, reason)
    return error_response(status, BAD_REQUEST, reason)


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already read body to the next app once."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


class RequestIdMiddleware:
    """Puts a fresh `x-amzn-RequestId` on every HTTP answer, as AppSync does."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self._app(scope, receive, send_with_id)


def json_content_type(headers: Mapping[str, Any]) -> str | None:
    value = headers.get("content-type")
    return value if isinstance(value, str) else None
