"""`orders redrive ESTADO`: move the messages of a state's dead-letter queue back to the
state queue, in the order the dead-letter queue gives them, each with its message group,
deduplication id, body and attributes as the dead-letter queue holds them.

SQS gives a FIFO message moved to a FIFO dead-letter queue the original message's id as
its deduplication id ("Learn how to configure a dead-letter queue redrive in Amazon SQS",
docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/
sqs-configure-dead-letter-queue-redrive.html). Sent back with that id, a redriven message
is not taken for a duplicate of its original within SQS's five-minute deduplication
interval, which `id:estado:version` would be; consumers deduplicate on the envelope's
`id:estado:version` whatever the transport id. The emulator's queues do the same
(api/emulator/sqs_model.py).

One message is sent at a time and deleted from the dead-letter queue only once sent: an
interrupted redrive leaves the rest where it was, and a message sent but not deleted comes
back to the dead-letter queue's consumers, never lost."""

import json
from typing import TYPE_CHECKING, Any, TextIO

from resolvers.definitions.resources import ResourceNames
from resolvers.domain.states import Estado

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef, MessageTypeDef

BATCH = 10
WAIT_SECONDS = 1
# Long enough to send a batch back one by one; a message left unsent reappears after it.
HOLD_SECONDS = 60


class RedriveFailed(Exception):
    """SQS refused to take a message back; it stays in the dead-letter queue."""


def redrive(sqs: "SQSClient", names: ResourceNames, estado: Estado, *, out: TextIO) -> int:
    """Move every message of `estado`'s dead-letter queue back; one JSON line each."""
    source = sqs.get_queue_url(QueueName=names.dead_letter_queue(estado))["QueueUrl"]
    target = sqs.get_queue_url(QueueName=names.queue(estado))["QueueUrl"]
    moved = 0
    while messages := sqs.receive_message(
        QueueUrl=source,
        MaxNumberOfMessages=BATCH,
        WaitTimeSeconds=WAIT_SECONDS,
        VisibilityTimeout=HOLD_SECONDS,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", []):
        for message in messages:
            attributes = message.get("Attributes", {})
            sent = _send_back(sqs, target, message)
            sqs.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
            line = {
                "redriven": message["MessageId"],
                "messageId": sent,
                "messageGroupId": attributes.get("MessageGroupId"),
                "messageDeduplicationId": attributes.get("MessageDeduplicationId"),
            }
            print(json.dumps(line), file=out, flush=True)
    return moved


def _send_back(sqs: "SQSClient", target: str, message: "MessageTypeDef") -> str:
    attributes = message.get("Attributes", {})
    group, deduplication = (
        attributes.get("MessageGroupId"),
        attributes.get("MessageDeduplicationId"),
    )
    if group is None or deduplication is None:
        raise RedriveFailed(
            f"message {message['MessageId']} has no message group or deduplication id: "
            "not from a FIFO queue"
        )
    sent = sqs.send_message(
        QueueUrl=target,
        MessageBody=message["Body"],
        MessageGroupId=group,
        MessageDeduplicationId=deduplication,
        MessageAttributes=_sendable(message.get("MessageAttributes", {})),
    )
    return sent["MessageId"]


def _sendable(attributes: dict[str, Any]) -> dict[str, "MessageAttributeValueTypeDef"]:
    """Received message attributes as SendMessage takes them (the list values SQS reserves
    but does not implement dropped)."""
    return {
        name: {
            key: value[key]  # type: ignore[misc]
            for key in ("DataType", "StringValue", "BinaryValue")
            if key in value
        }
        for name, value in attributes.items()
    }
