"""A create's cost against the length of its queue: createOrder from one client with
`waiting` messages in `recibida`'s queue, against the same with the queue empty, in
interleaved rounds on one emulator. Locally nothing drains the state queues (the data
directory keeps them across restarts), so a developer's queue grows all day.

Each round empties the queue (PurgeQueue), times creates, fills the queue to `waiting`
messages straight through the embedded AWS (SendMessageBatch, as a backlog would be), and
times creates again. The figure is milliseconds per create at one client: the inverse of
its rate, so "within 1.2x of the rate on an empty queue" is a ratio of at most 1.2."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from api.emulator.local_aws import LocalAws
from bench.figures import compared, figure
from harness.serve_process import ServeProcess
from resolvers.domain.states import Estado

GOAL = 1.2
BATCH = 10  # SendMessageBatch's most
SENDERS = 4


@dataclass(frozen=True)
class Plan:
    rounds: int
    waiting: int  # messages in the queue for the "full" samples
    seconds: float  # of creates per sample


Create = Callable[[ServeProcess, float], tuple[int, float]]


def _queue(serve: ServeProcess) -> tuple[Any, str]:
    sqs = LocalAws.at(serve.aws_endpoint, embedded=True).sqs()
    name = serve.health()["queues"][Estado.recibida.value]
    url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs, url


def _fill(sqs: Any, url: str, waiting: int, round_number: int) -> int:
    """Send `waiting` messages (distinct deduplication ids); the queue's count after."""

    def send(start: int) -> None:
        entries = [
            {
                "Id": str(n),
                "MessageBody": f"backlog {round_number}-{start + n}",
                "MessageGroupId": Estado.recibida.value,
                "MessageDeduplicationId": f"backlog-{round_number}-{start + n}",
            }
            for n in range(min(BATCH, waiting - start))
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)

    with ThreadPoolExecutor(SENDERS) as senders:
        list(senders.map(send, range(0, waiting, BATCH)))
    return _count(sqs, url)


def _count(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def run(serve: ServeProcess, plan: Plan, *, create: Create) -> dict[str, Any]:
    sqs, url = _queue(serve)
    empty: list[float] = []
    full: list[float] = []
    counted: list[int] = []
    for round_number in range(plan.rounds):
        sqs.purge_queue(QueueUrl=url)
        requests, elapsed = create(serve, plan.seconds)
        empty.append(1000 * elapsed / requests)
        counted.append(_fill(sqs, url, plan.waiting, round_number))
        requests, elapsed = create(serve, plan.seconds)
        full.append(1000 * elapsed / requests)
    sqs.purge_queue(QueueUrl=url)
    return {
        "waiting": plan.waiting,
        "messages_counted": counted,
        "rounds": plan.rounds,
        "seconds_per_sample": plan.seconds,
        "createOrder full vs empty queue (ms per create)": compared(
            figure(full, "ms"), figure(empty, "ms"), GOAL
        ),
    }
