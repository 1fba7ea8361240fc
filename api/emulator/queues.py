"""`orders queues`: what downstream services would get. Counts per state queue (and the age
of its oldest message), or drains one queue, printing its messages as JSON lines in FIFO
order."""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlencode
from urllib.request import urlopen

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from api.emulator.local_aws import QUEUE_AGES_PATH, LocalAws
from resolvers.definitions import resources
from resolvers.domain.states import Estado

# SQS returns at most 10 messages per call.
BATCH = 10
# Long polling asks every SQS server, so an empty answer means an empty queue; short
# polling samples a few, and an external SQS-compatible endpoint could stop the drain early.
WAIT_SECONDS = 1
# A command run by hand: an endpoint that does not answer is reported at once, not retried.
# An answer may be slow: on a loaded machine the embedded AWS can take seconds.
READ_SECONDS = WAIT_SECONDS + 10
_CLIENT_CONFIG = Config(
    connect_timeout=3, read_timeout=READ_SECONDS, retries={"total_max_attempts": 2}
)

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class QueuesUnavailable(Exception):
    """The endpoint cannot be reached, or has no orders queues."""


class DrainFailed(Exception):
    """SQS did not delete printed messages: they would be delivered again."""


@contextmanager
def reaching(aws: LocalAws) -> Iterator["SQSClient"]:
    """An SQS client for `aws`, whose failures become one QueuesUnavailable line."""
    try:
        yield aws.sqs(_CLIENT_CONFIG)
    except BotoCoreError as error:
        raise QueuesUnavailable(f"cannot reach SQS at {aws.endpoint_url}: {error}") from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if "NonExistentQueue" in code:
            raise QueuesUnavailable(
                f"{aws.endpoint_url} has no orders queues: start `orders serve` with "
                "--endpoint-url there first, it creates them"
            ) from None
        raise QueuesUnavailable(f"SQS at {aws.endpoint_url} answered: {error}") from None


def print_counts(aws: LocalAws, out: TextIO) -> None:
    with reaching(aws) as client:
        _print_counts(client, _oldest_sent_ms(aws), out)


def _oldest_sent_ms(aws: LocalAws) -> dict[str, int | None]:
    """When each queue's oldest visible message was sent (epoch ms), by queue name, asked of
    the embedded AWS (api.emulator.embedded_aws.queue_ages), never read with a receive: a
    receive counts toward the queue's maxReceiveCount. Empty (every age unknown) where the
    endpoint does not answer that path: an external one."""
    if not aws.endpoint_url.startswith(("http://", "https://")):
        return {}
    url = f"{aws.endpoint_url}{QUEUE_AGES_PATH}?{urlencode({'region': aws.region})}"
    try:
        # The endpoint the user named or the embedded AWS's; its scheme is http(s).
        with urlopen(url, timeout=READ_SECONDS) as answer:  # noqa: S310
            ages = json.load(answer)
    except (OSError, ValueError):
        return {}
    if not isinstance(ages, dict):
        return {}
    return {
        name: sent
        for name, sent in ages.items()
        if sent is None or (isinstance(sent, int) and not isinstance(sent, bool))
    }


def _print_counts(client: "SQSClient", oldest_sent_ms: dict[str, int | None], out: TextIO) -> None:
    names = resources.ResourceNames(resources.LOCAL_STAGE)
    now_ms = time.time() * 1000
    for estado in Estado:
        for name in (names.queue(estado), names.dead_letter_queue(estado)):
            url = client.get_queue_url(QueueName=name)["QueueUrl"]
            attributes = client.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            oldest = oldest_sent_ms.get(name)
            print(
                json.dumps(
                    {
                        "queue": name,
                        "estado": estado.value,
                        "messages": int(attributes["ApproximateNumberOfMessages"]),
                        "in_flight": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
                        "oldest_age_seconds": (
                            None if oldest is None else max(0, round((now_ms - oldest) / 1000))
                        ),
                    }
                ),
                file=out,
            )


def drain(aws: LocalAws, estado: Estado, out: TextIO) -> int:
    """Print and delete every message of `estado`'s queue; returns how many."""
    count = 0
    for line in _drained(aws, estado):
        print(line, file=out, flush=True)
        count += 1
    return count


def _drained(aws: LocalAws, estado: Estado) -> Iterator[str]:
    with reaching(aws) as client:
        yield from _drained_with(client, estado)


def _drained_with(client: "SQSClient", estado: Estado) -> Iterator[str]:
    name = resources.ResourceNames(resources.LOCAL_STAGE).queue(estado)
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    while True:
        messages = client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=BATCH,
            WaitTimeSeconds=WAIT_SECONDS,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        for message in messages:
            attributes = message.get("Attributes", {})
            yield json.dumps(
                {
                    "messageId": message["MessageId"],
                    "messageGroupId": attributes.get("MessageGroupId"),
                    "messageDeduplicationId": attributes.get("MessageDeduplicationId"),
                    "sequenceNumber": attributes.get("SequenceNumber"),
                    "body": json.loads(message["Body"]),
                }
            )
        # Deleted only once printed: an interrupted drain leaves the rest in the queue.
        deleted = client.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
        if deleted.get("Failed"):
            raise DrainFailed(f"{name}: could not delete {deleted['Failed']}")
