"""AppSync's own real-time protocol at `/graphql/realtime`, the one Amplify JS, AppSync's
Apollo links and plain WebSocket clients speak (AWS AppSync Developer Guide, "Building a
real-time WebSocket client"). The subscriptions are the schema's, fed by the same mutation feed
as graphql-transport-ws on `/graphql`: same filters, same fields.

The authorization travels twice, as in AppSync: in the handshake (a `header` query parameter,
or the `header-<base64url JSON>` subprotocol beside `graphql-ws` that Amplify v6 sends) and in
each `start` message's `payload.extensions.authorization`. Each is one of AppSync's three
forms: `{"host", "x-api-key"}`, `{"host", "Authorization": <user pool token>}`, or the
headers of a SigV4 signature (IAM): for the handshake, of a POST of `{}` to
`/graphql/connect`; for a `start`, of a POST of its `data` to `/graphql`."""

import asyncio
import base64
import binascii
import json
from collections.abc import Mapping
from contextlib import aclosing, suppress
from typing import Any

import strawberry
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from graphql.error import GraphQLSyntaxError
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from api.emulator.callers import UNAUTHORIZED, Authenticator, Caller, Refused
from api.emulator.request_errors import appsync_request_errors
from api.emulator.resolver_event import raw_variables
from api.emulator.runtime import CALLER, ON_SUBSCRIBED, LocalAppSync
from api.emulator.sigv4 import SignedRequest
from api.emulator.strawberry_internals import graphql_schema

SUBPROTOCOL = "graphql-ws"
HEADER_SUBPROTOCOL_PREFIX = "header-"
# What AppSync announces in connection_ack: the longest a client should wait for a `ka`.
CONNECTION_TIMEOUT_MS = 300_000

# What the IAM form of each message signs (the guide's "IAM" header examples).
CONNECT_PATH, CONNECT_BODY = "/graphql/connect", b"{}"
START_PATH = "/graphql"

Message = dict[str, Any]


def _connection_error_code(refusal: Refused) -> int:
    # AppSync's connection_error carries 401 for a refused key or token, and 400 for a
    # refused signature (sony/appsync-client-go#28 records both IAM ones).
    return 401 if refusal.status == UNAUTHORIZED.status else 400


def _unsupported(what: str) -> list[dict[str, Any]]:
    return [
        {
            "errorType": "UnsupportedOperation",
            "message": f"{what} not supported through the realtime channel",
        }
    ]


class RealtimeEndpoint:
    """The ASGI app behind `/graphql/realtime`: one `_Connection` per WebSocket. `schema` is
    the one `/graphql` serves (its limits and subscription checks included)."""

    def __init__(
        self,
        schema: strawberry.Schema,
        runtime: LocalAppSync,
        callers: Authenticator,
        keepalive_seconds: float | None,
    ) -> None:
        self._schema = schema
        self._runtime = runtime
        self._callers = callers
        self._keepalive_seconds = keepalive_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection = _Connection(
            WebSocket(scope, receive, send),
            self._schema,
            self._runtime,
            self._callers,
            self._keepalive_seconds,
        )
        await connection.serve()


def handshake_header(websocket: WebSocket) -> Mapping[str, Any] | None:
    """The auth header a client sent with the handshake: the `header-…` subprotocol (Amplify
    v6) or the `header` query parameter (the guide's form); None when absent or unreadable."""
    for protocol in websocket.scope.get("subprotocols", []):
        if protocol.startswith(HEADER_SUBPROTOCOL_PREFIX):
            return _decoded_header(protocol.removeprefix(HEADER_SUBPROTOCOL_PREFIX))
    encoded = websocket.query_params.get("header")
    return _decoded_header(encoded) if encoded else None


def _decoded_header(encoded: str) -> Mapping[str, Any] | None:
    # Base64 or base64url, padded or not: the guide uses btoa(), Amplify base64url unpadded.
    normalized = encoded.strip().replace("-", "+").replace("_", "/")
    normalized += "=" * (-len(normalized) % 4)
    try:
        decoded = json.loads(base64.b64decode(normalized, validate=True))
    except (binascii.Error, ValueError):
        return None
    return decoded if isinstance(decoded, Mapping) else None


def _lowercase_keys(headers: Mapping[str, Any]) -> dict[str, Any]:
    return {str(name).lower(): value for name, value in headers.items()}


class _Connection:
    """One real-time WebSocket. Every message out goes through one queue and one writer,
    so a `start_ack` always precedes the first `data` of its subscription."""

    def __init__(
        self,
        websocket: WebSocket,
        schema: strawberry.Schema,
        runtime: LocalAppSync,
        callers: Authenticator,
        keepalive_seconds: float | None,
    ) -> None:
        self._websocket = websocket
        self._schema = schema
        self._runtime = runtime
        self._callers = callers
        self._keepalive_seconds = keepalive_seconds
        self._outbox: asyncio.Queue[Message | None] = asyncio.Queue()
        self._operations: dict[str, asyncio.Task[None]] = {}
        self._keepalive: asyncio.Task[None] | None = None

    async def _caller(
        self, headers: Mapping[str, Any] | None, path: str, body: bytes
    ) -> Caller | Refused:
        """Who sent this authorization map, or AppSync's refusal; `path` and `body` are what
        its IAM form signs."""
        if not isinstance(headers, Mapping):
            return UNAUTHORIZED
        lowered = {name: str(value) for name, value in _lowercase_keys(headers).items()}
        signed = SignedRequest("POST", path, "", lowered, body)
        client = self._websocket.scope.get("client")
        try:
            return await run_in_threadpool(
                self._callers.authenticate, lowered, signed, str(client[0]) if client else None
            )
        except Refused as refusal:
            return refusal

    async def serve(self) -> None:
        offered = self._websocket.scope.get("subprotocols", [])
        await self._websocket.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        writer = asyncio.create_task(self._write())
        try:
            connecting = await self._caller(
                handshake_header(self._websocket), CONNECT_PATH, CONNECT_BODY
            )
            if isinstance(connecting, Refused):
                await self._refuse(connecting)
            else:
                await self._read()
        finally:
            for task in [*self._operations.values(), self._keepalive]:
                if task is not None:
                    task.cancel()
            self._outbox.put_nowait(None)
            await writer
            if self._websocket.application_state != WebSocketState.DISCONNECTED:
                # The client may have gone already (it hangs up after a connection_error).
                with suppress(RuntimeError, WebSocketDisconnect):
                    await self._websocket.close()

    async def _refuse(self, refusal: Refused) -> None:
        # AppSync accepts the upgrade and answers the client's first message with a
        # connection_error (401), after which the client gives up instead of retrying.
        if await self._receive() is not None:
            errors = refusal.errors(_connection_error_code(refusal))
            self._send({"type": "connection_error", "payload": {"errors": errors}})

    async def _read(self) -> None:
        while (text := await self._receive()) is not None:
            try:
                message = json.loads(text)
            except ValueError:
                message = None
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "connection_init":
                self._acknowledge()
            elif kind == "start":
                assert isinstance(message, dict)
                await self._start(message)
            elif kind == "stop":
                assert isinstance(message, dict)
                await self._stop(message)
            else:
                self._send({"type": "error", "payload": {"errors": _unsupported("unknown")}})

    async def _receive(self) -> str | None:
        """The next text (or UTF-8 binary) frame; None once the client has gone."""
        event = await self._websocket.receive()
        if event["type"] == "websocket.disconnect":
            return None
        text = event.get("text")
        if text is None:
            text = (event.get("bytes") or b"").decode("utf-8", errors="replace")
        return str(text)

    def _acknowledge(self) -> None:
        self._send(
            {"type": "connection_ack", "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}}
        )
        self._send({"type": "ka"})
        if self._keepalive is None and self._keepalive_seconds is not None:
            self._keepalive = asyncio.create_task(self._keep_alive(self._keepalive_seconds))

    async def _keep_alive(self, period: float) -> None:
        while True:
            await asyncio.sleep(period)
            self._send({"type": "ka"})

    async def _start(self, message: Message) -> None:
        operation_id = message.get("id")
        payload = message.get("payload")
        if not isinstance(operation_id, str) or not operation_id or not isinstance(payload, dict):
            self._send({"type": "error", "payload": {"errors": _unsupported("unknown")}})
            return
        extensions = payload.get("extensions")
        authorization = extensions.get("authorization") if isinstance(extensions, dict) else None
        data = payload.get("data")
        signed_body = data.encode() if isinstance(data, str) else b""
        caller = await self._caller(authorization, START_PATH, signed_body)
        if isinstance(caller, Refused):
            self._error(operation_id, caller.errors())
            return
        if operation_id in self._operations:
            self._error(
                operation_id,
                [
                    {
                        "errorType": "DuplicatedOperationError",
                        "message": f"Duplicated operation with id {operation_id}",
                    }
                ],
            )
            return
        request = _subscription_request(payload.get("data"))
        if isinstance(request, list):
            self._error(operation_id, request)
            return
        task = asyncio.create_task(self._run(operation_id, caller, *request))
        self._operations[operation_id] = task
        task.add_done_callback(lambda done: self._forget(operation_id, done))

    def _forget(self, operation_id: str, task: asyncio.Task[None]) -> None:
        if self._operations.get(operation_id) is task:
            del self._operations[operation_id]

    async def _stop(self, message: Message) -> None:
        operation_id = message.get("id")
        task = self._operations.pop(operation_id, None) if isinstance(operation_id, str) else None
        if task is None:
            return
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        self._send({"type": "complete", "id": operation_id})

    async def _run(
        self,
        operation_id: str,
        caller: Caller,
        query: str,
        variables: dict[str, Any],
        operation_name: str | None,
    ) -> None:
        raw_variables.set(variables)
        subscribed = False

        def acknowledge() -> None:
            nonlocal subscribed
            subscribed = True
            self._send({"type": "start_ack", "id": operation_id})

        context = {
            "request": self._websocket,
            "runtime": self._runtime,
            CALLER: caller,
            ON_SUBSCRIBED: acknowledge,
        }
        source = await self._schema.subscribe(
            query, variable_values=variables, context_value=context, operation_name=operation_name
        )
        async with aclosing(source):
            async for result in source:
                if isinstance(result, PreExecutionError) or (not subscribed and result.errors):
                    schema = graphql_schema(self._schema)
                    rejected = appsync_request_errors(schema, result.errors or [])
                    self._error(operation_id, [*rejected])
                    return
                self._send({"type": "data", "id": operation_id, "payload": _payload(result)})

    def _error(self, operation_id: str, errors: list[dict[str, Any]]) -> None:
        self._send({"type": "error", "id": operation_id, "payload": {"errors": errors}})

    def _send(self, message: Message) -> None:
        self._outbox.put_nowait(message)

    async def _write(self) -> None:
        while (message := await self._outbox.get()) is not None:
            try:
                await self._websocket.send_text(json.dumps(message))
            except (RuntimeError, OSError):
                return  # the client has gone; the reader notices and cleans up


def _subscription_request(
    data: object,
) -> tuple[str, dict[str, Any], str | None] | list[dict[str, Any]]:
    """`payload.data` of a `start`: the JSON string of query and variables. Returns the
    request, or the errors to send back."""
    try:
        request = json.loads(data) if isinstance(data, str) else None
    except ValueError:
        request = None
    query = request.get("query") if isinstance(request, dict) else None
    if not isinstance(request, dict) or not isinstance(query, str):
        return [
            {
                "errorType": "BadRequestException",
                "message": "payload.data must be the JSON string of the query and its variables",
            }
        ]
    variables = request.get("variables")
    operation_name = request.get("operationName")
    try:
        operation = get_operation_ast(
            parse(query), operation_name if isinstance(operation_name, str) else None
        )
    except GraphQLSyntaxError:
        operation = None  # the schema reports it, worded as for HTTP
    if operation is not None and operation.operation != OperationType.SUBSCRIPTION:
        return _unsupported(operation.operation.value.capitalize())
    return (
        query,
        variables if isinstance(variables, dict) else {},
        operation_name if isinstance(operation_name, str) else None,
    )


def _payload(result: ExecutionResult) -> dict[str, Any]:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [_formatted(error) for error in result.errors]
    return payload


def _formatted(error: GraphQLError) -> dict[str, Any]:
    return dict(error.formatted)  # ResolverError gives AppSync's shape
