"""The emulator's ASGI app: `/graphql` (the explorer on GET, queries and mutations by POST,
subscriptions over graphql-transport-ws), AppSync's real-time protocol at `/graphql/realtime`,
the board at `/`, `/health` and `/_emulator/stats`."""

from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse
from graphql.error import GraphQLSyntaxError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types import ExecutionResult

from api.emulator import http_errors
from api.emulator.appsync_errors import UNAUTHORIZED_BODY, ResolverError
from api.emulator.callers import Authenticator, Caller, Refused
from api.emulator.query_limits import query_limits_extension
from api.emulator.realtime import RealtimeEndpoint
from api.emulator.request_errors import appsync_request_errors, operation_error
from api.emulator.resolver_event import raw_variables
from api.emulator.runtime import CALLER, LocalAppSync
from api.emulator.sigv4 import SignedRequest
from api.emulator.strawberry_internals import graphql_schema
from api.emulator.subscription_errors import subscription_responses_extension
from api.emulator.web import explorer_page, web_routes
from api.schema import build_schema
from resolvers.definitions.limits import QueryLimits, query_limits
from resolvers.definitions.resources import LOCAL_STAGE

# Where the HTTP view keeps the authenticated caller in the ASGI scope, for get_context.
_SCOPE_CALLER = "orders.caller"
# The document the HTTP view parsed to check the operation's name, with its text.
_parsed: ContextVar[tuple[str, DocumentNode] | None] = ContextVar("parsed", default=None)


class ParsedOnce(SchemaExtension):
    """Hands strawberry the document the HTTP view already parsed (`execute_single`), so a
    request is parsed once: parsing is most of what a large document costs."""

    def on_parse(self) -> Iterator[None]:
        parsed, context = _parsed.get(), self.execution_context
        if parsed is not None and context.graphql_document is None and parsed[0] == context.query:
            context.graphql_document = parsed[1]
        yield


class _TransportWSHandler(BaseGraphQLTransportWSHandler[dict[str, Any], None]):
    async def run_operation(self, operation: Operation[dict[str, Any], None]) -> None:
        # Each operation runs in its own task: the variables as sent, for the resolver event.
        raw_variables.set(operation.variables or {})
        await super().run_operation(operation)


class AppSyncGraphQL(GraphQL[dict[str, Any], None]):
    """strawberry's ASGI view with AppSync's authorization (key, user pool token, IAM) and
    its error shapes."""

    graphql_transport_ws_handler_class = _TransportWSHandler

    def __init__(self, runtime: LocalAppSync, callers: Authenticator, limits: QueryLimits) -> None:
        served = build_schema(
            [query_limits_extension(limits), subscription_responses_extension(), ParsedOnce]
        )
        self.served_schema = served  # also behind /graphql/realtime
        super().__init__(
            served,
            allow_queries_via_get=False,  # AppSync takes operations by POST only
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self._runtime = runtime
        self._callers = callers
        self._graphql_schema = graphql_schema(served)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in {"GET", "POST"}:
            refused = http_errors.refusal(405, http_errors.ONLY_GET_AND_POST)
            await refused(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] != "GET":
            headers = Request(scope).headers
            # A SigV4 signature covers the body: it is read before the caller is known.
            body = await http_errors.read_body(receive)
            signed = SignedRequest(
                method=scope["method"],
                path=scope.get("raw_path", scope["path"].encode()).decode("latin-1"),
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=dict(headers.items()),
                body=body,
            )
            try:
                if "authorization" in headers:
                    # A token's first check may ask the embedded AWS (the pool's keys, the
                    # user's email): off the event loop. The key is checked in place.
                    scope[_SCOPE_CALLER] = await run_in_threadpool(
                        self._callers.authenticate, headers, signed, _client_ip(scope)
                    )
                else:
                    scope[_SCOPE_CALLER] = self._callers.authenticate(
                        headers, signed, _client_ip(scope)
                    )
            except Refused as refused:
                await refused.response()(scope, receive, send)
                return
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
        return {
            "request": request,
            "response": response,
            "runtime": self._runtime,
            CALLER: request.scope.get(_SCOPE_CALLER),
        }

    async def on_ws_connect(self, context: dict[str, Any]) -> None:
        params = context.get("connection_params")
        params = params if isinstance(params, Mapping) else {}
        nested = params.get("headers")
        candidates: list[Mapping[str, Any]] = [
            params,
            nested if isinstance(nested, Mapping) else {},
            context["request"].headers,
        ]
        source_ip = _client_ip(context["request"].scope)
        caller = await run_in_threadpool(self._ws_caller, candidates, source_ip)
        if caller is None:
            raise ConnectionRejectionError(UNAUTHORIZED_BODY)
        # strawberry hands this context to every operation of the connection.
        context[CALLER] = caller

    def _ws_caller(
        self, candidates: list[Mapping[str, Any]], source_ip: str | None
    ) -> Caller | None:
        """graphql-transport-ws is not AppSync's protocol: the key or a token, from the
        connection parameters or the handshake's headers (no signed form exists for it)."""
        for headers in candidates:
            lowered = {str(name).lower(): value for name, value in headers.items()}
            try:
                return self._callers.authenticate(lowered, None, source_ip)
            except Refused:
                continue
        return None

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: dict[str, Any],
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        document = _parsed_document(request_data.query)
        refused = _operation_refused(document, request_data.operation_name)
        if refused is not None:
            return refused
        # The resolver event carries the variables as the client sent them.
        token = raw_variables.set(request_data.variables or {})
        parsed = _parsed.set((request_data.query or "", document) if document else None)
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        finally:
            _parsed.reset(parsed)
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


def _client_ip(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def _from_resolver(error: GraphQLError) -> bool:
    return isinstance(error, ResolverError) or error.path is not None


def _parsed_document(query: str | None) -> DocumentNode | None:
    try:
        return parse(query or "")
    except GraphQLSyntaxError:
        return None  # reported as GraphQL errors by the normal path


def _operation_refused(
    document: DocumentNode | None, operation_name: str | None
) -> ExecutionResult | None:
    """A document with several operations needs `operationName`, and the name must be one
    of them; strawberry would run the first, or answer text/plain."""
    if document is None:
        return None
    names = [
        d.name.value if d.name else None
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    error = operation_error(names, operation_name)
    return None if error is None else ExecutionResult(data=None, errors=[error])


def build_app(
    runtime: LocalAppSync,
    api_key: str,
    describe: Callable[[], dict[str, Any]],
    limits: QueryLimits | None = None,
    *,
    share_key: bool = False,
    keepalive_seconds: float | None = None,
    callers: Authenticator | None = None,
) -> Starlette:
    """`describe` tells /health what is provisioned; the app is built only afterwards.
    The emulator serves as the `local` stage: dev's limits, introspection on.
    `share_key`: the pages may be given the key (the server listens on loopback only).
    `keepalive_seconds`: the period of real-time `ka` messages (None: only the first).
    `callers`: the authorization modes served (default: the API key alone)."""
    callers = callers or Authenticator(api_key)
    graphql = AppSyncGraphQL(runtime, callers, limits or query_limits(LOCAL_STAGE))
    realtime = RealtimeEndpoint(graphql.served_schema, runtime, callers, keepalive_seconds)

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
