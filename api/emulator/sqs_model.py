"""moto's SQS queue model, with sends whose cost does not grow with the queue.

moto 5.2 keeps a queue's messages in one list and, on every SendMessage, reads the queue's
attributes four times (each read counts the visible, in-flight and delayed messages, reading
the clock once per message) and walks every message for a FIFO deduplication check. A send to
a queue holding n messages therefore costs about 13 n clock reads, and the emulator slows as
its queues fill (locally nothing drains them). This layer, installed in the embedded AWS's
process (api.emulator.aws_process), changes three things and nothing else:

- a FIFO send is deduplicated against a window of the deduplication ids accepted in the last
  five minutes, per queue or per message group as the queue's `DeduplicationScope` says, kept
  whether or not those messages were since received or deleted, as SQS documents
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html);
- a send reads the one attribute it needs (`ContentBasedDeduplication`), not the counts;
- counting and listing visible messages read the clock once per call, not once per message.

Receives and deletes still walk the queue, as moto does. moto is pinned to one minor version
in pyproject.toml; tests/unit/test_sqs_model.py fails when a moto upgrade changes the
functions this layer wraps."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.utils import unix_time_millis
from moto.sqs import models

# moto's own classes, changed in place below: typed loosely, as moto types them for itself.
Queue: Any = models.Queue
SQSBackend: Any = models.SQSBackend
Message = Any

# SQS's deduplication interval (the page above): five minutes.
DEDUPLICATION_MS = models.DEDUPLICATION_TIME_IN_SECONDS * 1000

# The moto functions wrapped or replaced, by name; the test pins their source.
WRAPPED = (
    "Queue.add_message",
    "Queue.attributes",
    "Queue.messages",
    "Queue.approximate_number_of_messages",
    "Queue.approximate_number_of_messages_delayed",
    "Queue.approximate_number_of_messages_not_visible",
    "SQSBackend.send_message",
    "SQSBackend.send_message_batch",
)


class DeduplicationWindow:
    """The deduplication ids a queue accepted in the last five minutes, oldest first."""

    def __init__(self) -> None:
        self._accepted: OrderedDict[tuple[str | None, str], float] = OrderedDict()

    def accept(self, key: tuple[str | None, str], sent_ms: float) -> bool:
        """False when `key` was accepted less than five minutes before `sent_ms`."""
        while self._accepted:
            oldest, at = next(iter(self._accepted.items()))
            if sent_ms - at < DEDUPLICATION_MS:
                break
            del self._accepted[oldest]
        if key in self._accepted:
            return False
        self._accepted[key] = sent_ms
        return True


def _window(queue: Queue) -> DeduplicationWindow:
    window: DeduplicationWindow | None = queue.__dict__.get("_deduplication_window")
    if window is None:
        # A queue made before the layer (restored from an older snapshot): its messages
        # still in the queue are what moto would have deduplicated against.
        window = DeduplicationWindow()
        for message in queue._messages:
            if message.deduplication_id is not None:
                window.accept(_key(queue, message), float(message.sent_timestamp or 0))
        queue._deduplication_window = window
    return window


def _key(queue: Queue, message: Message) -> tuple[str | None, str]:
    group = message.group_id if queue.deduplication_scope == "messageGroup" else None
    return group, str(message.deduplication_id)


_ORIGINAL: dict[str, Any] = {}


def _add_message(queue: Queue, message: Message) -> None:
    if queue.lambda_event_source_mappings:
        # moto's own path delivers to its emulated Lambda; the emulator never asks for one.
        _ORIGINAL["Queue.add_message"](queue, message)
        return
    if queue.fifo_queue and not getattr(_sending, "depth", 0):
        # Not a send: moto moving a message past its maxReceiveCount into this dead-letter
        # queue. SQS then gives it the original message's id as its deduplication id ("Learn
        # how to configure a dead-letter queue redrive in Amazon SQS", https://docs.aws.amazon.
        # com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-
        # redrive.html), so a redrive is not taken for a duplicate of the first send.
        message.deduplication_id = message.id
    if (
        queue.fifo_queue
        and (queue.content_based_deduplication or message.deduplication_id)
        and not _window(queue).accept(_key(queue, message), float(message.sent_timestamp or 0))
    ):
        return
    with queue._messages_lock:
        queue._messages.append(message)
        queue._messages_lock.notify_all()


# Inside a send, `Queue.attributes` answers without the counts: moto's send path reads only
# ContentBasedDeduplication from it. Per thread: moto's server runs a thread per request.
_sending = threading.local()


@contextmanager
def _send() -> Iterator[None]:
    depth = getattr(_sending, "depth", 0)
    _sending.depth = depth + 1
    try:
        yield
    finally:
        _sending.depth = depth


def _attributes(queue: Queue) -> dict[str, Any]:
    if getattr(_sending, "depth", 0):
        return {"ContentBasedDeduplication": str(bool(queue.content_based_deduplication)).lower()}
    attributes: dict[str, Any] = _ORIGINAL["Queue.attributes"].fget(queue)
    return attributes


def _sent_inside(name: str) -> Callable[..., Any]:
    original = _ORIGINAL[name]

    def send(*args: Any, **kwargs: Any) -> Any:
        with _send():
            return original(*args, **kwargs)

    return send


def _visible_messages(queue: Queue) -> list[Message]:
    now = unix_time_millis()
    return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]


def oldest_visible_sent_ms(queue: Queue) -> int | None:
    """When the oldest message a receive could return now was sent (epoch ms), read from the
    model: over SQS's API only a receive tells a message's age, and a receive counts toward
    the queue's maxReceiveCount (api.emulator.embedded_aws.queue_ages serves this)."""
    return min((int(m.sent_timestamp) for m in _visible_messages(queue)), default=None)


def _count_visible(queue: Queue) -> int:
    return len(_visible_messages(queue))


def _count_delayed(queue: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for m in queue._messages if now < m.delayed_until)


def _count_not_visible(queue: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for m in queue._messages if not now > m.visible_at)


def _owner(name: str) -> Any:
    return Queue if name.startswith("Queue.") else SQSBackend


def install() -> None:
    """Put the layer in place (once per process; later calls do nothing)."""
    if _ORIGINAL:
        return
    for name in WRAPPED:
        _ORIGINAL[name] = vars(_owner(name))[name.split(".")[1]]
    Queue.add_message = _add_message
    Queue.attributes = property(_attributes)
    Queue.messages = property(_visible_messages)
    Queue.approximate_number_of_messages = property(_count_visible)
    Queue.approximate_number_of_messages_delayed = property(_count_delayed)
    Queue.approximate_number_of_messages_not_visible = property(_count_not_visible)
    SQSBackend.send_message = _sent_inside("SQSBackend.send_message")
    SQSBackend.send_message_batch = _sent_inside("SQSBackend.send_message_batch")


def uninstall() -> None:
    """moto's own model again (tests compare the two)."""
    for name, original in _ORIGINAL.items():
        setattr(_owner(name), name.split(".")[1], original)
    _ORIGINAL.clear()
