"""The embedded AWS's SQS layer (api/emulator/sqs_model.py): the same answers as moto's own
queue model where moto follows SQS, SQS's documented deduplication where it does not, and a
send whose work does not grow with the queue (counted in clock reads, never timed).

SQS behaviour asserted here, from the SQS Developer Guide:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html
(a deduplication id accepted once is not delivered again for five minutes, whether or not the
first message was received or deleted) and
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html
(with DeduplicationScope messageGroup, deduplication holds within a message group)."""

import inspect
from collections.abc import Iterator
from typing import Any

import boto3
import moto
import pytest
from moto import mock_aws
from moto.core import utils as moto_utils
from moto.sqs import models

from api.emulator import sqs_model
from api.emulator.sqs_model import DEDUPLICATION_MS, WRAPPED, DeduplicationWindow

REGION = "eu-west-1"


@pytest.fixture(params=["moto", "layer"])
def model(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each behaviour test runs on moto's own model and on the layer."""
    if request.param == "layer":
        sqs_model.install()
    try:
        yield str(request.param)
    finally:
        sqs_model.uninstall()


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("sqs", region_name=REGION)


def _fifo(sqs: Any, name: str = "q.fifo", **attributes: str) -> str:
    url: str = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", **attributes})[
        "QueueUrl"
    ]
    return url


def _send(sqs: Any, url: str, body: str, dedup: str | None, group: str = "g") -> None:
    extra = {"MessageDeduplicationId": dedup} if dedup else {}
    sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, **extra)


def _receive_all(sqs: Any, url: str) -> list[str]:
    bodies: list[str] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        bodies += [m["Body"] for m in batch]
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def _counts(sqs: Any, url: str) -> tuple[int, int]:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


def test_a_duplicate_in_the_queue_is_dropped_and_order_kept_within_a_group(
    model: str, sqs: Any
) -> None:
    url = _fifo(sqs)
    for body, dedup in [("a", "1"), ("b", "2"), ("a again", "1"), ("c", "3")]:
        _send(sqs, url, body, dedup)
    assert _receive_all(sqs, url) == ["a", "b", "c"]


def test_content_based_deduplication_drops_the_same_body(model: str, sqs: Any) -> None:
    url = _fifo(sqs, ContentBasedDeduplication="true")
    for body in ["x", "y", "x"]:
        _send(sqs, url, body, dedup=None)
    assert _receive_all(sqs, url) == ["x", "y"]


def test_counts_see_visible_and_in_flight_messages(model: str, sqs: Any) -> None:
    url = _fifo(sqs)
    for n in range(3):
        _send(sqs, url, f"m{n}", str(n), group=f"g{n}")
    assert _counts(sqs, url) == (3, 0)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=30)
    assert _counts(sqs, url) == (1, 2)


def test_a_group_with_a_message_in_flight_delivers_nothing_more(model: str, sqs: Any) -> None:
    url = _fifo(sqs)
    for n in range(3):
        _send(sqs, url, f"m{n}", str(n))
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)
    assert [m["Body"] for m in first["Messages"]] == ["m0"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)


def test_the_layer_keeps_a_deleted_messages_id_for_the_deduplication_interval(
    sqs: Any,
) -> None:
    # moto deduplicates only against messages still queued; SQS, for five minutes after the
    # first send, whatever became of that message.
    sqs_model.install()
    try:
        url = _fifo(sqs)
        _send(sqs, url, "first", "order-1:recibida:1")
        assert _receive_all(sqs, url) == ["first"]
        _send(sqs, url, "retried", "order-1:recibida:1")
        assert _receive_all(sqs, url) == []
    finally:
        sqs_model.uninstall()


def test_the_layer_deduplicates_per_group_when_the_scope_is_the_group(sqs: Any) -> None:
    sqs_model.install()
    try:
        url = _fifo(sqs, DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
        _send(sqs, url, "a", "same", group="g1")
        _send(sqs, url, "b", "same", group="g2")
        _send(sqs, url, "a again", "same", group="g1")
        assert sorted(_receive_all(sqs, url)) == ["a", "b"]
    finally:
        sqs_model.uninstall()


def test_the_window_forgets_an_id_after_five_minutes() -> None:
    window = DeduplicationWindow()
    assert window.accept((None, "x"), 0)
    assert not window.accept((None, "x"), DEDUPLICATION_MS - 1)
    assert window.accept((None, "x"), DEDUPLICATION_MS)
    # and an id it forgot is accepted anew, once
    assert not window.accept((None, "x"), DEDUPLICATION_MS + 1)


def _clock_reads_of_one_send(
    sqs: Any, monkeypatch: pytest.MonkeyPatch, url: str, number: int
) -> int:
    reads = 0
    original = moto_utils.unix_time_millis

    def counted() -> float:
        nonlocal reads
        reads += 1
        return original()

    with monkeypatch.context() as patch:
        patch.setattr("moto.sqs.models.unix_time_millis", counted)
        patch.setattr(sqs_model, "unix_time_millis", counted)
        _send(sqs, url, f"m{number}", f"d{number}")
    return reads


@pytest.mark.parametrize("model", ["moto", "layer"], indirect=True)
def test_a_sends_work_grows_with_the_queue_in_moto_and_not_in_the_layer(
    model: str, sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a queue holding 10 messages, and one holding 60
    small, large = _fifo(sqs, "small.fifo"), _fifo(sqs, "large.fifo")
    for n in range(10):
        _send(sqs, small, f"m{n}", f"d{n}")
    for n in range(60):
        _send(sqs, large, f"m{n}", f"d{n}")
    # when one more message is sent to each
    on_small = _clock_reads_of_one_send(sqs, monkeypatch, small, 10)
    on_large = _clock_reads_of_one_send(sqs, monkeypatch, large, 60)
    # then moto reads the clock per queued message; the layer, the same few times
    if model == "moto":
        assert on_large > on_small + 50
    else:
        assert on_large == on_small


def test_the_wrapped_moto_functions_are_the_ones_the_layer_was_written_for() -> None:
    # moto is pinned to one minor version (pyproject.toml); an upgrade that moves what the
    # layer relies on fails here rather than silently in the emulator.
    assert moto.__version__.startswith("5.2."), moto.__version__
    send = inspect.getsource(models.SQSBackend.send_message)
    validate = inspect.getsource(models.SQSBackend._validate_message)
    for source in (send, validate):
        # the only attribute the send path reads from Queue.attributes
        assert set(_attributes_read(source)) == {"ContentBasedDeduplication"}
    assert "queue.add_message(message)" in send
    for name in WRAPPED:
        owner, attribute = name.split(".")
        assert attribute in vars(getattr(models, owner)), name


def _attributes_read(source: str) -> list[str]:
    marker = 'attributes.get("'
    return [part.split('"', 1)[0] for part in source.split(marker)[1:]]
