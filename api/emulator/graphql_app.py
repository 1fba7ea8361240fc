"""The emulator's ASGI app: `/graphql` (the explorer on GET, queries and mutations by POST,
subscriptions over graphql-transport-ws), AppSync's real-time protocol at `/graphql/realtime`,
the board at `/`, `/health` and `/_emulator/stats`."""

import hmac
from collections.abc import Callable, Mapping
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql.error import GraphQLSyntaxError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types import ExecutionResult

from api.emulator import http_errors
from api.emulator.appsync_errors import UNAUTHORIZED_BODY, ResolverError
from api.emulator.query_limits import query_limits_extension
from api.emulator.realtime import RealtimeEndpoint
from api.emulator.request_errors import appsync_request_errors, operation_error
from api.emulator.resolver_event import raw_variables
from api.emulator.runtime import LocalAppSync
from api.emulator.strawberry_internals import graphql_schema
from api.emulator.subscription_errors import subscription_responses_extension
from api.emulator.web import explorer_page, web_routes
from api.schema import build_schema
from resolvers.contract.limits import QueryLimits, query_limits
from resolvers.contract.resources import LOCAL_STAGE

API_KEY_HEADER = "x-api-key"


class _TransportWSHandler(BaseGraphQLTransportWSHandler[dict[str, Any], None]):
    async def run_operation(self, operation: Operation[dict[str, Any], None]) -> None:
        # Each operation runs in its own task: the variables as sent, for the resolver event.
        raw_variables.set(operation.variables or {})
        await super().run_operation(operation)


class AppSyncGraphQL(GraphQL[dict[str, Any], None]):
    """strawberry's ASGI view with AppSync's API key check and error shapes."""

    graphql_transport_ws_handler_class = _TransportWSHandler

    def __init__(self, runtime: LocalAppSync, api_key: str, limits: QueryLimits) -> None:
        served = build_schema([query_limits_extension(limits), subscription_responses_extension()])
        self.served_schema = served  # also behind /graphql/realtime
        super().__init__(
            served,
            allow_queries_via_get=False,  # AppSync takes operations by POST only
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self._runtime = runtime
        self._api_key = api_key
        self._graphql_schema = graphql_schema(served)

    def authorized(self, headers: Mapping[str, Any]) -> bool:
        sent = headers.get(API_KEY_HEADER)
        return isinstance(sent, str) and hmac.compare_digest(sent, self._api_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in {"GET", "POST"}:
            refused = http_errors.refusal(405, http_errors.ONLY_GET_AND_POST)
            await refused(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] != "GET":
            headers = Request(scope).headers
            if not self.authorized(headers):
                await http_errors.unauthorized()(scope, receive, send)
                return
            body = await http_errors.read_body(receive)
            problem = http_errors.malformed_request(body, headers.get("content-type"))
            if problem is not None:
                refusal = http_errors.error_response(400, http_errors.MALFORMED, problem)
                await refusal(scope, receive, send)
                return
            # Read as JSON whatever the client named it (no content type, or
            # application/graphql): strawberry would refuse those in plain text.
            http_errors.name_json(scope)
            receive = http_errors.replay(body, receive)
        if scope["type"] == "http":
            # strawberry's own refusals (an operation type POST cannot run, a method) in
            # AppSync's JSON shape instead of its plain text.
            try:
                response = await self.run(Request(scope, receive))
            except HTTPException as refused:
                response = http_errors.refusal(refused.status_code, refused.reason)
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> dict[str, Any]:
        return {"request": request, "response": response, "runtime": self._runtime}

    async def on_ws_connect(self, context: dict[str, Any]) -> None:
        params = context.get("connection_params")
        params = params if isinstance(params, Mapping) else {}
        nested = params.get("headers")
        candidates: list[Mapping[str, Any]] = [
            params,
            nested if isinstance(nested, Mapping) else {},
            context["request"].headers,
        ]
        if not any(self.authorized(headers) for headers in candidates):
            raise ConnectionRejectionError(UNAUTHORIZED_BODY)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: dict[str, Any],
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        refused = _operation_refused(request_data)
        if refused is not None:
            return refused
        # The resolver event carries the variables as the client sent them.
        token = raw_variables.set(request_data.variables or {})
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        finally:
            raw_variables.reset(token)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        errors = result.errors or []
        if result.data is None and errors and not any(_from_resolver(e) for e in errors):
            # Nothing ran: the request failed validation or variable coercion.
            rejected: list[object] = [*appsync_request_errors(self._graphql_schema, errors)]
            return {"data": None, "errors": rejected}
        response: GraphQLHTTPResponse = {"data": result.data}
        if errors:
            response["errors"] = [e.formatted for e in errors]
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return explorer_page()  # the project's own explorer, served offline (api.emulator.web)


def _from_resolver(error: GraphQLError) -> bool:
    return isinstance(error, ResolverError) or error.path is not None


def _operation_refused(request: GraphQLRequestData) -> ExecutionResult | None:
    """A document with several operations needs `operationName`, and the name must be one
    of them; strawberry would run the first, or answer text/plain."""
    try:
        document = parse(request.query or "")
    except GraphQLSyntaxError:
        return None  # reported as GraphQL errors by the normal path
    names = [
        d.name.value if d.name else None
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    error = operation_error(names, request.operation_name)
    return None if error is None else ExecutionResult(data=None, errors=[error])


def build_app(
    runtime: LocalAppSync,
    api_key: str,
    describe: Callable[[], dict[str, Any]],
    limits: QueryLimits | None = None,
    *,
    share_key: bool = False,
    keepalive_seconds: float | None = None,
) -> Starlette:
    """`describe` tells /health what is provisioned; the app is built only afterwards.
    The emulator serves as the `local` stage: dev's limits, introspection on.
    `share_key`: the pages may be given the key (the server listens on loopback only).
    `keepalive_seconds`: the period of real-time `ka` messages (None: only the first)."""
    graphql = AppSyncGraphQL(runtime, api_key, limits or query_limits(LOCAL_STAGE))
    realtime = RealtimeEndpoint(
        graphql.served_schema, runtime, graphql.authorized, keepalive_seconds
    )

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", **describe()})

    async def stats(_: Request) -> JSONResponse:
        return JSONResponse(runtime.stats())

    return Starlette(
        # AppSync answers browsers from any origin; so does the emulator.
        middleware=[
            Middleware(http_errors.RequestIdMiddleware),
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
                expose_headers=list(http_errors.EXPOSED_HEADERS),
            ),
        ],
        routes=[
            # Every method reaches the view, which refuses the others in AppSync's shape.
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            WebSocketRoute("/graphql/realtime", realtime),
            *web_routes(api_key, share_key=share_key),
            Route("/health", health),
            Route("/_emulator/stats", stats),
        ],
    )
