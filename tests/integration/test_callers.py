"""Who calls, as the emulator's ASGI app sees it in process (starlette's TestClient) against
a Cognito user pool in moto (in process, `mock_aws`): the `identity` each authorization mode
puts in the resolver event, the user pool token checks, and the auth directives enforced per
field, with a stand-in Lambda that records what reaches it.

AppSync's shapes and answers, cited:
- `identity` per mode: "Resolver context object reference", Identity
  (https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html);
- a token that is not the pool's, expired, or for another client: HTTP 401
  `UnauthorizedException`, as for a wrong key ("Verifying a JSON web token",
  https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html);
- a user pool caller outside a field's `cognito_groups`: the field null, `errorType`
  `Unauthorized`, "Not Authorized to access updateOrderState on type Mutation", no resolver
  run (https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html;
  aws-amplify/amplify-js#7220 for the wording)."""

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto import mock_aws
from moto.utilities.utils import load_resource
from starlette.testclient import TestClient

from api.emulator.callers import Authenticator
from api.emulator.field_auth import FieldAuth
from api.emulator.graphql_app import build_app
from api.emulator.lambda_function import LambdaFunction
from api.emulator.resolver_cache import ResolverCache
from api.emulator.runtime import LocalAppSync
from api.emulator.sigv4 import LocalIamIdentity
from api.emulator.user_pool import LocalUserPool, provision_user_pool
from api.emulator.user_pool_tokens import UserPoolTokens

KEY = "callers-key"
REGION = "us-east-1"
PASSWORD = "Local-passw0rd!"
IAM = LocalIamIdentity("AKIAEXAMPLELOCAL0001", "the-secret", REGION)
ORDER = {
    "id": "o-1",
    "descripcion": "x",
    "fecha_entrega": "2099-12-31",
    "estado": "cancelada",
    "fecha_registro": "2030-01-01T00:00:00.000000Z",
    "timestamp": 1893456000,
    "fecha_actualizacion": None,
    "motivo_cancelacion": "m",
    "version": 2,
}
CANCEL = 'mutation { updateOrderState(id: "o-1", estado: cancelada, motivo: "m") { id estado } }'
# The directive the access policy puts on updateOrderState, on a schema of the test's own.
RESTRICTED_SDL = """
type Mutation @aws_api_key @aws_iam @aws_cognito_user_pools {
  createOrder(input: String): String
  updateOrderState(id: ID!): String
    @aws_api_key @aws_iam @aws_cognito_user_pools(cognito_groups: ["supervisores"])
}
"""


class RecordingHandler:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        return ORDER


@dataclass
class LocalPool:
    pool: LocalUserPool
    cognito: Any

    def user(self, email: str, *groups: str) -> None:
        self.cognito.admin_create_user(
            UserPoolId=self.pool.user_pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}],
            MessageAction="SUPPRESS",
        )
        self.cognito.admin_set_user_password(
            UserPoolId=self.pool.user_pool_id, Username=email, Password=PASSWORD, Permanent=True
        )
        for group in groups:
            self.cognito.admin_add_user_to_group(
                UserPoolId=self.pool.user_pool_id, Username=email, GroupName=group
            )

    def tokens(self, email: str, client_id: str | None = None) -> dict[str, str]:
        result = self.cognito.initiate_auth(
            ClientId=client_id or self.pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
        tokens: dict[str, str] = result["AuthenticationResult"]
        return tokens


@pytest.fixture
def local_pool() -> Iterator[LocalPool]:
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name=REGION)
        pool = provision_user_pool(cognito, "http://aws.invalid", REGION, mfa=False)
        yield LocalPool(pool, cognito)


def _client(
    local_pool: LocalPool, handler: RecordingHandler, field_auth: FieldAuth | None = None
) -> TestClient:
    # moto's public key set, as its server publishes it at /<poolId>/.well-known/jwks.json.
    tokens = UserPoolTokens(
        local_pool.pool,
        local_pool.cognito,
        jwks=lambda _: load_resource("cognitoidp/resources/jwks-public.json"),
    )
    runtime = LocalAppSync(LambdaFunction(handler), ResolverCache(ttl_seconds=0), field_auth)
    app = build_app(runtime, KEY, dict, callers=Authenticator(KEY, tokens, IAM))
    return TestClient(app, client=("203.0.113.7", 50000))


def _create(client: TestClient, headers: dict[str, str]) -> Any:
    query = (
        'mutation { createOrder(input: {descripcion: "x", fecha_entrega: "2099-12-31"}) { id } }'
    )
    return client.post("/graphql", json={"query": query}, headers=headers)


def _signed(body: bytes, secret: str = IAM.secret_access_key) -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url="http://testserver/graphql",
        data=body,
        headers={"content-type": "application/json"},
    )
    SigV4Auth(Credentials(IAM.access_key_id, secret), "appsync", REGION).add_auth(request)
    return dict(request.headers.items())


def test_the_api_key_gives_a_null_identity(local_pool: LocalPool) -> None:
    handler = RecordingHandler()

    response = _create(_client(local_pool, handler), {"x-api-key": KEY})

    assert response.status_code == 200
    assert handler.events[0]["identity"] is None


def test_an_access_token_gives_the_user_pool_identity_with_the_users_email(
    local_pool: LocalPool,
) -> None:
    # given a user of a group, signed in; Amplify v6 sends the access token
    local_pool.user("ana@example.com", "supervisores")
    access = local_pool.tokens("ana@example.com")["AccessToken"]
    handler = RecordingHandler()

    # when
    response = _create(_client(local_pool, handler), {"Authorization": access})

    # then
    assert response.status_code == 200, response.text
    identity = handler.events[0]["identity"]
    assert set(identity) == {
        "sub",
        "issuer",
        "username",
        "claims",
        "sourceIp",
        "defaultAuthStrategy",
        "groups",
    }
    assert identity["issuer"] == local_pool.pool.issuer
    assert identity["username"] == identity["sub"] == identity["claims"]["sub"]
    assert identity["claims"]["token_use"] == "access"
    assert identity["claims"]["email"] == "ana@example.com"  # as the pool's trigger adds it
    assert identity["groups"] == ["supervisores"]
    assert identity["sourceIp"] == ["203.0.113.7"]
    assert identity["defaultAuthStrategy"] == "ALLOW"


def test_an_id_token_names_the_user_by_cognito_username(local_pool: LocalPool) -> None:
    local_pool.user("ana@example.com")
    id_token = local_pool.tokens("ana@example.com")["IdToken"]
    handler = RecordingHandler()

    response = _create(_client(local_pool, handler), {"Authorization": id_token})

    assert response.status_code == 200, response.text
    identity = handler.events[0]["identity"]
    assert identity["username"] == identity["claims"]["cognito:username"]
    assert identity["claims"]["email"] == "ana@example.com"
    assert identity["groups"] is None


def test_a_sigv4_request_gives_the_iam_identity(local_pool: LocalPool) -> None:
    handler = RecordingHandler()
    body = json.dumps(
        {
            "query": 'mutation { createOrder(input: {descripcion: "x", '
            'fecha_entrega: "2099-12-31"}) { id } }'
        }
    ).encode()

    response = _client(local_pool, handler).post("/graphql", content=body, headers=_signed(body))

    assert response.status_code == 200, response.text
    assert handler.events[0]["identity"] == {
        "accountId": "123456789012",
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "sourceIp": ["203.0.113.7"],
        "username": IAM.user_id,
        "userArn": "arn:aws:iam::123456789012:user/orders-local",
        "cognitoIdentityAuthType": None,
        "cognitoIdentityAuthProvider": None,
    }


def test_a_wrong_secret_is_refused_before_anything_runs(local_pool: LocalPool) -> None:
    handler = RecordingHandler()
    body = b'{"query": "mutation { createOrder(input: {}) { id } }"}'

    response = _client(local_pool, handler).post(
        "/graphql", content=body, headers=_signed(body, secret="wrong")
    )

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert handler.events == []


def _forged(local_pool: LocalPool, **claims: Any) -> str:
    """A token signed with the key moto signs the pool's tokens with, claims of our choice."""
    key = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    now = int(time.time())
    payload = {
        "iss": local_pool.pool.issuer,
        "sub": "0000",
        "client_id": local_pool.pool.client_id,
        "token_use": "access",
        "username": "0000",
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, payload, key)


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": int(time.time()) - 1}, id="expired"),
        pytest.param(
            {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
            id="other-issuer",
        ),
        pytest.param({"client_id": "another-client"}, id="other-client"),
        pytest.param({"token_use": "refresh"}, id="neither-id-nor-access"),
    ],
)
def test_a_well_signed_token_appsync_would_refuse_is_a_401(
    local_pool: LocalPool, claims: dict[str, Any]
) -> None:
    handler = RecordingHandler()
    # the forged token itself passes when nothing is wrong with it
    sound = _create(_client(local_pool, handler), {"Authorization": _forged(local_pool)})
    assert sound.status_code == 200, sound.text

    response = _create(
        _client(local_pool, handler), {"Authorization": _forged(local_pool, **claims)}
    )

    assert response.status_code == 401
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert response.json() == {
        "errors": [
            {
                "errorType": "UnauthorizedException",
                "message": "You are not authorized to make this call.",
            }
        ]
    }
    assert len(handler.events) == 1


def test_a_tampered_token_is_a_401(local_pool: LocalPool) -> None:
    local_pool.user("ana@example.com")
    header, payload, signature = local_pool.tokens("ana@example.com")["AccessToken"].split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"

    response = _create(_client(local_pool, RecordingHandler()), {"Authorization": tampered})

    assert response.status_code == 401


def test_a_user_outside_the_fields_groups_gets_unauthorized_and_nothing_runs(
    local_pool: LocalPool,
) -> None:
    # given a field restricted to supervisores, and a tecnico signed in
    local_pool.user("teo@example.com", "tecnicos")
    access = local_pool.tokens("teo@example.com")["AccessToken"]
    handler = RecordingHandler()
    client = _client(local_pool, handler, FieldAuth.of_sdl(RESTRICTED_SDL))

    # when
    response = client.post("/graphql", json={"query": CANCEL}, headers={"Authorization": access})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == "Not Authorized to access updateOrderState on type Mutation"
    assert error["path"] == ["updateOrderState"]
    assert handler.events == []


def test_the_fields_group_and_the_unrestricted_modes_pass(local_pool: LocalPool) -> None:
    local_pool.user("sara@example.com", "supervisores")
    access = local_pool.tokens("sara@example.com")["AccessToken"]
    handler = RecordingHandler()
    client = _client(local_pool, handler, FieldAuth.of_sdl(RESTRICTED_SDL))
    body = json.dumps({"query": CANCEL}).encode()

    json_body = {"content-type": "application/json"}
    as_supervisor = client.post(
        "/graphql", content=body, headers={**json_body, "Authorization": access}
    )
    as_key = client.post("/graphql", content=body, headers={**json_body, "x-api-key": KEY})
    as_iam = client.post("/graphql", content=body, headers=_signed(body))

    for response in (as_supervisor, as_key, as_iam):
        assert response.json()["data"]["updateOrderState"]["estado"] == "cancelada"
    assert len(handler.events) == 3
