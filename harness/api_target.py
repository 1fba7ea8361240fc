"""The API the e2e suite drives: by default the emulator it starts itself; given a deployed
stage, that AppSync API instead, so a deploy is checked by the tests that check the emulator.

`ORDERS_API_URL` + `ORDERS_API_KEY` name the API directly; `ORDERS_E2E_OUTPUTS` names the
file `make deploy` writes (`cdk deploy --outputs-file`), read for `GraphqlUrl` and `ApiKey`."""

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

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"x-api-key": self.api_key} if headers is None else headers
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


def _from_outputs(path: Path) -> DeployedApi:
    try:
        stacks: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TargetError(f"{ENV_OUTPUTS}: cannot read {path} ({error})") from None
    apis = {name: outputs for name, outputs in stacks.items() if "GraphqlUrl" in outputs}
    if len(apis) != 1:
        raise TargetError(f"{path}: expected one stack with a GraphqlUrl, found {sorted(apis)}")
    ((name, outputs),) = apis.items()
    if "ApiKey" not in outputs:
        # prod signs callers in with Cognito and has no API key.
        raise TargetError(f"{path}: stack {name} has no ApiKey output; the suite needs one")
    return _checked(outputs["GraphqlUrl"], outputs["ApiKey"], str(path))


def deployed_api(environ: Mapping[str, str]) -> DeployedApi | None:
    """The deployed API the environment names, or None to run against the emulator."""
    url = environ.get(ENV_URL)
    if url:
        if not environ.get(ENV_KEY):
            raise TargetError(f"{ENV_URL} is set but {ENV_KEY} is not")
        return _checked(url, environ[ENV_KEY], ENV_URL)
    outputs = environ.get(ENV_OUTPUTS)
    if outputs:
        return _from_outputs(Path(outputs))
    return None
