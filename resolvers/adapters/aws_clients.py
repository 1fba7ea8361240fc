"""boto3 clients as the Lambda uses them. boto3 honours AWS_ENDPOINT_URL, so the same
clients reach moto or any AWS-compatible endpoint."""

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

# Standard mode retries throttling and transient errors with backoff (max_attempts counts
# retries: 1 call + 3 retries) before the use case
# sees a failure (and compensates). Short timeouts keep a stuck call inside the Lambda's
# own timeout, so a failure is reported instead of the invocation being killed mid-way.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=3,
    read_timeout=5,
)


def dynamodb_client() -> "DynamoDBClient":
    return boto3.client("dynamodb", config=CLIENT_CONFIG)


def sqs_client() -> "SQSClient":
    return boto3.client("sqs", config=CLIENT_CONFIG)
