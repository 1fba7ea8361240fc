"""The API the e2e suite drives: by default the emulator it starts itself; given a deployed
stage, that AppSync API instead, so a deploy is checked by the tests that check the emulator.

`ORDERS_API_URL` + `ORDERS_API_KEY` name the API directly; `ORDERS_E2E_OUTPUTS` names the
file `make deploy` writes (`cdk deploy --outputs-file`), read for `GraphqlUrl` and `ApiKey`,
or, for a stage whose callers sign in with Cognito (prod: no key), `UserPoolId` and
`UserPoolClientId`: the suite then signs a throwaway user in (harness/cognito_users.py).
`ORDERS_E2E_COGNITO_ENDPOINT` points the Cognito calls elsewhere than AWS (the emulator's
embedded AWS, to run this path locally)."""

import ipaddress
import json
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ENV_URL = "ORDERS_API_URL"
ENV_KEY = "ORDERS_API_KEY"
ENV_OUTPUTS = "ORDERS_E2E_OUTPUTS"
ENV_COGNITO_ENDPOINT = "ORDERS_E2E_COGNITO_ENDPOINT"
REQUEST_TIMEOUT_SECONDS = 30


class TargetError(Exception):
    """The environment names a deployed API the suite cannot use."""


class Api:
    """A GraphQL endpoint and its API key: all that a test not marked `emulator_only` uses."""

    graphql_url: str
    api_key: str

    def verify(self) -> ssl.SSLContext | bool:
        """What HTTPS must trust to reach it (the system's authorities unless overridden)."""
        return True

    def credentials(self) -> dict[str, str]:
        """The headers that authorize a request: the API key by default."""
        return {"x-api-key": self.api_key}

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = self.credentials() if headers is None else headers
        return httpx.post(
            self.graphql_url,
            json={"query": query, "variables": variables or {}},
            headers=sent,
            timeout=REQUEST_TIMEOUT_SECONDS,
            verify=self.verify(),
        )

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a request that must succeed."""
        body = self.graphql(query, variables).json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


@dataclass(frozen=True)
class DeployedApi(Api):
    graphql_url: str
    api_key: str


@dataclass(frozen=True)
class UserPoolTarget:
    """A deployed API whose callers sign in with a Cognito user pool (no API key)."""

    graphql_url: str
    region: str
    user_pool_id: str
    client_id: str
    # None: Cognito itself, in `region`.
    cognito_endpoint: str | None = None


@dataclass(frozen=True)
class SignedInApi(Api):
    """An API called with a user's access token, as Amplify v6 calls AppSync."""

    graphql_url: str
    access_token: str
    # Who the token names: what the API records as `creado_por` and `por`.
    email: str = ""
    api_key: str = ""

    def credentials(self) -> dict[str, str]:
        return {"Authorization": self.access_token}


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _checked(url: str, key: str, source: str) -> DeployedApi:
    parts = urlsplit(url)
    # The key would travel in clear text; plain HTTP is for an API on this machine only.
    if not (parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname))):
        raise TargetError(f"{source}: the GraphQL URL must be https, not {url!r}")
    if not key:
        raise TargetError(f"{source}: no API key for {url}")
    return DeployedApi(url, key)


def _from_outputs(path: Path, cognito_endpoint: str | None) -> DeployedApi | UserPoolTarget:
    try:
        stacks: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TargetError(f"{ENV_OUTPUTS}: cannot read {path} ({error})") from None
    apis = {name: outputs for name, outputs in stacks.items() if "GraphqlUrl" in outputs}
    if len(apis) != 1:
        raise TargetError(f"{path}: expected one stack with a GraphqlUrl, found {sorted(apis)}")
    ((name, outputs),) = apis.items()
    if "ApiKey" in outputs:
        return _checked(outputs["GraphqlUrl"], outputs["ApiKey"], str(path))
    if "UserPoolId" in outputs and "UserPoolClientId" in outputs:
        # prod signs callers in with Cognito and has no API key.
        return _user_pool_target(outputs, str(path), cognito_endpoint)
    raise TargetError(
        f"{path}: stack {name} has neither an ApiKey nor UserPoolId and UserPoolClientId outputs"
    )


def _user_pool_target(
    outputs: Mapping[str, str], source: str, cognito_endpoint: str | None
) -> UserPoolTarget:
    url, pool_id = outputs["GraphqlUrl"], outputs["UserPoolId"]
    # A token travels like a key: over TLS unless the API is on this machine.
    _checked(url, "token", source)
    # A pool id is `<region>_<id>` (UserPoolId in the Cognito API reference:
    # https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolType.html).
    region, separator, _ = pool_id.partition("_")
    if not separator or not region:
        raise TargetError(f"{source}: {pool_id!r} is not a user pool id")
    return UserPoolTarget(url, region, pool_id, outputs["UserPoolClientId"], cognito_endpoint)


def deployed_api(environ: Mapping[str, str]) -> DeployedApi | UserPoolTarget | None:
    """The deployed API the environment names, or None to run against the emulator."""
    url = environ.get(ENV_URL)
    if url:
        if not environ.get(ENV_KEY):
            raise TargetError(f"{ENV_URL} is set but {ENV_KEY} is not")
        return _checked(url, environ[ENV_KEY], ENV_URL)
    outputs = environ.get(ENV_OUTPUTS)
    if outputs:
        return _from_outputs(Path(outputs), environ.get(ENV_COGNITO_ENDPOINT) or None)
    return None
