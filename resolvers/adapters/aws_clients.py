"""boto3 clients as the Lambda uses them. boto3 honours AWS_ENDPOINT_URL, so the same
clients reach moto or any AWS-compatible endpoint."""

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

# The retry budget. Standard mode retries throttling and transient errors with backoff
# before the use case sees a failure and compensates; the timeouts are short (DynamoDB and
# SQS answer in milliseconds) so that even a hung dependency fails inside the Lambda's
# timeout, with time left to undo the write, instead of the invocation being killed midway.
CONNECT_TIMEOUT_SECONDS = 0.5
READ_TIMEOUT_SECONDS = 1.0
TOTAL_ATTEMPTS = 3
# Standard mode waits up to 2**n seconds (random) before retry n+1: 1 s, then 2 s.
MAX_BACKOFF_SECONDS = sum(2**retry for retry in range(TOTAL_ATTEMPTS - 1))
WORST_CASE_CALL_SECONDS = (
    TOTAL_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) + MAX_BACKOFF_SECONDS
)
# What must fit once a write starts: the write, its publish (failing) and the undo. The
# use cases start no write with less of the invocation left (service/orders.py).
CALLS_ON_COMPENSATED_PATH = 3
WORST_CASE_COMPENSATED_SECONDS = CALLS_ON_COMPENSATED_PATH * WORST_CASE_CALL_SECONDS

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS},
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
)


def dynamodb_client() -> "DynamoDBClient":
    return boto3.client("dynamodb", config=CLIENT_CONFIG)


def sqs_client() -> "SQSClient":
    return boto3.client("sqs", config=CLIENT_CONFIG)
