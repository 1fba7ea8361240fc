"""A backend service calling the emulator with IAM, unchanged: botocore's SigV4 signer over
HTTP, and Python's `gql` with its AppSync IAM auth (`AppSyncIAMAuthentication`) over HTTP and
over AppSync's real-time protocol, with the local identity's shared-credentials profile from
/health. Also user pool tokens over HTTP and real time, and the 401s of tokens AppSync
refuses.

AWS behaviour asserted, cited:
- the IAM forms of the real-time protocol: the signed `connect` headers in `header`, the
  signed `start` in `payload.extensions.authorization` ("Building a real-time WebSocket
  client", IAM, https://docs.aws.amazon.com/appsync/latest/devguide/real-time-websocket-client.html);
- a wrong signature: 403 `InvalidSignatureException` (aws-amplify/amplify-js#2422); an old
  `X-Amz-Date`: "Signature expired: … (… - 5 min.)" (aws/aws-cli#6833);
- a token of another pool, expired or tampered: 401 `UnauthorizedException`, as for a wrong
  key ("Verifying a JSON web token",
  https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html)."""

import asyncio
import base64
import datetime
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.session
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from gql import Client, GraphQLRequest, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncIAMAuthentication, AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from httpx_ws import WebSocketSession, connect_ws
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource

from harness.cognito_users import local_cognito
from tests.e2e.conftest import Emulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("the emulator's local IAM identity and user pool"),
]

PASSWORD = "Local-passw0rd!"
CREATE = gql(
    """mutation Create($input: CreateOrderInput!) {
      createOrder(input: $input) { id descripcion estado }
    }"""
)
CREATED = gql(
    """subscription Created($estado: Estado) {
      onOrderCreated(estado: $estado) { id descripcion estado }
    }"""
)
GET = '{"query": "{ getOrder(id: \\"none\\") { id } }"}'


def health(emulator: Emulator) -> dict[str, Any]:
    details: dict[str, Any] = httpx.get(f"{emulator.url}/health").json()
    return details


def iam_session(emulator: Emulator) -> boto3.Session:
    """The local IAM identity as a service configures it: its profile in its file."""
    iam = health(emulator)["iam"]
    core = botocore.session.Session(profile=iam["profile"])
    core.set_config_variable("credentials_file", iam["credentialsFile"])
    core.set_config_variable("region", iam["region"])
    return boto3.Session(botocore_session=core)


def credentials_of(session: boto3.Session) -> Credentials:
    credentials = session.get_credentials()
    assert credentials is not None, "no credentials in the profile /health names"
    return credentials


def signed_post(
    emulator: Emulator, body: str, session: boto3.Session, *, send: str | None = None
) -> httpx.Response:
    request = AWSRequest(
        method="POST",
        url=f"{emulator.url}/graphql",
        data=body,
        headers={"content-type": "application/json"},
    )
    SigV4Auth(credentials_of(session), "appsync", session.region_name).add_auth(request)
    return httpx.post(
        f"{emulator.url}/graphql", content=send or body, headers=dict(request.headers.items())
    )


def test_a_botocore_signed_request_is_accepted(emulator: Emulator) -> None:
    response = signed_post(emulator, GET, iam_session(emulator))

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"getOrder": None}}


def test_a_wrong_secret_an_old_date_and_a_changed_body_are_refused(emulator: Emulator) -> None:
    session = iam_session(emulator)
    credentials = credentials_of(session)
    wrong = boto3.Session(
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key="not-the-secret",
        region_name=session.region_name,
    )
    stale = _signed_minutes_ago(emulator, credentials, session.region_name, 10)

    refusals = {
        "wrong secret": signed_post(emulator, GET, wrong),
        "old date": httpx.post(f"{emulator.url}/graphql", content=GET, headers=stale),
        "changed body": signed_post(emulator, GET, session, send=GET.replace("none", "nada")),
    }

    for why, response in refusals.items():
        assert response.status_code == 403, why
        assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException", why
    assert refusals["old date"].json()["errors"][0]["message"].startswith("Signature expired:")


def _signed_minutes_ago(
    emulator: Emulator, credentials: Any, region: str, minutes: int
) -> dict[str, str]:
    """Headers of a request botocore's signer signed `minutes` ago, as a request held back
    (or a client clock behind) carries them."""
    request = AWSRequest(
        method="POST",
        url=f"{emulator.url}/graphql",
        data=GET,
        headers={"content-type": "application/json"},
    )
    signer = SigV4Auth(credentials, "appsync", region)
    then = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes)
    request.context["timestamp"] = then.strftime("%Y%m%dT%H%M%SZ")
    request.headers["X-Amz-Date"] = request.context["timestamp"]
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signed = signer.signed_headers(signer.headers_to_sign(request))
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return dict(request.headers.items())


def _created(marker: str) -> dict[str, Any]:
    return {"input": {"descripcion": marker, "fecha_entrega": "2099-12-31"}}


async def _subscribe_then_create(
    emulator: Emulator, auth: Any, create: Any, marker: str
) -> dict[str, Any]:
    """Subscribe over AppSync's real-time protocol with `auth`, then have `create` create an
    order; the order the subscription delivers."""
    realtime = AppSyncWebsocketsTransport(url=f"{emulator.ws_url}/graphql/realtime", auth=auth)
    async with Client(transport=realtime) as session:
        received: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        async def listen() -> None:
            async for result in session.subscribe(
                GraphQLRequest(CREATED, variable_values={"estado": "recibida"})
            ):
                if result["onOrderCreated"]["descripcion"] == marker:
                    received.set_result(result["onOrderCreated"])
                    return

        listening = asyncio.create_task(listen())
        # start_ack has no hook in gql: create until the subscription sees one.
        for _ in range(50):
            await create(marker)
            try:
                return await asyncio.wait_for(asyncio.shield(received), 0.3)
            except TimeoutError:
                continue
        listening.cancel()
        raise AssertionError("the subscription received nothing")


def test_gql_with_appsync_iam_auth_queries_and_subscribes(emulator: Emulator) -> None:
    session = iam_session(emulator)
    host = f"{emulator.host}:{emulator.port}"
    auth = AppSyncIAMAuthentication(
        host=host, region_name=session.region_name, credentials=session.get_credentials()
    )
    marker = f"gql iam {uuid.uuid4().hex[:6]}"

    async def create(descripcion: str) -> None:
        http = AIOHTTPTransport(url=f"{emulator.url}/graphql", auth=auth)
        async with Client(transport=http) as client:
            created = await client.execute(
                GraphQLRequest(CREATE, variable_values=_created(descripcion))
            )
        assert created["createOrder"]["estado"] == "recibida"

    received = asyncio.run(_subscribe_then_create(emulator, auth, create, marker))

    assert received["descripcion"] == marker


def _cognito(emulator: Emulator) -> Any:
    return local_cognito(health(emulator)["cognito"])


def user_tokens(emulator: Emulator, email: str, *groups: str) -> dict[str, str]:
    """A confirmed user in the emulator's pool, as `orders users add` makes one, signed in."""
    cognito = health(emulator)["cognito"]
    client = _cognito(emulator)
    client.admin_create_user(
        UserPoolId=cognito["userPoolId"],
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}],
        MessageAction="SUPPRESS",
    )
    client.admin_set_user_password(
        UserPoolId=cognito["userPoolId"], Username=email, Password=PASSWORD, Permanent=True
    )
    for group in groups:
        client.admin_add_user_to_group(
            UserPoolId=cognito["userPoolId"], Username=email, GroupName=group
        )
    result = client.initiate_auth(
        ClientId=cognito["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    tokens: dict[str, str] = result["AuthenticationResult"]
    return tokens


def test_gql_with_a_user_pool_token_subscribes(emulator: Emulator) -> None:
    tokens = user_tokens(emulator, f"gql-{uuid.uuid4().hex[:6]}@example.com")
    host = f"{emulator.host}:{emulator.port}"
    auth = AppSyncJWTAuthentication(host=host, jwt=tokens["AccessToken"])
    marker = f"gql jwt {uuid.uuid4().hex[:6]}"

    async def create(descripcion: str) -> None:
        http = AIOHTTPTransport(url=f"{emulator.url}/graphql", auth=auth)
        async with Client(transport=http) as client:
            await client.execute(GraphQLRequest(CREATE, variable_values=_created(descripcion)))

    received = asyncio.run(_subscribe_then_create(emulator, auth, create, marker))

    assert received["descripcion"] == marker


def _forged(issuer: str, client_id: str, **claims: Any) -> str:
    """Signed with the very key moto signs every pool's tokens with: only the claims differ."""
    key = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    now = int(time.time())
    payload = {
        "iss": issuer,
        "sub": "0000",
        "client_id": client_id,
        "token_use": "access",
        "username": "0000",
        "iat": now - 7200,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, payload, key)


def test_tampered_expired_and_other_pool_tokens_get_401(emulator: Emulator) -> None:
    cognito = health(emulator)["cognito"]
    issuer = f"https://cognito-idp.{cognito['region']}.amazonaws.com/{cognito['userPoolId']}"
    access = user_tokens(emulator, f"tok-{uuid.uuid4().hex[:6]}@example.com")["AccessToken"]
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["username"] = "someone-else"
    other_pool = _cognito(emulator).create_user_pool(PoolName=f"other-{uuid.uuid4().hex[:6]}")[
        "UserPool"
    ]
    other_issuer = issuer.replace(cognito["userPoolId"], other_pool["Id"])

    tokens = {
        "tampered": f"{header}.{_base64url(json.dumps(claims).encode())}.{signature}",
        "expired": _forged(issuer, cognito["userPoolClientId"], exp=int(time.time()) - 60),
        "other pool": _forged(other_issuer, cognito["userPoolClientId"]),
    }

    for why, token in tokens.items():
        response = httpx.post(
            f"{emulator.url}/graphql",
            content=GET,
            headers={"content-type": "application/json", "Authorization": token},
        )
        assert response.status_code == 401, why
        assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException", why
    sound = httpx.post(
        f"{emulator.url}/graphql",
        content=GET,
        headers={"content-type": "application/json", "Authorization": access},
    )
    assert sound.status_code == 200


def _base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signed_header(emulator: Emulator, secret: str | None = None, data: str | None = None) -> Any:
    """The IAM form of a real-time authorization, as gql signs it: of `connect` without
    `data`, of a `start` of `data` with it."""
    session = iam_session(emulator)
    credentials = credentials_of(session)
    if secret is not None:
        credentials = Credentials(credentials.access_key, secret)
    auth = AppSyncIAMAuthentication(
        host=f"{emulator.host}:{emulator.port}",
        region_name=session.region_name,
        credentials=credentials,
    )
    return auth.get_headers(data)


@contextmanager
def _realtime(emulator: Emulator, header: dict[str, Any]) -> Iterator[WebSocketSession]:
    """AppSync's real-time handshake with `header` as its authorization (the `header` query
    parameter, base64 JSON; `payload` an empty object), `connection_init` sent."""
    encoded = base64.b64encode(json.dumps(header).encode()).decode()
    url = f"{emulator.ws_url}/graphql/realtime?header={encoded}&payload=e30="
    with (
        httpx.Client() as client,
        connect_ws(url, client, subprotocols=["graphql-ws"], session_class=WebSocketSession) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        yield ws


def test_a_wrongly_signed_realtime_handshake_gets_a_connection_error(emulator: Emulator) -> None:
    with _realtime(emulator, _signed_header(emulator, secret="not-the-secret")) as ws:
        refused = ws.receive_json(timeout=10)

    # AppSync's connection_error for a refused signature carries errorCode 400
    # (sony/appsync-client-go#28).
    assert refused["type"] == "connection_error"
    (error,) = refused["payload"]["errors"]
    assert (error["errorType"], error["errorCode"]) == ("InvalidSignatureException", 400)


def test_a_start_signed_for_other_data_is_refused_and_the_connection_stays(
    emulator: Emulator,
) -> None:
    data = json.dumps({"query": "subscription { onOrderCreated { id } }", "variables": {}})
    other = json.dumps({"query": "subscription { onOrderStateChanged { id } }", "variables": {}})

    with _realtime(emulator, _signed_header(emulator)) as ws:
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        replies = []
        for operation_id, signed_for in (("forged", other), ("sound", data)):
            authorization = _signed_header(emulator, data=signed_for)
            ws.send_json(
                {
                    "id": operation_id,
                    "type": "start",
                    "payload": {"data": data, "extensions": {"authorization": authorization}},
                }
            )
            reply = ws.receive_json(timeout=10)
            while reply["type"] == "ka":
                reply = ws.receive_json(timeout=10)
            replies.append(reply)

    refused, accepted = replies
    assert refused["type"] == "error"
    assert refused["id"] == "forged"
    assert refused["payload"]["errors"][0]["errorType"] == "InvalidSignatureException"
    assert accepted == {"type": "start_ack", "id": "sound"}
