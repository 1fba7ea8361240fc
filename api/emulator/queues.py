"""`orders queues`: what downstream services would get. Counts per state queue, or drains
one queue, printing its messages as JSON lines in FIFO order."""

import json
from collections.abc import Iterator
from typing import TextIO

from api.emulator.local_aws import LocalAws
from resolvers.contract import resources
from resolvers.domain.states import Estado

# SQS returns at most 10 messages per call.
BATCH = 10
# Long polling asks every SQS server, so an empty answer means an empty queue; short
# polling samples a few, and an external SQS-compatible endpoint could stop the drain early.
WAIT_SECONDS = 1


class DrainFailed(Exception):
    """SQS did not delete printed messages: they would be delivered again."""


def print_counts(aws: LocalAws, out: TextIO) -> None:
    client = aws.sqs()
    names = resources.ResourceNames(resources.LOCAL_STAGE)
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
            print(
                json.dumps(
                    {
                        "queue": name,
                        "estado": estado.value,
                        "messages": int(attributes["ApproximateNumberOfMessages"]),
                        "in_flight": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
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
    client = aws.sqs()
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
