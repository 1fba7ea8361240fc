"""AWS for the benchmarks: a moto server on a free loopback port, provisioned by the
emulator's own provisioning (the stack's table, index and queues), and the environment the
stack gives the Lambda, pointed at it."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moto.server import ThreadedMotoServer

from api.emulator.local_aws import LocalAws
from api.emulator.provisioning import Provisioned, provision
from api.emulator.server import local_lambda_environment
from harness.serve_process import HOST, free_port
from resolvers.definitions.resources import ResourceNames

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

STAGE = "bench"
# SQS hands out at most 10 messages per call.
RECEIVE_BATCH = 10


@dataclass(frozen=True)
class MotoBackend:
    aws: LocalAws
    provisioned: Provisioned
    sqs: "SQSClient"

    def lambda_environment(self, cache_ttl_seconds: int) -> dict[str, str]:
        """What the Lambda gets in the cloud (table, queue URLs, Powertools settings) plus
        the endpoint and dummy credentials of this moto server."""
        return local_lambda_environment(self.aws, self.provisioned, cache_ttl_seconds)

    def consume_queues(self) -> int:
        """Receive and delete every queued message, as the downstream services would;
        returns how many. Called between write batches: moto's SendMessage on a FIFO queue
        slows down in step with the queue's backlog (about 0.1 ms per queued message),
        which would make createOrder look slower the longer the benchmark runs."""
        consumed = 0
        for url in self.provisioned.queue_urls.values():
            while True:
                messages = self.sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=RECEIVE_BATCH, WaitTimeSeconds=0
                ).get("Messages", [])
                if not messages:
                    break
                self.sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": message["ReceiptHandle"]}
                        for i, message in enumerate(messages)
                    ],
                )
                consumed += len(messages)
        return consumed


@contextmanager
def moto_backend() -> Iterator[MotoBackend]:
    # One line per AWS call would drown the benchmark's own output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    try:
        # env={}: the region and credentials are the dummies, never the caller's.
        aws = LocalAws.choose(HOST, port, endpoint_url=None, env={})
        sqs = aws.sqs()
        yield MotoBackend(aws, provision(aws.dynamodb(), sqs, ResourceNames(STAGE)), sqs)
    finally:
        server.stop()
