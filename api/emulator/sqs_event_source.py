"""Lambda's SQS event source for a FIFO queue, played locally (`orders consume`): what a
consumer Lambda attached to a state queue gets in the cloud, run against any SQS endpoint
through its public API only.

What it reproduces ("Using Lambda with Amazon SQS" and "Handling errors for an SQS event
source in Lambda", docs.aws.amazon.com/lambda/latest/dg/with-sqs.html and
services-sqs-errorhandling.html):

- batches of up to `batch_size` messages, in the event shape Lambda delivers (`Records[]`
  with `messageId`, `receiptHandle`, `body`, `attributes`, `messageAttributes`, ...);
- FIFO order per message group: SQS itself hands out nothing of a group while one of its
  messages is in flight, and a batch is finished (deleted or failed) before the next is
  received, as with one concurrent invocation;
- partial batch responses (`ReportBatchItemFailures`): the messages named in
  `batchItemFailures` come back after the visibility timeout, the others are deleted; a
  handler that raises, or returns a response that names a message not in the batch, fails
  the whole batch;
- the queue's redrive policy: SQS moves a message received `maxReceiveCount` times to the
  dead-letter queue on the next receive.

One concurrent batch only: Lambda runs up to one batch per active message group at once
(services-sqs-scaling.html); with `queueGroups` 1 that is one, and order within a group is
the same either way."""

import base64
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from api.emulator.lambda_context import LambdaContext

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

# SQS returns at most 10 messages per ReceiveMessage; Lambda's FIFO batches are at most 10.
MAX_BATCH_SIZE = 10
# Long polling, as Lambda's pollers do; short enough that --until-empty ends promptly.
WAIT_SECONDS = 1

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one batch: the ids handled and failed, in batch order."""

    received: tuple[str, ...]
    failed: tuple[str, ...]
    error: str | None = None

    def as_line(self) -> dict[str, Any]:
        line: dict[str, Any] = {"received": len(self.received), "failed": list(self.failed)}
        if self.error:
            line["error"] = self.error
        return line


@dataclass
class FifoEventSource:
    """One state queue as Lambda's event source mapping polls it."""

    sqs: "SQSClient"
    queue_url: str
    region: str
    batch_size: int = MAX_BATCH_SIZE
    # None: the queue's own visibility timeout.
    visibility_timeout: int | None = None
    queue_arn: str = field(init=False)

    def __post_init__(self) -> None:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]
        self.queue_arn = attributes["QueueArn"]

    def run(
        self, handler: Handler, *, until_empty: bool, report: Callable[[BatchOutcome], None]
    ) -> None:
        """Poll and invoke `handler` batch after batch; with `until_empty`, stop once the
        queue holds nothing, visible or in flight."""
        while True:
            # Looked at before each receive: a long poll of an emptied queue would only
            # delay the end by WAIT_SECONDS.
            if until_empty and self.is_empty():
                return
            outcome = self.poll_once(handler)
            if outcome is not None:
                report(outcome)

    def poll_once(self, handler: Handler) -> BatchOutcome | None:
        """Receive one batch and hand it to `handler`; None when nothing was received."""
        messages = self._receive()
        if not messages:
            return None
        event = {"Records": [self._record(m) for m in messages]}
        try:
            failed_ids = failed_message_ids(handler(event, LambdaContext()), messages)
            error = None
        except Exception as raised:  # any error fails the batch, as in Lambda
            failed_ids = [m["MessageId"] for m in messages]
            error = f"{type(raised).__name__}: {raised}"
        self._settle(messages, set(failed_ids))
        return BatchOutcome(
            received=tuple(m["MessageId"] for m in messages),
            failed=tuple(m["MessageId"] for m in messages if m["MessageId"] in failed_ids),
            error=error,
        )

    def is_empty(self) -> bool:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return all(int(count) == 0 for count in attributes.values())

    def _receive(self) -> list["MessageTypeDef"]:
        request: dict[str, Any] = {
            "QueueUrl": self.queue_url,
            "MaxNumberOfMessages": self.batch_size,
            "WaitTimeSeconds": WAIT_SECONDS,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if self.visibility_timeout is not None:
            request["VisibilityTimeout"] = self.visibility_timeout
        return self.sqs.receive_message(**request).get("Messages", [])

    def _settle(self, messages: Sequence["MessageTypeDef"], failed: set[str]) -> None:
        """Delete what succeeded; of each group's failed messages keep the first in flight
        (it comes back after the visibility timeout) and make the rest visible now.

        Why not leave them all in flight, as Lambda does: when several in-flight messages of
        one FIFO group time out together, moto may hand them back out of order (it frees a
        group only once its last pending message is looked at), which real SQS never does.
        Released at once, they wait behind the first in their group's order, because SQS
        delivers nothing of a group while one of its messages is in flight."""
        succeeded = [m for m in messages if m["MessageId"] not in failed]
        for chunk in _chunks(succeeded, MAX_BATCH_SIZE):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
        kept_groups: set[str] = set()
        released = []
        for message in messages:
            if message["MessageId"] not in failed:
                continue
            group = message.get("Attributes", {}).get("MessageGroupId", "")
            if group in kept_groups:
                released.append(message)
            kept_groups.add(group)
        for chunk in _chunks(released, MAX_BATCH_SIZE):
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(chunk)
                ],
            )

    def _record(self, message: "MessageTypeDef") -> dict[str, Any]:
        """One record of Lambda's SQS event, as the FIFO example of "Using Lambda with
        Amazon SQS" shows it (docs.aws.amazon.com/lambda/latest/dg/with-sqs.html)."""
        attributes = message.get("Attributes", {})
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {
                name: attributes[name] for name in _RECORD_ATTRIBUTES if name in attributes
            },
            "messageAttributes": lambda_message_attributes(message.get("MessageAttributes", {})),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record


# The system attributes a record carries (the FIFO ones included), in Lambda's order.
_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "SenderId",
    "MessageDeduplicationId",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
)


def lambda_message_attributes(attributes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """SQS's MessageAttributes in the shape of Lambda's records: camelCase keys, empty lists
    for the list values SQS does not implement, binary values in base64."""
    converted: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        entry: dict[str, Any] = {"stringListValues": [], "binaryListValues": []}
        if "StringValue" in value:
            entry["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            entry["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
        entry["dataType"] = value["DataType"]
        converted[name] = entry
    return converted


def failed_message_ids(response: Any, messages: Sequence["MessageTypeDef"]) -> list[str]:
    """The ids a partial batch response reports failed. Lambda treats the whole batch as
    failed when the response names an empty id or one not in the batch; no response, or
    one without `batchItemFailures`, is a success (services-sqs-errorhandling.html)."""
    if not isinstance(response, dict) or response.get("batchItemFailures") is None:
        return []
    batch = {m["MessageId"] for m in messages}
    failures = response["batchItemFailures"]
    ids = [f.get("itemIdentifier") for f in failures if isinstance(f, dict)]
    if len(ids) != len(failures) or not all(isinstance(i, str) and i in batch for i in ids):
        return [m["MessageId"] for m in messages]
    return [str(i) for i in ids]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
