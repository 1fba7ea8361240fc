"""Where the emulator's AWS lives: the embedded moto server or an external endpoint, and the
boto3 clients and credentials every local command uses."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

DEFAULT_REGION = "us-east-1"
# moto accepts any credentials; fixed dummies keep real ones (or an AWS_PROFILE) from ever
# being sent anywhere by a local run.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
# The embedded AWS's one path of its own (api.emulator.embedded_aws.queue_ages), not an AWS
# API: no AWS service is served under it.
QUEUE_AGES_PATH = "/_orders/queue-ages"


@dataclass(frozen=True)
class LocalAws:
    """An AWS-compatible endpoint. `embedded` means our own moto server, where dummy
    credentials are forced; an external endpoint keeps the caller's, dummies by default."""

    endpoint_url: str
    embedded: bool
    region: str

    @classmethod
    def choose(
        cls,
        host: str,
        aws_port: int,
        endpoint_url: str | None,
        env: Mapping[str, str] = os.environ,
    ) -> "LocalAws":
        if endpoint_url:
            return cls.at(endpoint_url, embedded=False, env=env)
        return cls.at(f"http://{url_host(host)}:{aws_port}", embedded=True, env=env)

    @classmethod
    def at(
        cls, endpoint_url: str, *, embedded: bool, env: Mapping[str, str] = os.environ
    ) -> "LocalAws":
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        return cls(endpoint_url.rstrip("/"), embedded=embedded, region=region)

    def credentials(self, env: Mapping[str, str] = os.environ) -> dict[str, str]:
        if self.embedded:
            return dict(DUMMY_CREDENTIALS)
        return {name: env.get(name, value) for name, value in DUMMY_CREDENTIALS.items()}

    def environment(self, env: Mapping[str, str] = os.environ) -> dict[str, str]:
        """Variables that point boto3 (in the Lambda code too) at this endpoint."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            **self.credentials(env),
        }

    def dynamodb(self) -> "DynamoDBClient":
        client: DynamoDBClient = self._client("dynamodb")
        return client

    def sqs(self, config: Config | None = None) -> "SQSClient":
        client: SQSClient = self._client("sqs", config)
        return client

    def cognito(self) -> "CognitoIdentityProviderClient":
        client: CognitoIdentityProviderClient = self._client("cognito-idp")
        return client

    def _client(
        self, service: Literal["dynamodb", "sqs", "cognito-idp"], config: Config | None = None
    ) -> Any:
        credentials = self.credentials()
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
            config=config,
        )


def url_host(host: str) -> str:
    """`host` as it stands in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host
